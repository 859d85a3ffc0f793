"""Dictation and edits of the selection in the desktop app: what the dictation and edit
keys start, carried to the runtime through the app's ``RequestController`` (one task at
a time, like any request) and shown in the voice bubble and the edit card, not in the
chat window.

* Dictation: when talking starts, the target window and the clipboard are looked at
  and saved on a worker (``TextOutput.prepare``), so that on release only the
  transcript and the paste are left; the text then runs as the ``dictation`` skill.
* Edit: the spoken instruction runs as the ``edit`` skill; the card shows the rewrite as
  it streams, then Replace / Copy / Cancel, and Undo after a Replace. Each choice runs
  as the skill's action through ``RequestController.confirm``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from assistant.events import Delta, Event, Failed, NeedsConfirmation, Result
from ui.i18n import tr

if TYPE_CHECKING:
    from assistant.frontend.app import App
    from ui.edit_card import EditCard
    from ui.request_controller import RequestController
    from ui.voice_overlay import VoiceOverlay
    from ui.workers import TaskRunner

log = logging.getLogger("ting.ui")

OUTCOMES = {
    "replace": ("replaced", "Replaced. One Undo puts the original back."),
    "copy": ("copied", "Copied: paste it where you want it."),
    "undo": ("undone", "Undone: the original is back."),
}


class InsertionController(QObject):
    def __init__(
        self,
        app: App,
        runner: TaskRunner,
        requests: RequestController,
        overlay: Callable[[], VoiceOverlay],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.app = app
        self.runner = runner
        self.requests = requests
        self.overlay = overlay
        self.card: EditCard | None = None
        self.last_typed = ""  # what dictation typed last: a space goes before more English
        self.proposal: NeedsConfirmation | None = None
        self._prepared: Any = None
        self._preparing = False
        self._pending_text: str | None = None
        self._kind = ""  # dictate | edit: what the running request is
        self._pending_choice = ""  # a card button pressed before the last run ended
        self._confirming = False  # a card action (replace, copy, undo) is running
        requests.event.connect(self._request_event)
        requests.finished.connect(self._request_finished)

    # -- dictation ---------------------------------------------------------------------

    def dictation_started(self) -> None:
        """The dictation key went down: learn the target and save the clipboard now."""
        self._prepared = None
        self._preparing = True

        def prepare() -> Any:
            output = self.app.service("text_output")
            output.warm()
            return output.prepare()

        def prepared(result: Any) -> None:
            self._prepared = result
            self._finish_preparing()

        def failed(message: str) -> None:  # inserting tries again and reports what fails
            log.info("could not look at the target before dictating: %s", message)
            self._finish_preparing()

        self.runner.call(
            prepare, "look at the target window", on_success=prepared, on_failure=failed
        )

    def _finish_preparing(self) -> None:
        self._preparing = False
        if self._pending_text is not None:
            text, self._pending_text = self._pending_text, None
            self._submit_dictation(text)

    def dictated(self, text: str) -> None:
        """The dictated words, heard: type them (once the target was looked at)."""
        if self._preparing:
            self._pending_text = text
            return
        self._submit_dictation(text)

    def _submit_dictation(self, text: str) -> None:
        prepared, self._prepared = self._prepared, None
        options = {"shown_elsewhere": "dictation", "after": self.last_typed, "prepared": prepared}
        if not self.requests.submit(text, origin="voice", skill="dictation", options=options):
            self.overlay().set_result(
                tr("Still working on the last request; try again."), error=True
            )
            return
        self._kind = "dictate"

    # -- editing the selection ---------------------------------------------------------

    def edit_card(self) -> EditCard:
        if self.card is None:
            from ui.edit_card import EditCard

            self.card = EditCard()
            self.card.chosen.connect(self._chosen)
        return self.card

    def edit(self, instruction: str, selection: str = "primary") -> bool:
        """Rewrite the selection as ``instruction`` says; the card shows the rest."""
        if not instruction.strip():
            return False
        options = {"shown_elsewhere": "edit", "selection": selection}
        if not self.requests.submit(instruction, origin="voice", skill="edit", options=options):
            self.overlay().set_result(
                tr("Still working on the last request; try again."), error=True
            )
            return False
        self._kind = "edit"
        self.proposal = None
        self.overlay().hide()
        self.edit_card().start(instruction)
        return True

    def _chosen(self, choice: str) -> None:
        card = self.edit_card()
        if choice == "close":
            return
        if choice == "cancel":
            if self.requests.busy and self._kind == "edit":
                self.requests.cancel()
            self.proposal = None
            return
        proposal = self.proposal
        if proposal is None:
            return
        if self.requests.busy and (self._kind == "edit" or self._confirming):
            # the proposal (or the last action's result) came; its run ends in a moment
            self._pending_choice = choice
            return
        action = NeedsConfirmation(proposal.skill, choice, proposal.preview, proposal.data)
        state, message = OUTCOMES[choice]

        def on_event(event: Event) -> None:
            if isinstance(event, Result):
                card.show_outcome(state, tr(message))
            elif isinstance(event, Failed):
                card.show_outcome("failed", event.error)

        def on_finished() -> None:
            self._confirming = False
            self._run_pending_choice()

        self._confirming = True
        if not self.requests.confirm(
            action, proposal.data, on_event=on_event, on_finished=on_finished
        ):
            self._confirming = False
            card.show_outcome("failed", tr("Still working on the last request; try again."))

    # -- the running request -------------------------------------------------------------

    def _request_event(self, event: Event) -> None:
        kind = (
            self.requests.current.options.get("shown_elsewhere") if self.requests.current else None
        )
        if kind == "dictation":
            self._dictation_event(event)
        elif kind == "edit":
            self._edit_event(event)

    def _dictation_event(self, event: Event) -> None:
        overlay = self.overlay()
        if isinstance(event, Result):
            payload = event.payload or {}
            if "deleted" in payload:
                self.last_typed = ""
                overlay.set_result(event.text)
            else:
                self.last_typed = str(payload.get("typed") or self.last_typed)
                overlay.set_result(event.text)
                overlay.status.setText(tr("Typed"))
        elif isinstance(event, Failed):
            overlay.set_result(event.error, error=True)

    def _edit_event(self, event: Event) -> None:
        card = self.edit_card()
        if isinstance(event, Delta):
            card.append(event.text)
        elif isinstance(event, NeedsConfirmation):
            self.proposal = event
            card.set_original(str(event.data.get("original") or ""))
            card.propose(event.preview)
        elif isinstance(event, Failed):
            card.show_outcome("failed", event.error)

    def _request_finished(self, outcome: dict[str, Any]) -> None:
        self._kind = ""
        self._run_pending_choice()

    def _run_pending_choice(self) -> None:
        choice, self._pending_choice = self._pending_choice, ""
        if choice:
            self._chosen(choice)
