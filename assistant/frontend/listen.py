"""``ting listen``: a terminal push-to-talk loop.

Enter starts and stops talking (a terminal sees no key-up, so Enter always toggles);
the global hotkey, where pynput works, follows ``hotkey_mode`` (hold: talk while held;
toggle: press to start, press to stop); ``ting trigger`` toggles over the local socket.
Each transcript is printed and handed to the router and skill, as ``ting ask`` does.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from assistant.cli_kit import emit_json
from assistant.errors import TingError

if TYPE_CHECKING:
    from assistant.frontend.app import App
    from voice.asr import Transcript


@dataclass(frozen=True)
class _Fatal:
    """An error that ends the session (the model could not be loaded)."""

    error: BaseException


@dataclass
class ListenOptions:
    language: str = "auto"
    mode: str = "hold"
    hotkey: str = ""
    use_hotkey: bool = True
    route: bool = True
    as_json: bool = False
    once: bool = False
    assume_yes: bool = False


class ListenSession:
    def __init__(self, options: ListenOptions, app: App) -> None:
        self.options = options
        self.app = app
        self._heard: queue.Queue[tuple[Transcript, float] | BaseException | _Fatal | None] = (
            queue.Queue()
        )
        self.talk: Any = None
        self._print_lock = threading.Lock()
        self._last_heard: str | None = None  # for a spoken correction of it

    # -- output ----------------------------------------------------------------------

    def say(self, kind: str, text: str = "", **extra: Any) -> None:
        with self._print_lock:
            if self.options.as_json:
                emit_json(
                    {"type": kind, **({"text": text} if text or kind == "heard" else {}), **extra}
                )
            elif kind == "heard":
                fixed = ", ".join(f"{c['heard']}→{c['word']}" for c in extra.get("corrections", []))
                click.echo(
                    (f"heard: {text}" if text else "heard nothing")
                    + (f"  (corrected: {fixed})" if fixed else "")
                )
            elif kind == "corrected":
                click.echo(f"corrected: {text}  ({extra['message']})")
            elif kind == "partial":
                click.echo(f"… {text}", err=True)
            elif text:
                click.echo(text, err=True)

    # -- run -------------------------------------------------------------------------

    def run(self) -> int:
        from assistant.frontend.trigger_server import TriggerServer
        from voice.capture import MicrophoneStream
        from voice.push_to_talk import PushToTalk

        app = self.app
        settings = app.settings
        recognizer = app.service("asr")
        recognizer.model_folder()  # missing or damaged model files: one line, before anything
        recognizer.warm()  # loads in the background while the user can already talk
        stream = MicrophoneStream(settings.input_device).open()
        self.talk = PushToTalk(
            recognizer,
            stream,
            language=self.options.language or settings.asr_language,
            on_heard=lambda t, latency: self._heard.put((t, latency)),
            on_partial=lambda text: self.say("partial", text),
            on_state=lambda state: self.say("state", state=state),
            on_error=self._heard.put,
        )
        server = self._start_trigger_server(TriggerServer)
        hotkey = self._start_hotkey(settings) if self.options.use_hotkey else None
        try:
            assert stream.device is not None
            self.say(
                "ready",
                f"listening on {stream.device.name}: press Enter to talk, "
                "Enter again to stop (Ctrl+D quits)",
                device=stream.device.name,
                model="ready" if recognizer.loaded else "loading",
            )
            threading.Thread(
                target=self._watch_warm, args=(recognizer,), name="ting-warm-watch", daemon=True
            ).start()
            return self._loop(app)
        finally:
            if hotkey is not None:
                hotkey.stop()
            if server is not None:
                server.close()
            stream.close()

    def _watch_warm(self, recognizer: Any) -> None:
        """Say when the model is ready; a model that fails to load ends the session."""
        started = time.perf_counter()
        try:
            recognizer.wait_warm()
        except BaseException as exc:
            self._heard.put(_Fatal(exc))
            return
        self.say("model", "speech model ready", seconds=round(time.perf_counter() - started, 2))

    def _start_trigger_server(self, server_class: Callable[..., Any]) -> Any:
        try:
            return server_class(self._on_command).start()
        except TingError as exc:
            self.say("warning", f"ting trigger will not reach this session: {exc.user_message()}")
            return None

    def _start_hotkey(self, settings: Any) -> Any:
        from voice.hotkey import GlobalHotkey

        combo = self.options.hotkey or settings.hotkey
        mode = self.options.mode or settings.hotkey_mode
        if mode == "hold":
            hotkey = GlobalHotkey(combo, self.talk.press, self.talk.release)
        else:
            hotkey = GlobalHotkey(combo, self.talk.toggle)
        try:
            hotkey.start()
        except TingError as exc:
            self.say("warning", exc.user_message())
            return None
        self.say(
            "hotkey",
            f"hotkey {combo} ({mode}, through {hotkey.backend})",
            hotkey=combo,
            mode=mode,
            backend=hotkey.backend,
        )
        return hotkey

    def _on_command(self, command: str) -> dict[str, Any]:
        import os

        if command == "status":
            return {"running": True, "state": self.talk.state, "pid": os.getpid(), "app": "listen"}
        if command == "trigger":
            state = self.talk.toggle()
            return {"ok": True, "state": state}
        if command == "quit":
            self._heard.put(None)
            return {"ok": True}
        return {"ok": False, "error": f"{command} is not supported by ting listen"}

    def _stdin_reader(self) -> None:
        for _line in sys.stdin:
            self.talk.toggle()
        self._heard.put(None)  # end of input

    def _loop(self, app: Any) -> int:
        threading.Thread(target=self._stdin_reader, name="ting-stdin", daemon=True).start()
        code = 0
        while True:
            item = self._heard.get()
            if item is None:
                if self.talk.state == "listening":
                    self.talk.release()
                    item = self._heard.get()
                if item is None:
                    return code
            if isinstance(item, _Fatal):
                raise item.error
            if isinstance(item, BaseException):
                if isinstance(item, TingError):
                    self.say("error", item.user_message())
                    code = item.exit_code
                    if self.options.once:
                        return code
                    continue
                raise item
            transcript, latency = item
            self.say(
                "heard",
                transcript.text,
                language=transcript.language,
                duration=round(transcript.duration, 3),
                latency_ms=round(latency * 1000),
                **(
                    {"raw_text": transcript.raw_text, "corrections": transcript.corrections}
                    if transcript.corrections
                    else {}
                ),
            )
            if transcript.text:
                corrected = self._corrected(app, transcript.text)
                if corrected is None and self.options.route:
                    code = self._run_request(app, transcript.text, _heard(transcript))
                self._last_heard = corrected or transcript.text
            if self.options.once:
                return code

    def _corrected(self, app: Any, text: str) -> str | None:
        """A spoken correction of the last thing heard ("不对，是滨海新区"): its word
        goes into the vocabulary instead of to the router (voice.spoken_correction);
        returns the last transcript corrected."""
        from voice.spoken_correction import take_correction

        correction = take_correction(app.history, text, self._last_heard)
        if correction is None:
            return None
        self.say(
            "corrected",
            correction.corrected_text,
            word=correction.word,
            heard=correction.heard,
            added=not correction.not_kept,
            message=(
                f"could not add {correction.word} to the vocabulary: {correction.not_kept}"
                if correction.not_kept
                else f"added {correction.word} to the vocabulary"
            ),
        )
        return correction.corrected_text

    def _run_request(self, app: Any, text: str, heard: dict[str, Any] | None = None) -> int:
        from assistant.console import EventPrinter, drive
        from assistant.skill import Request

        request = Request(text=text, origin="voice", options={"heard": heard} if heard else {})
        try:
            return drive(
                app.runtime.run(request),
                runtime=app.runtime,
                printer=EventPrinter(as_json=self.options.as_json),
                assume_yes=self.options.assume_yes,
                origin="voice",
            )
        except TingError as exc:
            self.say("error", exc.user_message())
            return exc.exit_code


def _heard(transcript: Transcript) -> dict[str, Any] | None:
    """What the history keeps of a transcript the vocabulary corrected: the text as heard
    and the corrections (None when nothing was corrected)."""
    if not transcript.corrections:
        return None
    return {"raw_text": transcript.raw_text, "corrections": transcript.corrections}
