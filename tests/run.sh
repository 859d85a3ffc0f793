#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine, starts the real services
# they talk to (a Secret Service on a private D-Bus, PulseAudio with a null sink, Xvfb
# with a window manager and a tray host), and runs the test suite. `.ci/run` calls this.
# Usage: bash tests/run.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# asterisk-core-sounds-en is only a Recommends of -wav, which --no-install-recommends skips,
# but it holds the sounds/en link and the transcripts the speech tests read.
DEBS=(
  libportaudio2 pulseaudio pulseaudio-utils
  dbus dbus-x11 gnome-keyring
  xvfb openbox trayer x11-utils xdotool imagemagick
  libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-render-util0 libxcb-xinerama0 libxcb-shape0 libegl1 libgl1 libfontconfig1 libdbus-1-3
  fonts-noto-cjk
  ffmpeg sox espeak-ng asterisk-core-sounds-en asterisk-core-sounds-en-wav xclip
  git patch desktop-file-utils libglib2.0-bin
  g++ cmake
  xterm stterm sway wtype wl-clipboard foot
)
missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "== installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  python3 -m venv .venv
fi
# llama-cpp-python (the built-in model's runtime) builds from its sdist: ~4 min on 2 idle
# cores, once (pip keeps the wheel). Portable AVX2 code, not -march=native: a native build
# takes AMX on CPUs whose hypervisor does not enable it, and the first decode segfaults.
if [ "$(uname -m)" = x86_64 ] && [ -z "${CMAKE_ARGS:-}" ]; then
  export CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
fi
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc 2>/dev/null || echo 2)}"
echo "== installing Ting and its test dependencies"
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]' 2>&1 | grep -v -E '^(WARNING: Location|  )' || true
.venv/bin/python -c "import assistant, faster_whisper, PySide6, llama_cpp" # fail early on a broken install

exec dbus-run-session -- bash "$ROOT/tests/run_services.sh" "$@"
