"""Building one interpreter session from the app: the one place its parts are wired.

The recognizer (loaded and primed before any audio flows, so real-time replay is not
held up by the model load), at real-time pace a second copy of the model for partial
transcripts (loaded in the background at low priority, see ``partials.py``), the audio
source, the translation worker over the provider (one try per request: the worker does
its own retrying), the speaker and the history recorder.

``build_session`` is what ``ting interpret`` runs; ``run_desktop_session`` is the
desktop window's session, which shares the microphone stream the push-to-talk keeps open.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import ProviderNotConfigured
from skills.translation.interpreter.pipeline import Emit, InterpreterSession, SessionRecorder
from voice.asr import LIVE_DECODING

if TYPE_CHECKING:
    from assistant.cancel import CancelToken
    from skills.translation.interpreter.transcript import BilingualTranscript
    from skills.translation.interpreter.translation_worker import SourceSentence

WORKER_REQUEST_TIMEOUT_S = 20.0


def build_session(
    app: Any,
    *,
    pair: tuple[str, str],
    input_file: str | None,
    fast: bool,
    speak: bool,
    speak_to: Path | None,
    device: str | None,
    drain_timeout_s: float,
    emit: Emit,
    microphone: Any = None,
) -> tuple[InterpreterSession, Callable[[], None]]:
    """``microphone``: an open ``voice.capture.MicrophoneStream`` to take the audio from
    (else ``device`` through sounddevice; ``input_file`` replays a file instead)."""
    from assistant.llm import RetryPolicy
    from assistant.skill import CancelToken
    from skills.translation.glossary import GlossaryStore
    from skills.translation.interpreter.audio_sources import (
        CaptureGate,
        FileReplay,
        Microphone,
        SharedMicrophone,
    )
    from skills.translation.interpreter.events import Listening
    from skills.translation.interpreter.translation_worker import (
        ProviderSentenceTranslator,
        TranslationWorker,
    )

    gate = CaptureGate()
    if input_file:
        from voice.audio_files import read_audio_file

        source: Any = FileReplay(
            read_audio_file(input_file),
            fast=fast,
            description=f"{Path(input_file).name}, {'fast' if fast else 'real-time'} replay",
        )
    else:
        source = Microphone(device or app.settings.input_device or None, gate=gate)
        if microphone is not None:
            source = SharedMicrophone(
                microphone,
                gate=gate,
                description=source.description,
                on_started=lambda: emit(Listening()),
            )

    recognizer = app.service("asr")
    recognizer.candidate_languages = pair
    recognizer.prime(LIVE_DECODING)  # loads the model the final decodes use
    partial_recognizer = None
    if not fast:
        from voice.asr import SpeechRecognizer

        partial_recognizer = SpeechRecognizer(
            recognizer.model_name,
            cache_dir=recognizer.cache_dir,
            cpu_threads=1,  # at most one core, and at nice 19: the final decode comes first
            vad=recognizer.vad,
            candidate_languages=pair,
        )

    startup_notices: list[str] = []
    llm = None
    try:
        llm = app.llm()
        llm.retry = RetryPolicy(attempts=1)
        llm.timeout_s = min(llm.timeout_s, WORKER_REQUEST_TIMEOUT_S)
        llm.warm_up()  # the built-in model loads while the speech model does
        import openai  # noqa: F401  (now, not in the first sentence's translation: ~0.5-1 s)
    except ProviderNotConfigured as exc:
        if "en" in pair:
            startup_notices.append(
                f"translation into English only, offline with Whisper: {exc.message} ({exc.hint})"
            )
        else:
            startup_notices.append(
                f"translation off: {exc.message}; showing the transcript only ({exc.hint})"
            )
    worker_cancel = CancelToken()
    glossary = GlossaryStore(app.history).list()

    def make_worker(on_translation: Callable[[SourceSentence, str], None]) -> Any:
        if llm is None:
            return None
        return TranslationWorker(
            ProviderSentenceTranslator(llm, glossary, worker_cancel),
            on_translation=on_translation,
            on_notice=lambda message: session.notice(message),
        )

    def translate_offline(audio: Any) -> str:
        from skills.translation.speech_translation import translate_speech_to_english

        return translate_speech_to_english(recognizer, audio, LIVE_DECODING).text

    def make_recorder(transcript: BilingualTranscript) -> SessionRecorder:
        return SessionRecorder(app.history, transcript, origin="cli" if input_file else "voice")

    speaker = None
    if speak:
        from skills.translation.interpreter.speech_output import (
            TranslationSpeaker,
            VoiceByLanguage,
        )

        speaker = TranslationSpeaker(
            VoiceByLanguage(),
            gate=gate,
            out_dir=speak_to,
            on_notice=lambda message: session.notice(message),
        ).start()

    def speak_translation(sentence: SourceSentence, translation: str) -> None:
        if speaker is not None:
            speaker.say(sentence.index, translation, sentence.target_lang)

    session = InterpreterSession(
        source=source,
        recognizer=recognizer,
        pair=pair,
        emit=emit,
        worker_factory=make_worker,
        recorder_factory=make_recorder,
        on_translation=speak_translation if speaker is not None else None,
        fast=fast,
        drain_timeout_s=drain_timeout_s,
        partial_recognizer=partial_recognizer,
        offline_translator=translate_offline if llm is None and "en" in pair else None,
    )
    for message in startup_notices:
        session.notice(message)

    def finish() -> None:
        worker_cancel.cancel()
        if speaker is not None:
            speaker.finish()

    return session, finish


def run_desktop_session(
    app: Any,
    *,
    pair: tuple[str, str],
    speak: bool,
    emit: Emit,
    cancel: CancelToken,
    microphone: Any = None,
    input_file: str | None = None,
    drain_timeout_s: float = 30.0,
) -> dict[str, Any]:
    """One session for the desktop window, run on the caller's thread until ``cancel``
    (what was heard is still transcribed and translated). The audio comes from
    ``microphone`` (the push-to-talk's open stream; without one, a stream of its own
    for the session) or ``input_file`` replayed at real time. ``Listening`` is emitted
    when the audio starts. Returns the outcome the window shows."""
    from skills.translation.interpreter.events import Listening

    own_stream = None
    if not input_file and microphone is None:
        from voice.capture import MicrophoneStream

        microphone = own_stream = MicrophoneStream(app.settings.input_device)
    try:
        session, finish = build_session(
            app,
            pair=pair,
            input_file=input_file,
            fast=False,
            speak=speak,
            speak_to=None,
            device=None,
            drain_timeout_s=drain_timeout_s,
            emit=emit,
            microphone=None if input_file else microphone,
        )
        if input_file:
            emit(Listening())
        try:
            transcript = session.run(cancel)  # a stop before this ends it at once
        finally:
            finish()
    finally:
        if own_stream is not None:
            own_stream.close()
    recorder = session.recorder
    return {
        "status": "ok",
        "sentences": len(transcript.sentences),
        "translated": transcript.translated_count,
        "id": recorder.exchange_id if recorder is not None else None,
        "transcript": transcript,
    }
