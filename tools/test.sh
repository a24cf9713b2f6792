#!/usr/bin/env bash
# The README's test command: sets the machine up (tools/setup.sh: Jupyter, Chromium, a CJK font, the pinned local
# tools, the helper library, the Jupyter kernel, plotly.js for the pages; only what is missing), then runs the tests.
# Arguments go to `dotnet test`, for example `bash tools/test.sh --filter Category=Unit`.
# .ci/run runs exactly `bash tools/test.sh`.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh || { echo "test: tools/setup.sh failed (its last line says why); no test was run" >&2; exit 1; }
exec dotnet test tests/CifarHelpers.Tests "$@"
