#!/usr/bin/env bash
# Installs the built Ting folder for this user (Linux): copies it to
# ~/.local/lib/ting, links ~/.local/bin/ting, and adds the menu entry and icon
# (XDG_DATA_HOME honoured). `install.sh --uninstall` removes all of that again; the
# data folder (~/.local/share/ting: history, settings, model cache) is kept.
#
# Run it from the built folder (dist/ting/install.sh) or as packaging/install.sh DIR.
set -euo pipefail

UNINSTALL=0
SRC=""
for arg in "$@"; do
  case "$arg" in
    --uninstall) UNINSTALL=1 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) SRC=$arg ;;
  esac
done
[ -n "$SRC" ] || SRC=$(cd "$(dirname "$0")" && pwd)

DATA_HOME=${XDG_DATA_HOME:-$HOME/.local/share}
case "$DATA_HOME" in /*) ;; *) DATA_HOME=$HOME/.local/share ;; esac
PREFIX=${TING_PREFIX:-$HOME/.local/lib/ting}
BIN=$HOME/.local/bin
APPS=$DATA_HOME/applications
ICONS=$DATA_HOME/icons/hicolor

refresh_menus() {
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$APPS" 2>/dev/null || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$ICONS" 2>/dev/null || true
}

if [ "$UNINSTALL" = 1 ]; then
  rm -f "$APPS/ting.desktop" "$ICONS/scalable/apps/ting.svg" "$ICONS/256x256/apps/ting.png"
  [ -L "$BIN/ting" ] && rm -f "$BIN/ting"
  [ -x "$PREFIX/ting" ] && rm -rf "$PREFIX"
  refresh_menus
  echo "Ting removed (your data in ${TING_HOME:-$DATA_HOME/ting} is kept)."
  exit 0
fi

[ -x "$SRC/ting" ] && [ -d "$SRC/_internal" ] \
  || { echo "install.sh: $SRC is not a built Ting folder (no ting executable or _internal/)" >&2; exit 1; }

if [ "$(cd "$SRC" && pwd -P)" != "$(mkdir -p "$PREFIX" && cd "$PREFIX" && pwd -P)" ]; then
  rm -rf "$PREFIX.new"
  cp -a "$SRC" "$PREFIX.new"
  rm -rf "$PREFIX"
  mv "$PREFIX.new" "$PREFIX"
fi
mkdir -p "$BIN" "$APPS" "$ICONS/scalable/apps" "$ICONS/256x256/apps"
ln -sfn "$PREFIX/ting" "$BIN/ting"
cp "$SRC/ting.svg" "$ICONS/scalable/apps/ting.svg"
cp "$SRC/ting.png" "$ICONS/256x256/apps/ting.png"
# the menu entry runs this copy by its full path (~/.local/bin may not be on PATH)
sed -e "s|^Exec=ting trigger\$|Exec=\"$PREFIX/ting\" trigger|" \
    -e "s|^Exec=ting\$|Exec=\"$PREFIX/ting\"|" \
    -e "s|^TryExec=ting\$|TryExec=$PREFIX/ting|" \
    "$SRC/ting.desktop" > "$APPS/ting.desktop"
chmod 644 "$APPS/ting.desktop"
refresh_menus
echo "Ting installed in $PREFIX; menu entry $APPS/ting.desktop; command $BIN/ting."
