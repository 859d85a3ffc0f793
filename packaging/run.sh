#!/usr/bin/env bash
# Installs Ting into ./.venv (once; again when pyproject.toml changes) and starts it.
# On Debian/Ubuntu it also installs the system libraries audio and Qt need, when it
# can (root or sudo). Extra arguments go to `ting`, e.g. `bash packaging/run.sh doctor`.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNTIME_DEBS=(libportaudio2 libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1
  libxcb-image0 libxcb-render-util0 libxcb-xinerama0 libxcb-shape0 libegl1 libgl1
  libfontconfig1 libdbus-1-3 espeak-ng
  g++ cmake)  # g++ and cmake build llama-cpp-python (the built-in model)
if command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; then
  missing=()
  for p in "${RUNTIME_DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else SUDO="-"; fi
    if [ "$SUDO" = "-" ]; then
      echo "note: missing system packages (audio/Qt may not work): ${missing[*]}" >&2
    else
      echo "Installing system packages: ${missing[*]}" >&2
      $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null
    fi
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# llama-cpp-python (the built-in model's runtime) builds from its sdist: ~4 min on 2 idle
# cores, once (pip keeps the wheel). Portable AVX2 code, not -march=native: a native build
# takes AMX on CPUs whose hypervisor does not enable it, and the first decode segfaults.
if [ "$(uname -m)" = x86_64 ] && [ -z "${CMAKE_ARGS:-}" ]; then
  export CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
fi
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc 2>/dev/null || echo 2)}"
stamp=.venv/.ting-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "Installing Ting into .venv (the first time: ~1.2 GB of packages, and the local model's runtime is compiled, ~4-10 min) …" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check -e . 2>&1 \
    | grep -v -E '^(WARNING: Location|  )' >&2 || true
  .venv/bin/python -c "import assistant" && touch "$stamp"
fi
exec .venv/bin/ting "$@"
