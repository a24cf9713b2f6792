#!/usr/bin/env bash
# Makes the README's picture, docs/lesson.png: lesson 08 as a rendered page (its printout beside the article's, and
# the loss curve), one viewport, taken in headless Chromium by tools/lesson-picture.cs.
#   bash tools/lesson-picture.sh            renders lesson 08's page first when it is not there (a few minutes:
#                                           the runner executes the notebook with Jupyter), then takes the picture
#   bash tools/lesson-picture.sh --render   renders it again first
# Needs what tools/setup.sh installs (Jupyter, Chromium) and the data (see the README).
set -euo pipefail
cd "$(dirname "$0")/.."
page=artifacts/pages/en/08-training.html
if [ "${1:-}" = "--render" ] || [ ! -f "$page" ]; then
  dotnet run --project tools/NotebookRunner -c Release -- --only 08 --client jupyter --pages
fi
dotnet run tools/lesson-picture.cs -- "$page" "Our-ten-lines-beside-the-article's" docs/lesson.png
