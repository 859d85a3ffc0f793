"""The tray icon for each app state, drawn with QPainter (no image files, no fonts).

A rounded square in the state's colour with a white microphone; ``thinking`` adds three
dots, ``error`` an exclamation mark, ``listening`` sound waves. Drawn at several sizes
so the tray host picks a sharp one.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

STATES = ("idle", "listening", "thinking", "error")

STATE_COLOURS: dict[str, str] = {
    "idle": "#3a6ea5",
    "listening": "#2e9e5b",
    "thinking": "#d08b17",
    "error": "#c0392b",
}

_SIZES = (16, 22, 24, 32, 48, 64, 128)


def draw_state_pixmap(state: str, size: int) -> QPixmap:
    if state not in STATE_COLOURS:
        raise ValueError(f"unknown state {state!r} (one of {', '.join(STATES)})")
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = float(size)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(QColor(STATE_COLOURS[state])))
    painter.drawRoundedRect(QRectF(0, 0, s, s), s * 0.22, s * 0.22)

    white = QColor("#ffffff")
    line = QPen(white, max(1.0, s * 0.07))
    line.setCapStyle(Qt.PenCapStyle.RoundCap)
    # microphone capsule
    painter.setBrush(QBrush(white))
    painter.setPen(Qt.PenStyle.NoPen)
    capsule = QRectF(s * 0.39, s * 0.16, s * 0.22, s * 0.40)
    painter.drawRoundedRect(capsule, s * 0.11, s * 0.11)
    # cradle, stem and base
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(line)
    cradle = QPainterPath()
    cradle.moveTo(s * 0.29, s * 0.42)
    cradle.cubicTo(s * 0.29, s * 0.70, s * 0.71, s * 0.70, s * 0.71, s * 0.42)
    painter.drawPath(cradle)
    painter.drawLine(QPointF(s * 0.5, s * 0.65), QPointF(s * 0.5, s * 0.78))
    painter.drawLine(QPointF(s * 0.38, s * 0.80), QPointF(s * 0.62, s * 0.80))

    if state == "listening":
        painter.drawArc(QRectF(s * 0.08, s * 0.22, s * 0.18, s * 0.32), 120 * 16, 120 * 16)
        painter.drawArc(QRectF(s * 0.74, s * 0.22, s * 0.18, s * 0.32), -60 * 16, 120 * 16)
    elif state in ("thinking", "error"):
        badge = QColor("#ffffff")
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(badge))
        painter.drawEllipse(QRectF(s * 0.60, s * 0.60, s * 0.38, s * 0.38))
        painter.setBrush(QBrush(QColor(STATE_COLOURS[state])))
        if state == "thinking":
            r = s * 0.04
            for i in range(3):
                centre = QPointF(s * (0.69 + 0.10 * i), s * 0.79)
                painter.drawEllipse(centre, r, r)
        else:
            painter.drawRoundedRect(QRectF(s * 0.765, s * 0.65, s * 0.05, s * 0.19), 1, 1)
            painter.drawEllipse(QPointF(s * 0.79, s * 0.90), s * 0.03, s * 0.03)
    painter.end()
    return pixmap


def state_icon(state: str) -> QIcon:
    icon = QIcon()
    for size in _SIZES:
        icon.addPixmap(draw_state_pixmap(state, size))
    return icon
