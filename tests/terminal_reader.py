"""Runs inside a real terminal emulator under test: puts its tty in raw mode (so that no
line discipline limits or edits what arrives), connects to the test's socket (which
says it is ready), and sends every byte the terminal sends it there until killed.

Usage: python terminal_reader.py SOCKET_NAME (an abstract Unix socket's, without its NUL)
"""

from __future__ import annotations

import os
import socket
import sys
import termios
import tty


def main() -> int:
    fd = sys.stdin.fileno()
    tty.setraw(fd, termios.TCSANOW)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as out:
        out.connect("\0" + sys.argv[1])
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                return 0
            out.sendall(chunk)


if __name__ == "__main__":
    sys.exit(main())
