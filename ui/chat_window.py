"""The chat window: type (or talk), watch the answer stream in, confirm what gets written.

Left, the history sidebar with full-text search; right, the conversation (your
messages, answers rendered as Markdown while they stream, confirmation cards), a
progress line with elapsed time and Cancel while a task runs, and the input row.

Requests run through a ``RequestController`` (the desktop app's one, which the voice
session's requests go through too, so they show here as spoken messages); history
queries run on the runner's I/O pool. The window only reacts to signals.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from assistant.console import format_elapsed
from assistant.events import Delta, Event, Failed, NeedsConfirmation, Progress, Result
from ui.confirmation_cards import ConfirmationCard, WrappedLabel, card_for
from ui.i18n import tr
from ui.request_controller import RequestController
from ui.state_icons import state_icon

if TYPE_CHECKING:
    from assistant.frontend.app import App
    from assistant.history import Exchange
    from assistant.skill import Request
    from ui.workers import TaskRunner

RENDER_INTERVAL_MS = 50  # re-render streamed Markdown at most this often
HISTORY_LIMIT = 50
_TRAILING_SECONDS = re.compile(r"\s+\d+(\.\d+)?\s?s$")

WINDOW_STYLE = """
QFrame#UserBubble { background: #e8f0fe; border-radius: 8px; }
QFrame#AnswerCard { background: #ffffff; border: 1px solid #dddddd; border-radius: 8px; }
QLabel#AnswerHeader { color: #777777; font-size: 11px; }
QLabel#ProgressText { color: #555555; }
QWidget#Conversation { background: #f6f7f9; }
"""


class MarkdownView(QTextBrowser):
    """A QTextBrowser that is exactly as tall as its document (the page scrolls, not it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenExternalLinks(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setStyleSheet("background: transparent;")
        self.document().documentLayout().documentSizeChanged.connect(self._fit_height)
        self._fit_height()

    def _fit_height(self, *_args: Any) -> None:
        height = int(self.document().size().height()) + 2 * self.frameWidth() + 4
        if self.height() != height:
            self.setFixedHeight(max(height, 20))

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit_height()


class UserBubble(QFrame):
    # a transcript the user wants to fix by typing over it (voice requests only)
    correct_requested = Signal(str)

    def __init__(self, text: str, origin: str = "typed", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("UserBubble")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        label = WrappedLabel(text)
        self.correct_button: QPushButton | None = None
        if origin == "voice":
            label.setToolTip(tr("Heard"))
            top = QHBoxLayout()
            top.addWidget(QLabel(f"<small>{tr('Heard')}</small>"))
            top.addStretch(1)
            self.correct_button = QPushButton(tr("Correct"))
            self.correct_button.setToolTip(
                tr("Type over what was heard; the words you fix are added to your words.")
            )
            self.correct_button.setFlat(True)
            self.correct_button.clicked.connect(lambda: self.correct_requested.emit(text))
            top.addWidget(self.correct_button)
            layout.addLayout(top)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(label)
        self.label = label


class AnswerCard(QFrame):
    """One answer: a header (skill, status), the Markdown body, and a Copy button."""

    def __init__(self, header: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AnswerCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 8)
        top = QHBoxLayout()
        self.header = QLabel(header)
        self.header.setObjectName("AnswerHeader")
        top.addWidget(self.header, 1)
        self.copy_button = QPushButton(tr("Copy"))
        self.copy_button.setFlat(True)
        self.copy_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        top.addWidget(self.copy_button)
        layout.addLayout(top)
        self.body = MarkdownView()
        layout.addWidget(self.body)
        self.markdown = ""
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(RENDER_INTERVAL_MS)
        self._render_timer.timeout.connect(self._render)
        self._copied_timer = QTimer(self)
        self._copied_timer.setSingleShot(True)
        self._copied_timer.setInterval(1500)
        self._copied_timer.timeout.connect(lambda: self.copy_button.setText(tr("Copy")))

    def append_delta(self, text: str) -> None:
        self.markdown += text
        if not self._render_timer.isActive():
            self._render_timer.start()

    def set_text(self, markdown: str) -> None:
        self._render_timer.stop()
        self.markdown = markdown
        self._render()

    def set_error(self, message: str) -> None:
        self._render_timer.stop()
        self._render()
        error = WrappedLabel(message)
        error.setStyleSheet("color: #b03a2e;")
        self.layout().addWidget(error)
        self.error_label = error

    def _render(self) -> None:
        self.body.setMarkdown(self.markdown)

    def add_chart(self, png_base64: str) -> None:
        """A chart the skill drew (budgets against spending) under the answer."""
        import base64
        import binascii

        try:
            png = base64.b64decode(png_base64, validate=True)
        except (binascii.Error, ValueError):
            return
        self.chart = chart_label(png)
        self.layout().addWidget(self.chart)

    def copy_to_clipboard(self) -> None:
        QApplication.clipboard().setText(self.markdown)
        self.copy_button.setText(tr("Copied"))
        self._copied_timer.start()


class ProgressLine(QWidget):
    """``routed: chat · 3.4 s  [Cancel]`` while a task runs; hidden otherwise."""

    cancel_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        self.text = QLabel(tr("Thinking…"))
        self.text.setObjectName("ProgressText")
        layout.addWidget(self.text, 1)
        self.cancel_button = QPushButton(tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel_clicked)
        layout.addWidget(self.cancel_button)
        self.message = tr("Thinking…")
        self._started = 0.0
        self._tick = QTimer(self)
        self._tick.setInterval(200)
        self._tick.timeout.connect(self._refresh)
        self.hide()

    def start(self) -> None:
        self._started = time.monotonic()
        self.message = tr("Thinking…")
        self.cancel_button.setEnabled(True)
        self._refresh()
        self._tick.start()
        self.show()

    def update_progress(self, event: Progress) -> None:
        message = event.message or event.stage
        if event.elapsed is not None:  # the line shows its own clock
            message = _TRAILING_SECONDS.sub("", message)
        if event.done is not None and event.total:
            message += f" [{event.done}/{event.total}]"
        self.message = message
        self._refresh()

    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def _refresh(self) -> None:
        self.text.setText(
            tr(
                "{message} · {elapsed}",
                message=self.message,
                elapsed=format_elapsed(self.elapsed()),
            )
        )

    def stop(self) -> None:
        self._tick.stop()
        self.hide()


class HistorySidebar(QWidget):
    """Search field and the list of past exchanges; asks the window to run the queries."""

    query_changed = Signal(str)  # debounced; "" means "the latest"
    exchange_chosen = Signal(int)
    new_chat_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("Search history…"))
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        layout.addWidget(self.list, 1)
        self.new_chat = QPushButton(tr("New chat"))
        layout.addWidget(self.new_chat)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(lambda: self.query_changed.emit(self.search.text().strip()))
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._search_now)
        self.list.itemActivated.connect(self._chosen)
        self.list.itemClicked.connect(self._chosen)
        self.new_chat.clicked.connect(self.new_chat_clicked)

    def _search_now(self) -> None:
        self._debounce.stop()
        self.query_changed.emit(self.search.text().strip())

    def _chosen(self, item: QListWidgetItem) -> None:
        exchange_id = item.data(Qt.ItemDataRole.UserRole)
        if exchange_id is not None:
            self.exchange_chosen.emit(int(exchange_id))

    def show_exchanges(self, exchanges: list[Exchange], *, searching: bool) -> None:
        self.list.clear()
        if not exchanges:
            placeholder = QListWidgetItem(tr("No matches.") if searching else tr("No history yet."))
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(placeholder)
            return
        # two lines per item; CJK fallback glyphs are taller than the UI font says
        line = self.list.fontMetrics().lineSpacing()
        item_height = int(line * 2 * 1.3) + 8
        for exchange in exchanges:
            first_line = exchange.input_text.strip().splitlines()[0] if exchange.input_text else ""
            when = exchange.created_at[:16].replace("T", " ")
            item = QListWidgetItem(f"{first_line[:60]}\n{exchange.skill or '?'} · {when}")
            item.setData(Qt.ItemDataRole.UserRole, exchange.id)
            item.setToolTip(exchange.input_text[:500])
            item.setSizeHint(QSize(0, item_height))
            self.list.addItem(item)

    def shown_ids(self) -> list[int]:
        ids = []
        for row in range(self.list.count()):
            value = self.list.item(row).data(Qt.ItemDataRole.UserRole)
            if value is not None:
                ids.append(int(value))
        return ids


def _read_latest(app: App, limit: int) -> list[Exchange]:
    with app.history.write_lock:  # one shared connection: never read mid-transaction
        return app.history.list(limit)


def _read_search(app: App, query: str, limit: int) -> list[Exchange]:
    with app.history.write_lock:
        return app.history.search(query, limit)


def _read_one(app: App, exchange_id: int) -> Exchange | None:
    with app.history.write_lock:
        return app.history.get(exchange_id)


class ChatWindow(QMainWindow):
    busy_changed = Signal(bool)
    # {"status": ok|error|cancelled|needs_confirmation, "text", "skill", "elapsed", "input"}
    exchange_finished = Signal(dict)
    confirmation_finished = Signal(dict)  # {"ok": bool, "text": str}
    history_shown = Signal(list)  # ids now listed in the sidebar
    talk_requested = Signal()
    words_learned = Signal(list)  # vocabulary words added from a typed correction
    recurring_checked = Signal()  # the day's recurring entries were looked at (cards shown)

    def __init__(
        self,
        app: App,
        runner: TaskRunner,
        *,
        voice_available: bool = False,
        requests: RequestController | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.runner = runner
        self.requests = requests or RequestController(app, runner, self)
        self.requests.started.connect(self._on_started)
        self.requests.event.connect(self._show_event)
        self.requests.finished.connect(self._on_run_finished)
        self.requests.busy_changed.connect(self._on_busy)
        self.setWindowTitle(tr("Ting — Chat"))
        self.setStyleSheet(WINDOW_STYLE)
        self.resize(900, 640)
        self._answer: AnswerCard | None = None
        self._skill = ""  # the skill the running request was routed to
        self._history_query = ""
        self._correcting: str | None = None  # the transcript being typed over (Correct)
        self._recurring_checked: Any = None  # the day recurring entries were last looked at

        self.sidebar = HistorySidebar()
        self.sidebar.query_changed.connect(self.refresh_history)
        self.sidebar.exchange_chosen.connect(self.show_past_exchange)
        self.sidebar.new_chat_clicked.connect(self.new_chat)

        self.conversation_host = QWidget()
        self.conversation_host.setObjectName("Conversation")
        self.conversation_layout = QVBoxLayout(self.conversation_host)
        self.conversation_layout.setContentsMargins(12, 12, 12, 12)
        self.conversation_layout.setSpacing(8)
        self.conversation_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.conversation_host)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        bar = self.scroll.verticalScrollBar()
        self._follow = True
        bar.valueChanged.connect(lambda v: setattr(self, "_follow", v >= bar.maximum() - 4))
        bar.rangeChanged.connect(lambda _lo, hi: bar.setValue(hi) if self._follow else None)

        self.progress = ProgressLine()
        self.progress.cancel_clicked.connect(self.cancel_running)

        self.input = QLineEdit()
        self.input.setPlaceholderText(tr("Ask anything, or tell Ting what you spent…"))
        self.input.returnPressed.connect(self._send_typed)
        self.send_button = QPushButton(tr("Send"))
        self.send_button.clicked.connect(self._send_typed)
        self.talk_button = QPushButton(state_icon("listening"), tr("Talk"))
        self.talk_button.setEnabled(voice_available)
        if not voice_available:
            self.talk_button.setToolTip(tr("Voice input is not available in this build."))
        self.talk_button.clicked.connect(self.talk_requested)
        input_row = QHBoxLayout()
        input_row.setContentsMargins(8, 4, 8, 8)
        input_row.addWidget(self.input, 1)
        input_row.addWidget(self.talk_button)
        input_row.addWidget(self.send_button)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(0)
        right_layout.addWidget(self.scroll, 1)
        right_layout.addWidget(self.progress)
        right_layout.addLayout(input_row)

        splitter = QSplitter()
        splitter.addWidget(self.sidebar)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([250, 650])
        self.setCentralWidget(splitter)
        self.setAcceptDrops(True)  # a bill dropped on the window is imported (after a card)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.cancel_running)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.sidebar.search.setFocus)

    # -- requests ----------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.requests.busy

    def _send_typed(self) -> None:
        text = self.input.text().strip()
        if text and not self.busy:
            self.input.clear()
            heard, self._correcting = self._correcting, None
            if heard is not None and heard != text:
                self._learn_corrections(heard, text)
            self.submit(text, origin="typed")

    def correct_heard(self, heard: str) -> None:
        """The Correct button of a voice request: its transcript into the input, to be
        typed over; on Send the words fixed go into the vocabulary."""
        self._correcting = heard
        self.input.setText(heard)
        self.input.setFocus()

    def _learn_corrections(self, heard: str, typed: str) -> None:
        from voice.spoken_correction import typed_corrections

        words = typed_corrections(heard, typed)
        if not words:
            return

        def add() -> list[str]:
            from voice.vocabulary import VocabularyStore

            store = VocabularyStore(self.app.history)
            return [w for w in words if store.add(w)[1]]

        self.runner.call(
            add,
            "add corrected words",
            on_success=self.words_learned.emit,
            on_failure=lambda _message: None,
        )

    def submit(
        self,
        text: str,
        origin: str = "typed",
        *,
        options: dict[str, Any] | None = None,
        skill: str | None = None,
    ) -> bool:
        """Run ``text`` through the runtime; False if a task is already running."""
        return self.requests.submit(text, origin, options=options, skill=skill)

    def _on_started(self, request: Request) -> None:
        if self.requests.shown_elsewhere:
            return  # dictation or an edit of the selection: not a chat
        bubble = UserBubble(request.text, request.origin)
        bubble.correct_requested.connect(self.correct_heard)
        self._add_widget(bubble)
        self._answer = None
        self._skill = ""

    def _on_busy(self, busy: bool) -> None:
        if busy:
            self.send_button.setEnabled(False)
            self.progress.start()
        else:
            self.progress.stop()
            self.send_button.setEnabled(True)
        self.busy_changed.emit(busy)

    def import_file(self, path: str) -> bool:
        """Preview the import of a bill file as a card; False if a task is running."""
        if self.busy:
            return False
        name = path.rsplit("/", 1)[-1]
        return self.submit(
            tr("Import {file}", file=name),
            options={"intent": "import_bills", "path": path},
            skill="bookkeeping",
        )

    def dragEnterEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        if _dropped_files(event):
            event.acceptProposedAction()

    def dropEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        files = _dropped_files(event)
        if files:
            event.acceptProposedAction()
            self.import_file(files[0])

    def cancel_running(self) -> None:
        if self.busy:
            self.requests.cancel()
            self.progress.cancel_button.setEnabled(False)

    def _answer_card(self) -> AnswerCard:
        if self._answer is None:
            self._answer = AnswerCard(self._skill)
            self._add_widget(self._answer)
        return self._answer

    def set_listening(self, listening: bool) -> None:
        """The Talk button follows the voice session: Stop while it listens."""
        self.talk_button.setText(tr("Stop") if listening else tr("Talk"))

    def _show_event(self, event: Event) -> None:
        if self.requests.shown_elsewhere:
            return
        if isinstance(event, Progress):
            if event.stage == "routed":
                self._skill = event.message.split(" ", 1)[0]
            self.progress.update_progress(event)
        elif isinstance(event, Delta):
            self._answer_card().append_delta(event.text)
        elif isinstance(event, Result):
            card = self._answer_card()
            card.set_text(event.text or card.markdown)
            chart = event.payload.get("chart_png") if isinstance(event.payload, dict) else None
            if isinstance(chart, str) and chart:
                card.add_chart(chart)
        elif isinstance(event, NeedsConfirmation):
            if self._answer is not None:
                self._answer.set_text(self._answer.markdown)
            confirmation = card_for(event)
            confirmation.decided.connect(
                lambda ok, data, c=confirmation: self._on_decision(c, ok, data)
            )
            self._add_widget(confirmation)
        elif isinstance(event, Failed):
            cancelled = event.kind == "cancelled"
            self._answer_card().set_error(tr("Cancelled.") if cancelled else event.error)

    def _on_run_finished(self, outcome: dict[str, Any]) -> None:
        self.exchange_finished.emit(outcome)
        self.refresh_history(self._history_query)

    # -- confirmation ------------------------------------------------------------------

    def _on_decision(self, card: ConfirmationCard, confirmed: bool, data: dict) -> None:
        if not confirmed:
            self.confirmation_finished.emit({"ok": False, "text": "", "discarded": True})
            return
        if self.busy:
            card.show_outcome(tr("Working…"), ok=False)
            return
        outcome: dict[str, Any] = {"ok": True, "text": ""}

        def on_event(ev: Event) -> None:
            if isinstance(ev, Result):
                outcome["text"] = ev.text
            elif isinstance(ev, Failed):
                outcome.update(ok=False, text=ev.error)
            elif isinstance(ev, Progress):
                self.progress.update_progress(ev)

        def on_finished() -> None:
            card.show_outcome(outcome["text"], outcome["ok"])
            self.confirmation_finished.emit(outcome)
            self.refresh_history(self._history_query)

        self.requests.confirm(card.proposal, data, on_event=on_event, on_finished=on_finished)

    # -- history -----------------------------------------------------------------------

    def refresh_history(self, query: str = "") -> None:
        self._history_query = query
        app = self.app

        def shown(exchanges: list[Exchange]) -> None:
            if query != self._history_query:
                return  # a newer query was typed meanwhile
            self.sidebar.show_exchanges(exchanges, searching=bool(query))
            self.history_shown.emit([e.id for e in exchanges])

        def failed(message: str) -> None:
            if query == self._history_query:
                self.sidebar.show_exchanges([], searching=True)
                self.sidebar.list.item(0).setText(message)
                self.history_shown.emit([])

        if query:
            self.runner.call(
                lambda: _read_search(app, query, HISTORY_LIMIT),
                "history search",
                on_success=shown,
                on_failure=failed,
            )
        else:
            self.runner.call(
                lambda: _read_latest(app, HISTORY_LIMIT),
                "history list",
                on_success=shown,
                on_failure=failed,
            )

    def show_past_exchange(self, exchange_id: int) -> None:
        app = self.app

        def shown(exchange: Exchange | None) -> None:
            if exchange is None:
                return
            bubble = UserBubble(exchange.input_text, exchange.origin)
            bubble.correct_requested.connect(self.correct_heard)
            self._add_widget(bubble)
            when = exchange.created_at[:19].replace("T", " ")
            card = AnswerCard(f"{exchange.skill or '?'} · {exchange.status} · {when}")
            card.set_text(exchange.output_text or "")
            if exchange.error:
                card.set_error(exchange.error)
            self._add_widget(card)

        self.runner.call(lambda: _read_one(app, exchange_id), "history get", on_success=shown)

    def new_chat(self) -> None:
        if self.busy:
            return
        self.requests.conversation.clear()
        while self.conversation_layout.count() > 1:
            item = self.conversation_layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        self.input.setFocus()

    # -- layout ------------------------------------------------------------------------

    def _add_widget(self, widget: QWidget) -> None:
        self._follow = True
        self.conversation_layout.insertWidget(self.conversation_layout.count() - 1, widget)

    def showEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self.refresh_history(self._history_query)
        self.check_recurring()
        self.input.setFocus()

    def check_recurring(self) -> None:
        """Once a day: recurring entries whose day has come ("每月一号房租") as cards.

        Asked of the skill directly (a proposal writes nothing), so that opening the
        window does not put a "recurring due" exchange in the history every day."""
        import datetime as dt

        today = dt.date.today()
        if self._recurring_checked == today or not self.app.registry.has("bookkeeping"):
            return
        self._recurring_checked = today
        self.runner.call(
            lambda: _due_proposals(self.app),
            "recurring due",
            writes=True,  # the ledger's tables may be created on first use
            on_success=self._show_due,
            on_failure=lambda _message: self.recurring_checked.emit(),
        )

    def _show_due(self, proposals: list[NeedsConfirmation]) -> None:
        for event in proposals:
            confirmation = card_for(event)
            confirmation.decided.connect(
                lambda ok, data, c=confirmation: self._on_decision(c, ok, data)
            )
            self._add_widget(confirmation)
        self.recurring_checked.emit()


CHART_WIDTH = 560  # the chat column; the skill draws its charts 800 px wide


def chart_label(png: bytes, parent: QWidget | None = None) -> QLabel:
    """A chart the skill drew (PNG bytes in its answer) as a picture in the chat."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPixmap

    picture = QPixmap()
    picture.loadFromData(png, "PNG")
    if picture.width() > CHART_WIDTH:
        picture = picture.scaledToWidth(CHART_WIDTH, Qt.TransformationMode.SmoothTransformation)
    label = QLabel(parent)
    label.setPixmap(picture)
    return label


def _due_proposals(app: App) -> list[NeedsConfirmation]:
    from assistant.skill import Request

    with app.history.write_lock:  # one shared connection: never read mid-transaction
        request = Request(
            text="recurring due",
            origin="typed",
            skill="bookkeeping",
            options={"intent": "recurring_due"},
        )
        skill = app.registry.get("bookkeeping")
        events = skill.run(request, app.make_context())
        return [e for e in events if isinstance(e, NeedsConfirmation)]


def _dropped_files(event: Any) -> list[str]:
    """Local files in a drag (a bill dragged from the file manager)."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and u.toLocalFile()]
