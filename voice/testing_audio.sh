# Source this file (bash) to get a private PulseAudio server for tests: a null sink
# "ting_test_sink" whose monitor is the default source, so whatever is played into the
# sink (paplay) is what a program capturing from the default input hears. No sound card
# is needed. It works as root (no --system needed: `-n` skips the desktop default.pa).
#
#   export XDG_RUNTIME_DIR=$(mktemp -d)   # where the server puts its socket
#   source voice/testing_audio.sh && export TING_TEST_PULSEAUDIO=1
#   ...                                  # run the tests
#   pulseaudio --kill
#
# Returns non-zero (and says why on stderr) when the server cannot be started.

ting_start_test_audio() {
  local sink=ting_test_sink
  if ! command -v pulseaudio >/dev/null || ! command -v pactl >/dev/null; then
    echo "testing_audio: pulseaudio and pulseaudio-utils are not installed" >&2
    return 1
  fi
  if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
    echo "testing_audio: set XDG_RUNTIME_DIR to a private folder first" >&2
    return 1
  fi
  if ! pactl list short sinks 2>/dev/null | grep -q "$sink"; then
    pulseaudio --daemonize=yes -n --exit-idle-time=-1 --disallow-exit \
      --log-target="file:$XDG_RUNTIME_DIR/ting-pulseaudio.log" \
      --load="module-native-protocol-unix" \
      --load="module-null-sink sink_name=$sink rate=48000 sink_properties=device.description=TingTestSink" \
      || { echo "testing_audio: pulseaudio did not start (see $XDG_RUNTIME_DIR/ting-pulseaudio.log)" >&2; return 1; }
    local i
    for i in $(seq 100); do
      pactl info >/dev/null 2>&1 && break
      sleep 0.05
    done
  fi
  pactl set-default-sink "$sink" && pactl set-default-source "$sink.monitor" || {
    echo "testing_audio: the PulseAudio server does not answer" >&2
    return 1
  }
  export TING_TEST_SINK="$sink"
}

ting_start_test_audio
