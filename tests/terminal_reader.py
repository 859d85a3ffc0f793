"""Runs inside a real terminal emulator under test: puts its tty in raw mode (so that no
line discipline limits or edits what arrives), says it is ready by creating READY_FILE,
and appends every byte the terminal sends to OUT_FILE until killed.

Usage: python terminal_reader.py OUT_FILE READY_FILE
"""

from __future__ import annotations

import os
import sys
import termios
import tty


def main() -> int:
    out_path, ready_path = sys.argv[1], sys.argv[2]
    fd = sys.stdin.fileno()
    tty.setraw(fd, termios.TCSANOW)
    with open(out_path, "ab", buffering=0) as out:
        with open(ready_path, "w") as ready:
            ready.write(str(os.getpid()))
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                return 0
            out.write(chunk)


if __name__ == "__main__":
    sys.exit(main())
