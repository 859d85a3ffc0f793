"""A small real program to type into: a Qt window with one text field (QLineEdit, or a
multi-line QPlainTextEdit with --multiline), run as its own process on the test display.

It reports on stdout, one JSON line each: ``{"ready": true}`` once it is shown and has
the keyboard focus, and ``{"text": ...}`` (with the selection) whenever it is asked by a
line on stdin: ``text`` prints the field's text, ``wait-text <seconds> <json string>``
prints it once it is that string (on the field's own change signal; after the seconds,
whatever it is), ``wait-selected <seconds>`` once all of it is selected, ``select-all``
selects all of it,
``set <json string>`` replaces it, ``copy-rich`` puts text, HTML and a PNG image on the
clipboard (as a word processor or browser does), ``quit`` ends. With ``--stamps`` it
also prints ``{"changed": text, "t": time.monotonic()}`` each time the text changes (the
bench's "text in the window" moment). Nothing here knows about Ting.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit


class Commands(QObject):
    line = Signal(str)


def main() -> int:
    multiline = "--multiline" in sys.argv
    app = QApplication(sys.argv[:1])
    field: QLineEdit | QPlainTextEdit = QPlainTextEdit() if multiline else QLineEdit()
    field.setWindowTitle("ting test target")
    field.resize(900, 300 if multiline else 40)
    if isinstance(field, QLineEdit):
        field.setMaxLength(1_000_000)  # the default 32767 would cut a long paste

    def say(obj: dict) -> None:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def text() -> str:
        return field.toPlainText() if isinstance(field, QPlainTextEdit) else field.text()

    def selected() -> str:
        if isinstance(field, QPlainTextEdit):
            return field.textCursor().selectedText().replace("\u2029", "\n")
        return field.selectedText()

    def answer_when(done: Callable[[], bool], seconds: float) -> None:
        """Answer ``text`` as soon as ``done()`` holds: now, or on the field's next text
        or selection change that makes it so (keys typed into it arrive as X events,
        maybe after this question), or after ``seconds`` as it is then."""
        if done():
            say({"text": text(), "selected": selected()})
            return
        timer = QTimer(field)  # the field keeps it alive
        timer.setSingleShot(True)

        def finish() -> None:
            timer.stop()
            field.textChanged.disconnect(check)
            field.selectionChanged.disconnect(check)
            say({"text": text(), "selected": selected()})

        def check(*_: object) -> None:
            if done():
                finish()

        field.textChanged.connect(check)
        field.selectionChanged.connect(check)
        timer.timeout.connect(finish)
        timer.start(int(seconds * 1000))

    def handle(line: str) -> None:
        command, _, rest = line.strip().partition(" ")
        if command == "text":
            say({"text": text(), "selected": selected()})
        elif command == "wait-text":
            seconds, _, value = rest.partition(" ")
            expected = json.loads(value)
            answer_when(lambda: text() == expected, float(seconds))
        elif command == "wait-selected":
            answer_when(lambda: selected() == text(), float(rest))
        elif command == "select-all":
            field.selectAll()
            say({"text": text(), "selected": selected()})
        elif command == "set":
            value = json.loads(rest)
            if isinstance(field, QPlainTextEdit):
                field.setPlainText(value)
            else:
                field.setText(value)
            say({"text": text(), "selected": selected()})
        elif command == "copy-rich":
            from PySide6.QtCore import QMimeData
            from PySide6.QtGui import QColor, QImage

            image = QImage(4, 3, QImage.Format.Format_RGB32)
            image.fill(QColor(200, 30, 60))
            data = QMimeData()
            data.setText("rich copy 富文本")
            data.setHtml("<b>rich copy</b> 富文本")
            data.setImageData(image)
            QApplication.clipboard().setMimeData(data)
            say({"copied": sorted(data.formats())})
        elif command == "quit":
            app.quit()

    commands = Commands()
    commands.line.connect(handle)
    if "--stamps" in sys.argv:
        field.textChanged.connect(lambda *_: say({"changed": text(), "t": time.monotonic()}))

    def read_stdin() -> None:
        for line in sys.stdin:
            commands.line.emit(line)
        commands.line.emit("quit")

    threading.Thread(target=read_stdin, daemon=True).start()

    def check_ready() -> None:
        if field.isActiveWindow() and field.hasFocus():
            say({"ready": True, "window": int(field.winId())})
        else:
            field.activateWindow()
            field.raise_()
            QTimer.singleShot(50, check_ready)

    field.show()
    field.activateWindow()
    QTimer.singleShot(50, check_ready)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
