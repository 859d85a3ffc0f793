"""Render packaging/ting.svg to the PNG sizes the menu and the bundle use.

Usage: QT_QPA_PLATFORM=offscreen python packaging/render_icon.py
Writes packaging/ting.png (256 px) and, with --sizes, ting-<N>.png for hicolor folders.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent


def render(svg: Path, size: int, out: Path) -> None:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"render_icon: {svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out), "PNG"):
        raise SystemExit(f"render_icon: cannot write {out}")


def main(argv: list[str]) -> int:
    _app = QGuiApplication(argv[:1])
    svg = HERE / "ting.svg"
    render(svg, 256, HERE / "ting.png")
    if "--sizes" in argv:
        for size in (16, 24, 32, 48, 64, 128):
            render(svg, size, HERE / f"ting-{size}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
