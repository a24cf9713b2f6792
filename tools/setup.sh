#!/usr/bin/env bash
# Sets a machine up for the tutorial, installing only what is missing; safe to run again.
#   1. Debian/Ubuntu packages: Jupyter's nbconvert and client with the Python kernel machinery (the Jupyter client
#      and the HTML pages), Chromium (the browser tests; where apt has it), a CJK font (the Chinese headings) and
#      python3-torch (a real PyTorch for the interop tests, run with /usr/bin/python3: tools/pytorch/article_model.py);
#   2. the pinned local tools (.config/dotnet-tools.json: dotnet-repl, dotnet-interactive);
#   3. the helper library, Release, into artifacts/notebook-lib/ where the notebooks #r it;
#   4. the ".NET (C#)" Jupyter kernel (name .net-csharp, as the notebooks' metadata says) for this user: the pinned
#      dotnet-interactive from the NuGet cache, listening on 127.0.0.1 only, the same kernelspec the runner writes
#      for itself (tools/NotebookRunner/JupyterKernel.cs);
#   5. the pinned plotly.js the HTML pages carry (tools/pages/package-lock.json, `npm ci`; npm comes from step 1).
# Run by hand on a fresh Debian or Ubuntu machine (`bash tools/setup.sh`), by the dev container after it is
# created, and by the README's test command (tools/test.sh, which .ci/run runs). Needs the .NET 10 SDK; as a user
# other than root it uses sudo for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

say() { echo "setup: $*"; }
fail() { echo "setup: $*" >&2; exit 1; }

# 1. System packages.
packages=(jupyter-nbconvert jupyter-client python3-ipykernel chromium fonts-noto-cjk python3-torch)
# npm fetches the pinned plotly.js (step 5); Debian's package only where no npm is on PATH (nvm, NodeSource...).
command -v npm >/dev/null || packages+=(npm)
if command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; then
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "packages already installed: ${packages[*]}"
  else
    if [ "$(id -u)" -eq 0 ]; then sudo=()
    elif command -v sudo >/dev/null; then sudo=(sudo)
    else fail "missing ${missing[*]}: run this script as root, or install sudo, or apt-get install them yourself"
    fi
    say "installing ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || fail "apt-get update failed"
    # Ubuntu ships Chromium only as a snap: install what apt has, and say what it has not.
    available=() unavailable=()
    for p in "${missing[@]}"; do
      candidate=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ { print $2 }')
      if [ -n "$candidate" ] && [ "$candidate" != "(none)" ]; then available+=("$p"); else unavailable+=("$p"); fi
    done
    if [ ${#available[@]} -gt 0 ]; then
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${available[@]}" \
        || fail "apt-get install ${available[*]} failed"
    fi
    for p in "${unavailable[@]}"; do
      case "$p" in
        chromium) say "apt has no chromium here: the browser tests (Category=Browser) need /usr/bin/chromium; the rest works without it" ;;
        python3-torch) say "apt has no python3-torch here: the interop tests (Category=Interop) need a PyTorch for /usr/bin/python3; the rest works without it" ;;
        *) fail "apt has no package $p here: install it yourself, then run this again" ;;
      esac
    done
  fi
else
  say "no apt-get here: install ${packages[*]} (or their equivalents: Jupyter with nbconvert, Chromium, a CJK font) yourself"
fi

# 2. The .NET SDK and the pinned local tools.
command -v dotnet >/dev/null || fail "dotnet is missing: install the .NET 10 SDK (https://dotnet.microsoft.com/download), then run this again"
sdk=$(dotnet --version 2>/dev/null) || fail "no .NET SDK that global.json accepts (10.0.100 or later): install the .NET 10 SDK, then run this again"
say ".NET SDK $sdk"
dotnet tool restore || fail "dotnet tool restore failed"

# 3. The helper library, where the notebooks load it.
dotnet build lib/CifarHelpers -c Release -nologo -v quiet || fail "dotnet build lib/CifarHelpers -c Release failed"
[ -f artifacts/notebook-lib/CifarHelpers.dll ] || fail "the build left no artifacts/notebook-lib/CifarHelpers.dll"
say "helper library built: artifacts/notebook-lib/CifarHelpers.dll"

# 4. The Jupyter kernel.
command -v jupyter >/dev/null || fail "jupyter is missing: install Jupyter (see step 1), then run this again"
packages_dir=$(dotnet nuget locals global-packages --list | sed -E 's/^global-packages: *//')
version=$(python3 -c 'import json; print(json.load(open(".config/dotnet-tools.json"))["tools"]["microsoft.dotnet-interactive"]["version"])')
app="${packages_dir%/}/microsoft.dotnet-interactive/$version/tools/net10.0/any/Microsoft.DotNet.Interactive.App.dll"
[ -f "$app" ] || fail "$app is missing after dotnet tool restore"
spec=$(mktemp -d)
trap 'rm -rf "$spec"' EXIT
APP="$app" python3 - "$spec/kernel.json" <<'PY'
import json, os, sys
spec = {
    "argv": ["dotnet", os.environ["APP"], "jupyter", "--default-kernel", "csharp", "{connection_file}",
             "--http-local-only", "--http-port-range", "2048-3000"],
    "display_name": ".NET (C#)",
    "language": "C#",
}
with open(sys.argv[1], "w") as f:
    json.dump(spec, f, indent=2)
PY
if ! out=$(jupyter kernelspec install --user --replace --name .net-csharp "$spec" 2>&1); then
  echo "$out" >&2
  fail "jupyter kernelspec install --user --replace --name .net-csharp failed (its output is above)"
fi
registered=$(jupyter kernelspec list 2>/dev/null | awk '$1 == ".net-csharp" { print $2 }')
[ -n "$registered" ] || fail "jupyter does not list the kernel .net-csharp after installing it"
say "Jupyter kernel .net-csharp (.NET (C#)) registered in $registered"

# 5. plotly.js for the pages, pinned by tools/pages/package-lock.json.
plotly=tools/pages/node_modules/plotly.js-dist-min/plotly.min.js
if [ -f "$plotly" ]; then
  say "plotly.js already in place: $plotly"
else
  command -v npm >/dev/null || fail "npm is missing: install Node.js with npm (see step 1), then run this again"
  (cd tools/pages && npm ci --ignore-scripts --no-audit --no-fund) \
    || fail "npm ci in tools/pages failed: check the network or the npm registry, then run this again"
  [ -f "$plotly" ] || fail "npm ci left no $plotly"
  say "plotly.js in place: $plotly"
fi
say "done"
