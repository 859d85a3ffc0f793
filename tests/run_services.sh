#!/usr/bin/env bash
# Runs inside a private D-Bus session (see tests/run.sh): starts the services, runs pytest.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNDIR=$(mktemp -d /tmp/ting-test-services.XXXXXX)
export HOME="$RUNDIR/home"; mkdir -p "$HOME"
export XDG_RUNTIME_DIR="$RUNDIR/xdg"; mkdir -p -m 700 "$XDG_RUNTIME_DIR"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  pulseaudio --kill 2>/dev/null || true
  rm -rf "$RUNDIR"
}
trap cleanup EXIT

# A real Secret Service (gnome-keyring), unlocked with a throwaway password.
printf 'ting-test-password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 \
  && export TING_TEST_SECRET_SERVICE=1 || echo "warning: gnome-keyring did not start"

# PulseAudio with a null sink whose monitor is the default source.
if [ -f voice/testing_audio.sh ]; then
  # shellcheck disable=SC1091
  source voice/testing_audio.sh && export TING_TEST_PULSEAUDIO=1 || echo "warning: PulseAudio did not start"
fi

# An X display with a window manager and a system tray host.
if command -v Xvfb >/dev/null; then
  disp=":$((90 + RANDOM % 100))"
  Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & pids+=($!)
  for _ in $(seq 50); do xdpyinfo -display "$disp" >/dev/null 2>&1 && break; sleep 0.1; done
  if xdpyinfo -display "$disp" >/dev/null 2>&1; then
    export TING_TEST_DISPLAY="$disp"
    DISPLAY="$disp" openbox >/dev/null 2>&1 & pids+=($!)
    DISPLAY="$disp" trayer --edge top --align right --widthtype request --height 24 >/dev/null 2>&1 & pids+=($!)
  else
    echo "warning: Xvfb did not start"
  fi
fi

"$ROOT/.venv/bin/python" -m pytest -p no:cacheprovider "$@"
code=$?
if [ "$code" = 5 ]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
fi
# In CI (or when asked) also build the desktop bundle and check it from a clean
# environment: --version, --smoke, the app starting, bad installs, install.sh (~3 min).
if [ "$code" = 0 ] && { [ "${CI:-}" = true ] || [ "${TING_TEST_BUNDLE:-}" = 1 ]; }; then
  echo "== building and checking the desktop bundle (packaging/ci_check.sh)"
  PATH="$ROOT/.venv/bin:$PATH" bash "$ROOT/packaging/ci_check.sh" || code=$?
fi
exit "$code"
