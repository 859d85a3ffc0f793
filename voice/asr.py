"""Speech to text with faster-whisper, from local model files only.

``SpeechRecognizer`` loads the model lazily (``warm()`` loads it in a background
thread), gates audio on Silero VAD so that silence and noise give empty text, picks the
language (or takes the one it is told), asks for Simplified Chinese with an initial
prompt and converts any Traditional characters that still slip through, and drops the
lines Whisper is known to invent on silence.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import ModelFilesError, UsageError
from assistant.textmatch import without_punctuation
from voice.audio_files import SAMPLE_RATE, read_audio_file
from voice.model_files import resolve_model_folder

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    import numpy as np
    from faster_whisper import WhisperModel

    from assistant.config import Settings
    from voice.lm_choice import DecodeChooser

LANGUAGE_CHOICES = ("auto", "zh", "en")

# Said in Simplified Chinese so that Whisper keeps writing Simplified characters. Kept
# short: Whisper sometimes reads a prompt back on unclear audio, and such an echo is
# dropped (``is_prompt_echo``); a longer prompt was echoed more often.
SIMPLIFIED_CHINESE_PROMPT = "以下是普通话的句子。"

# Lines Whisper invents on silence, music or noise (from subtitle credits in its
# training data). Compared after lower-casing and removing spaces and punctuation; a
# segment containing one of these is dropped.
INVENTED_LINE_MARKERS = (
    "amaraorg",
    "字幕由",
    "字幕提供",
    "字幕志愿者",
    "中文字幕",
    "请不吝点赞",
    "点赞订阅",
    "订阅转发",
    "打赏支持",
    "明镜与点点栏目",
    "优优独播剧场",
    "thankyouforwatching",
    "thanksforwatching",
    "pleasesubscribe",
    "likeandsubscribe",
    "subscribetomychannel",
    "subtitlesby",
    "transcribedby",
)
# Short lines that are real speech sometimes but on their own, with a weak signal, are
# almost always invented.
INVENTED_WHEN_ALONE = ("you", "thankyou", "thanks", "bye", "谢谢", "谢谢观看", "谢谢大家")


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": round(self.start, 2), "end": round(self.end, 2), "text": self.text}


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    duration: float
    segments: list[Segment] = field(default_factory=list)
    # the homophone pass's replacements ({"heard", "word"}), and the text before them
    corrections: list[dict[str, Any]] = field(default_factory=list)
    raw_text: str | None = None
    # what the audio after this should be prompted with, when not ``text``: Whisper's own
    # decode, where the comparison (voice.lm_choice) kept another one. A prompt in the
    # decoder's own style keeps the next piece decoding as it would have; an unpunctuated
    # one made it drop sentences.
    prompt_text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "text": self.text,
            "language": self.language,
            "duration": round(self.duration, 3),
            "segments": [s.to_dict() for s in self.segments],
        }
        if self.corrections:
            out["raw_text"] = self.raw_text
            out["corrections"] = self.corrections
        return out


def _normalized(text: str) -> str:
    return without_punctuation(text.lower())


# Whisper sometimes says the whole sentence again after its end, in the silence the
# encoder window still holds ("to remove the participant … To remove the participant …":
# the second one from 4.0 s to 7.0 s of 4.19 s of audio). A segment that ends more than
# REPEAT_MARGIN_S past the end of the audio it was given, and either begins in its last
# REPEAT_MARGIN_S or says the segment before it again, is not speech; the first segment
# always stays.
REPEAT_MARGIN_S = 0.3


def is_invented_line(text: str) -> bool:
    """True for a line Whisper is known to make up (subtitle credits, 'thanks for watching')."""
    norm = _normalized(text)
    return any(marker in norm for marker in INVENTED_LINE_MARKERS)


def is_prompt_echo(text: str, prompt: str | None) -> bool:
    """True when a segment is only (a piece of) the prompt read back."""
    norm = _normalized(text)
    return bool(prompt) and bool(norm) and norm in _normalized(prompt or "")


_SAME_CHARACTER_RUN = re.compile(r"(\S)(?:\s*\1){5,}")
_SAME_PHRASE_RUN = re.compile(r"(\S.{1,23}?)(?:\s*\1){3,}")


def collapse_repetition(text: str) -> str:
    """Undo a decoding loop: one character six or more times in a row, or a phrase four
    or more times in a row, becomes one. Shorter real repetitions (谢谢谢谢) stay."""
    text = _SAME_CHARACTER_RUN.sub(r"\1", text)
    return _collapse_sentence_loop(_SAME_PHRASE_RUN.sub(r"\1", text).strip())


def _collapse_sentence_loop(text: str) -> str:
    """A run of three or more words said three or more times in a row is said once, and
    a cut-off start of it after the run is dropped: the decoder looping over a whole
    sentence inside one segment ("I'm sorry I did not understand your response I'm sorry
    I did not understand your response I'm sorry I did not…", up to its token bound),
    too long for ``_SAME_PHRASE_RUN``. Compared by words, O(words²)."""
    split = text.split()
    keys = [_normalized(w) for w in split]
    n = len(keys)
    for size in range(3, n // 3 + 1):
        for start in range(n - 3 * size + 1):
            phrase = keys[start : start + size]
            if keys[start + size : start + 2 * size] != phrase:
                continue
            if keys[start + 2 * size : start + 3 * size] != phrase:
                continue
            end = start + 3 * size
            while keys[end : end + size] == phrase:
                end += size
            rest = keys[end:]
            if rest == phrase[: len(rest)]:  # the loop cut off by the token bound
                end = n
            return " ".join(split[: start + size] + split[end:])
    return text


def to_simplified(text: str) -> str:
    """Traditional → Simplified characters only (no regional word swaps)."""
    import zhconv

    return zhconv.convert(text, "zh-hans")


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def join_segment_texts(texts: list[str]) -> str:
    """Join segments: no space between two CJK ends, one space otherwise."""
    out = ""
    for raw in texts:
        piece = raw.strip()
        if not piece:
            continue
        if out and not (_CJK.match(out[-1]) and _CJK.match(piece[0])):
            out += " "
        out += piece
    return out


# How far a segment may reach past a cut and still count as ending before it: Whisper
# puts a sentence's edges up to a second apart in two decodes of the same audio (more
# where the window holds silence).
PIECE_EDGE_S = 1.0


def compared_pieces(
    decodes: list[list[Segment]], pauses: list[float] = ()
) -> list[list[list[Segment]]]:
    """Decodes of the same audio cut where all of them agree a sentence ends: at a pause
    (``pauses``: times between speech regions) or a segment's end, where no segment of
    any decode runs on more than ``PIECE_EDGE_S`` to either side. Each piece holds every
    decode's segments for that stretch (``[piece][decode] -> segments``, a segment in
    the piece that holds its middle), so one decode's words can be weighed against
    another's for the same sentences, even when a decode dropped or split them. Every
    piece holds some of the first decode's segments."""
    times = sorted({round(t, 2) for t in pauses} | {round(s.end, 2) for d in decodes for s in d})
    cuts: list[float] = []
    for t in times:
        across = any(s.start + PIECE_EDGE_S < t < s.end - PIECE_EDGE_S for d in decodes for s in d)
        if not across and (not cuts or t - cuts[-1] >= PIECE_EDGE_S):
            cuts.append(t)
    pieces: list[list[list[Segment]]] = [[[] for _ in decodes] for _ in range(len(cuts) + 1)]
    for i, decode in enumerate(decodes):
        for seg in decode:
            middle = (seg.start + seg.end) / 2
            pieces[sum(1 for t in cuts if t < middle)][i].append(seg)
    # a stretch the first decode has nothing in goes with the stretch before it (or the
    # one after): another decode's sentence edge, not a sentence of its own
    merged: list[list[list[Segment]]] = []
    for piece in pieces:
        if merged and (not piece[0] or not merged[-1][0]):
            merged[-1] = [a + b for a, b in zip(merged[-1], piece, strict=True)]
        else:
            merged.append(piece)
    return [p for p in merged if any(p)]


@dataclass(frozen=True)
class VadSettings:
    """Silero VAD parameters used to gate speech before Whisper sees it."""

    threshold: float = 0.5
    min_speech_duration_ms: int = 200
    min_silence_duration_ms: int = 800
    speech_pad_ms: int = 300

    def options(self) -> Any:
        from faster_whisper.vad import VadOptions

        return VadOptions(
            threshold=self.threshold,
            min_speech_duration_ms=self.min_speech_duration_ms,
            min_silence_duration_ms=self.min_silence_duration_ms,
            speech_pad_ms=self.speech_pad_ms,
        )


def speech_chunks(audio: np.ndarray, vad: VadSettings | None = None) -> list[dict[str, int]]:
    """Silero VAD speech regions as ``{"start", "end"}`` sample indices (16 kHz)."""
    from faster_whisper.vad import get_speech_timestamps

    if audio.size < SAMPLE_RATE // 10:
        return []
    return get_speech_timestamps(audio, (vad or VadSettings()).options())


@dataclass(frozen=True)
class DecodeProfile:
    """How hard to search, how short the encoder window may get (see trimmed_encoder),
    and on how many CPU threads."""

    beam_size: int
    min_window_s: float
    # Temperatures to fall back on when a decode looks like a loop (compression ratio)
    # or is unsure; each fallback is a full decode again, so live decoding allows fewer.
    temperatures: tuple[float, ...] = (0.0, 0.4, 0.8)
    # At most this many threads (None: the recognizer's cpu_threads). A thread count is
    # fixed when CTranslate2 loads a model, so each count is its own loaded model.
    threads: int | None = None
    # How many decodes may run at once (CTranslate2 workers, fixed at load like threads;
    # a call beyond them waits). Live decoding has two: the draft made the moment the
    # voice stops must not wait behind a partial still decoding.
    workers: int = 1
    # whether a decode that sounds like vocabulary words is decoded again with them in
    # the prompt (a second decoder pass over the same encoder output)
    vocabulary_decode: bool = True
    # English decoded at each of these window floors and the text most of them agree
    # on kept (see FILE_DECODING); empty: once, at min_window_s
    english_windows_s: tuple[float, ...] = ()
    # Mandarin of one window or less is also decoded the way plain faster-whisper does
    # (the whole audio, 30 s window, no prompt) with each of these beam sizes, and the
    # built-in language model keeps the likeliest decode (voice.lm_choice); longer
    # Mandarin is decoded so without the prompt and judged sentence by sentence
    # (SpeechRecognizer._choose_decode); empty: not
    compare_decodes: tuple[int, ...] = ()
    # their fallback temperatures (plain faster-whisper's by default)
    compare_temperatures: tuple[float, ...] = (0.0, 0.4, 0.8)
    # comparing costs more than the path may spend (a person waits for push-to-talk,
    # dictation and the interpreter's sentences; a meeting has a real-time factor to
    # keep): compared only when the user chose to (SpeechRecognizer.compare_everywhere)
    compare_when_asked: bool = False

    @property
    def min_window_frames(self) -> int:
        return int(self.min_window_s * 100)

    def window_frames(self, window_s: float | None = None) -> int:
        return int((window_s or self.min_window_s) * 100)


# English files: a borderline decode flips with the window floor and with CTranslate2's
# CPU kernels, and no single floor was right everywhere; the text that decodes at two of
# three floors agree on was. Files have no latency target. Mandarin keeps one decode at
# 10 s, which did better than 30 s or the vote on the Mandarin dev clips.
FILE_DECODING = DecodeProfile(
    beam_size=5, min_window_s=10.0, english_windows_s=(10.0, 20.0, 30.0), compare_decodes=(5, 1)
)
# A meeting's chunks: up to 28 s of speech, several sentences, judged sentence by
# sentence. Comparing them raised the real-time factor from ~0.2 to ~0.3-0.37 with one
# greedy decode (bench/README.md), over the 0.25 meetings are held to: only when asked.
MEETING_DECODING = replace(
    FILE_DECODING,
    compare_decodes=(1,),
    compare_temperatures=(0.0,),
    compare_when_asked=True,
)
# One thread: on a window of a few seconds a second OpenMP thread buys nothing, and when
# another process keeps a core busy it makes every step wait for that core (a 30 s file
# window does gain from more: files keep them all). No temperature fallback: on whole
# commands it changed nothing, while a repeated sentence at the cut set it off and
# doubled the decode (the repeat itself is dropped, REPEAT_MARGIN_S). Two workers, so
# partial text and the draft made when the voice stops each have one. The figures are in
# bench/results_voice.md.
LIVE_DECODING = DecodeProfile(
    beam_size=1, min_window_s=5.0, temperatures=(0.0,), threads=1, workers=2
)
# The longest audio whose Mandarin decodes are judged as one text (_choose_decode): a
# sentence or two. Over several sentences the decodes differ in which sentences they
# kept, not only in words, and the model cannot judge that (meetings came out worse
# compared whole: bench/README.md), so longer audio is judged piece by piece.
COMPARED_AUDIO_S = 15
# The live decodes whose text is kept (the draft made in a pause, the tail decoded at
# release, the interpreter's sentences), not the partial text shown while speaking.
# Comparing costs 2-3 s on two cores (bench/README.md), far over the key-release target
# and the interpreter's lag, so only when asked.
LIVE_FINAL_DECODING = replace(LIVE_DECODING, compare_decodes=(5, 1), compare_when_asked=True)


class SpeechRecognizer:
    """faster-whisper over a local CTranslate2 folder; loaded once, on first use."""

    def __init__(
        self,
        model: str = "base",
        *,
        cache_dir: Path | None = None,
        cpu_threads: int | None = None,
        vad: VadSettings | None = None,
        candidate_languages: tuple[str, ...] = ("zh", "en"),
    ) -> None:
        self.model_name = model
        self._cache_dir = cache_dir
        self.cpu_threads = cpu_threads or max(1, min(4, os.cpu_count() or 1))
        self.vad = vad or VadSettings()
        self.candidate_languages = candidate_languages
        # by (threads, workers): both are fixed when a model is loaded (see DecodeProfile)
        self._models: dict[tuple[int, int], WhisperModel] = {}
        self._lock = threading.Lock()
        self._decode_slots: dict[tuple[int, int], threading.BoundedSemaphore] = {}
        self._warm_thread: threading.Thread | None = None
        self._warm_error: BaseException | None = None
        # the personal vocabulary (voice.vocabulary): a callable giving the words
        self.vocabulary: Callable[[], list[str]] | None = None
        # compares Mandarin decodes (voice.lm_choice; DecodeProfile.compare_decodes),
        # in meetings and the decodes a person waits for too when compare_everywhere
        self.chooser: DecodeChooser | None = None
        self.compare_everywhere = False

    @classmethod
    def from_settings(
        cls, settings: Settings, *, cache_dir: Path | None = None
    ) -> SpeechRecognizer:
        from assistant.paths import database_path
        from voice.vocabulary import VocabularySource

        recognizer = cls(
            settings.asr_model, cache_dir=cache_dir, candidate_languages=settings.languages
        )
        recognizer.vocabulary = VocabularySource(database_path).words
        # (provider "remote": the user opted out of the built-in model and its weights)
        if settings.asr_compare_decodes != "off" and settings.provider != "remote":
            from voice.lm_choice import DecodeChooser

            recognizer.chooser = DecodeChooser.for_built_in_model(
                settings.local_model, recognizer.cpu_threads
            )
            recognizer.compare_everywhere = settings.asr_compare_decodes == "all"
        return recognizer

    def set_vocabulary(self, words: list[str] | None) -> None:
        """A fixed vocabulary (tests, benches); None: none."""
        fixed = list(words or [])
        self.vocabulary = (lambda: fixed) if fixed else None

    def vocabulary_words(self) -> list[str]:
        if self.vocabulary is None:
            return []
        try:
            return list(self.vocabulary())
        except Exception as exc:  # a broken database must not cost the user their words
            log.warning("the vocabulary could not be read: %s", exc)
            return []

    # -- loading -----------------------------------------------------------------------

    @property
    def cache_dir(self) -> Path:
        if self._cache_dir is None:
            from assistant.paths import model_cache_dir

            self._cache_dir = model_cache_dir()
        return self._cache_dir

    @property
    def loaded(self) -> bool:
        return bool(self._models)

    def model_folder(self) -> Path:
        return resolve_model_folder(self.model_name, self.cache_dir)

    def threads_for(self, profile: DecodeProfile | None = None) -> int:
        if profile is None or profile.threads is None:
            return self.cpu_threads
        return max(1, min(self.cpu_threads, profile.threads))

    def _model_key(self, profile: DecodeProfile | None) -> tuple[int, int]:
        return self.threads_for(profile), max(1, profile.workers if profile else 1)

    def load(self, profile: DecodeProfile | None = None) -> WhisperModel:
        """The model for ``profile`` (its threads and workers), loaded on the first call
        (thread-safe). Without a profile: one worker on all ``cpu_threads``."""
        key = self._model_key(profile)
        threads, workers = key
        model = self._models.get(key)
        if model is not None:
            return model
        with self._lock:
            if key not in self._models:
                folder = self.model_folder()
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                from voice.trimmed_encoder import TrimmedEncoderWhisper

                try:
                    loaded = TrimmedEncoderWhisper(
                        str(folder),
                        device="cpu",
                        compute_type="int8",
                        cpu_threads=threads,
                        num_workers=workers,
                        local_files_only=True,
                    )
                except (RuntimeError, ValueError, OSError) as exc:
                    raise ModelFilesError(
                        f"cannot load the Whisper model from {folder}: {exc}"
                    ) from None
                self._decode_slots[key] = threading.BoundedSemaphore(workers)
                self._models[key] = loaded
        return self._models[key]

    @contextmanager
    def decoding(
        self, profile: DecodeProfile | None = None, window_s: float | None = None
    ) -> Iterator[WhisperModel]:
        """The model for ``profile``, one of its workers held for one call (a call beyond
        ``profile.workers`` waits), its encoder window floor (``window_s``, else the
        profile's) set for this thread (trimmed_encoder)."""
        profile = profile or FILE_DECODING
        model = self.load(profile)
        with self._decode_slots[self._model_key(profile)]:
            model.min_frames = profile.window_frames(window_s)
            yield model

    def warm(self, profile: DecodeProfile | None = None) -> threading.Thread:
        """Load the model for ``profile`` (default: live decoding, what the app and
        ``ting listen`` warm it for) in a background thread; ``wait_warm()`` re-raises
        its error."""
        if self._warm_thread is None:
            profile = profile or LIVE_DECODING

            def run() -> None:
                try:
                    self.prime(profile)
                except BaseException as exc:  # kept and re-raised by wait_warm/first use
                    self._warm_error = exc
                    return
                if self.chooser and self.compare_everywhere and "zh" in self.candidate_languages:
                    # the first Mandarin sentence then does not wait for the model
                    # (or, on a new machine, for its weights to be joined); without
                    # compare_everywhere nothing warmed here compares, so it is not loaded
                    self.chooser.available  # noqa: B018 (loads it; logs what failed)
                if "zh" in self.candidate_languages:
                    from voice.pinyin_match import is_chinese_word, load_word_list

                    if any(is_chinese_word(w) for w in self.vocabulary_words()):
                        # the homophone pass's word list (~1 s) is read here, not after
                        # the key is released on the first sentence like a user's word
                        load_word_list()

            self._warm_thread = threading.Thread(target=run, name="ting-asr-warm", daemon=True)
            self._warm_thread.start()
            atexit.register(self._let_warm_finish)
        return self._warm_thread

    def _let_warm_finish(self) -> None:
        """At exit, wait for a load still in progress: finalizing the interpreter while
        CTranslate2 is loading the model on the warm thread crashes in native code
        (SIGSEGV; seen when `ting listen` was closed within a second of starting)."""
        if self._warm_thread is not None and self._warm_thread.is_alive():
            self._warm_thread.join(timeout=120)

    def prime(self, profile: DecodeProfile | None = None) -> None:
        """Load the model for ``profile`` and run it once on a short tone: the first real
        call then pays no set-up."""
        import numpy as np

        t = np.arange(SAMPLE_RATE, dtype=np.float32) / SAMPLE_RATE
        tone = (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
        speech_chunks(tone, self.vad)
        with self.decoding(profile) as model:
            segments, _ = model.transcribe(
                tone, language="en", beam_size=1, vad_filter=False, max_new_tokens=4
            )
            list(segments)

    def wait_warm(self) -> None:
        if self._warm_thread is not None:
            self._warm_thread.join()
        if self._warm_error is not None:
            raise self._warm_error

    # -- recognition -------------------------------------------------------------------

    def transcribe_file(self, path: str | Path, language: str = "auto") -> Transcript:
        _check_language(language)
        audio = read_audio_file(path)
        return self.transcribe(audio, language)

    def detect_language(self, speech: np.ndarray, profile: DecodeProfile | None = None) -> str:
        """The spoken language, chosen among ``candidate_languages`` (the language pair).

        On a clip of a second or two Whisper's guess is shaky (it called one English
        "Goodbye" Hindi, and synthetic Mandarin Thai at 0.97), so "auto" means: whichever
        of the user's two languages Whisper finds more likely.
        """
        with self.decoding(profile) as model:
            # the features exactly as transcribe() slices them (it drops the last frame),
            # so a decode of the same audio reuses this encoder pass (trimmed_encoder)
            features = model.feature_extractor(speech)[..., :-1]
            language, _probability, all_probs = model.detect_language(features=features)
        if language in self.candidate_languages or not self.candidate_languages:
            return language
        ranked = [(p, lang) for lang, p in all_probs if lang in self.candidate_languages]
        return max(ranked)[1] if ranked else language

    def transcribe(
        self,
        audio: np.ndarray,
        language: str = "auto",
        *,
        profile: DecodeProfile | None = None,
        gate: bool = True,
        context: str = "",
        chunks: list[dict[str, int]] | None = None,
        compare: bool | None = None,
    ) -> Transcript:
        """Text for 16 kHz mono float32 ``audio``; empty text when there is no speech.

        ``gate`` runs Silero VAD first and feeds Whisper only the speech regions (none:
        empty text, Whisper not called). ``context`` is text heard just before this
        audio (used as the prompt, for continuity when decoding in pieces). ``chunks``
        are VAD regions already found for this audio (saves running VAD twice).
        ``compare``: whether Mandarin decodes are compared (``profile.compare_decodes``,
        with a chooser); None: as the profile and ``compare_everywhere`` say.
        """
        import numpy as np
        from faster_whisper.vad import SpeechTimestampsMap, collect_chunks

        _check_language(language)
        profile = profile or FILE_DECODING
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        duration = audio.size / SAMPLE_RATE
        if chunks is None:
            chunks = speech_chunks(audio, self.vad) if gate else [{"start": 0, "end": audio.size}]
        if not chunks or audio.size == 0:
            return Transcript("", "" if language == "auto" else language, duration, [])
        pieces, _ = collect_chunks(audio, chunks)
        speech = np.concatenate(pieces)
        lang = self.detect_language(speech, profile) if language == "auto" else language
        timeline = SpeechTimestampsMap(chunks, SAMPLE_RATE)
        if lang == "en" and profile.english_windows_s:
            segments = self._decode_by_agreement(speech, lang, context, profile, timeline)
        else:
            segments = self._decode_speech(speech, lang, _prompt(lang, context), profile, timeline)
        if context and ends_in_repeat(join_segment_texts([s.text for s in segments])):
            # (see ends_in_repeat) the same audio without the text heard before it
            again = self._decode_speech(speech, lang, _prompt(lang, ""), profile, timeline)
            if not ends_in_repeat(join_segment_texts([s.text for s in again])):
                segments = again
        if lang == "zh" and _too_little_chinese(segments, speech.size / SAMPLE_RATE):
            # (see _too_little_chinese) without the prompt the decoder reads on
            again = self._decode_speech(speech, lang, None, profile, timeline)
            if _chinese_count(again) > _chinese_count(segments):
                segments = again
        prompt_text = None
        if (
            lang == "zh"
            and profile.compare_decodes
            and self.chooser is not None
            and (
                compare
                if compare is not None
                else self.compare_everywhere or not profile.compare_when_asked
            )
        ):
            own = segments
            segments = self._choose_decode(
                audio, lang, profile, segments, self.chooser, (speech, timeline, chunks)
            )
            if segments != own:
                prompt_text = join_segment_texts([s.text for s in _written_chinese(own, [])[0]])
        words = self.vocabulary_words() if lang == "zh" else []
        if words and profile.vocabulary_decode:
            segments = self._decode_with_vocabulary(
                speech, lang, context, profile, timeline, segments, words
            )
        segments = [Segment(s.start, min(s.end, duration), s.text) for s in segments]
        raw_text = join_segment_texts([s.text for s in segments])
        corrections: list[dict[str, Any]] = []
        if lang == "zh":
            segments, corrections = _written_chinese(segments, words)
        text = join_segment_texts([s.text for s in segments])
        return Transcript(
            text,
            lang,
            duration,
            segments,
            corrections,
            raw_text if corrections else None,
            prompt_text,
        )

    def _decode_by_agreement(
        self,
        speech: np.ndarray,
        lang: str,
        context: str,
        profile: DecodeProfile,
        timeline: Any,
    ) -> list[Segment]:
        """``speech`` decoded at each of ``profile.english_windows_s`` (the floors that
        give the encoder a different input: a floor below the audio's length is the
        audio's length), and the text most of them agree on kept; with no majority, the
        decode the model was surest of (mean log-probability). Speech that fills two
        thirds of the window or more (a meeting's chunk) is decoded once, as it is."""
        from voice.trimmed_encoder import PAD_FRAMES

        needed = speech.size * 100 // SAMPLE_RATE + PAD_FRAMES
        if needed >= 2000:
            return self._decode_speech(speech, lang, _prompt(lang, context), profile, timeline)
        windows: dict[int, float] = {}
        for window_s in profile.english_windows_s:
            windows.setdefault(min(3000, max(int(window_s * 100), needed)), window_s)
        decodes = []
        for window_s in windows.values():
            scores: list[float] = []
            segments = self._decode_speech(
                speech, lang, _prompt(lang, context), profile, timeline, window_s, scores
            )
            decodes.append((_normalized(" ".join(s.text for s in segments)), scores[0], segments))
        votes = {key: sum(1 for k, _, _ in decodes if k == key) for key, _, _ in decodes}
        best = max(decodes, key=lambda d: (votes[d[0]], d[1]))
        return best[2]

    def _choose_decode(
        self,
        audio: np.ndarray,
        lang: str,
        profile: DecodeProfile,
        segments: list[Segment],
        chooser: DecodeChooser,
        speech: tuple[np.ndarray, Any, list[dict[str, int]]],
    ) -> list[Segment]:
        """``segments`` or another decode without a prompt (``profile.compare_decodes``),
        whichever the built-in language model finds likeliest (voice.lm_choice). Audio
        up to ``COMPARED_AUDIO_S``: decoded whole as plain faster-whisper does it (30 s
        window) and judged as one text. Longer audio (a meeting's chunk, a long file):
        ``speech`` (the regions joined, their timeline, the regions) decoded again on
        the encoder pass Ting's own decode made, and judged piece by piece
        (``compared_pieces``)."""
        from faster_whisper.vad import SpeechTimestampsMap

        joined, timeline, regions = speech
        short = audio.size <= COMPARED_AUDIO_S * SAMPLE_RATE
        if short:
            timeline = SpeechTimestampsMap([{"start": 0, "end": audio.size}], SAMPLE_RATE)
        decodes = [segments] + [
            self._decode_speech(
                audio if short else joined,
                lang,
                None,
                replace(profile, beam_size=beam, temperatures=profile.compare_temperatures),
                timeline,
                30.0 if short else None,  # one 30 s encoder pass serves all (trimmed_encoder)
            )
            for beam in profile.compare_decodes
        ]
        if short:
            texts = [join_segment_texts([s.text for s in d]) for d in decodes]
            return decodes[chooser.choose(texts)]
        pauses = [
            (a["end"] + b["start"]) / 2 / SAMPLE_RATE
            for a, b in zip(regions[:-1], regions[1:], strict=True)
        ]
        chosen: list[Segment] = []
        for piece in compared_pieces(decodes, pauses):
            texts = [join_segment_texts([s.text for s in d]) for d in piece]
            seconds = max((s.end for d in piece for s in d), default=0.0) - min(
                (s.start for d in piece for s in d), default=0.0
            )
            chosen += piece[chooser.choose(texts) if seconds <= COMPARED_AUDIO_S else 0]
        return chosen

    def _decode_with_vocabulary(
        self,
        speech: np.ndarray,
        lang: str,
        context: str,
        profile: DecodeProfile,
        timeline: Any,
        segments: list[Segment],
        words: list[str],
    ) -> list[Segment]:
        """The same audio decoded again with the vocabulary words the first decode sounds
        like in the prompt (voice.pinyin_match.relevant_words), kept only when it takes
        one of them up and says no more than the first one did (the prompt's words are
        context, never text by themselves). Reuses the encoder pass (trimmed_encoder)."""
        from voice.pinyin_match import relevant_words
        from voice.vocabulary import PROMPT_WORDS, prompt_words

        first = join_segment_texts([s.text for s in segments])
        shown = prompt_words(relevant_words(first, words, limit=PROMPT_WORDS))
        if not shown or all(w in first for w in shown):
            return segments
        # greedy: the encoder pass is shared, and on the dev clips the greedy second
        # decode was as good as beam 5 at a third of the time
        greedy = replace(profile, beam_size=1, temperatures=(0.0,))
        again = self._decode_speech(speech, lang, _prompt(lang, context, shown), greedy, timeline)
        second = join_segment_texts([s.text for s in again])
        taken_up = [w for w in shown if w in second and w not in first]
        if not taken_up or ends_in_repeat(second):
            return segments
        seconds = speech.size / SAMPLE_RATE
        if _too_little_chinese(again, seconds) and not _too_little_chinese(segments, seconds):
            return segments  # the prompt cut the decode short (see _too_little_chinese)
        if len(_normalized(second)) > len(_normalized(first)) + max(
            3, len(_normalized(first)) // 4
        ):
            return segments  # it says more than the audio did: the list read back
        listed = sum(1 for w in shown if w in second and w not in first)
        if listed >= 3 and re.search("(?:" + "|".join(map(re.escape, shown)) + r")[、，,]", second):
            return segments
        return again

    def _decode_speech(
        self,
        speech: np.ndarray,
        lang: str,
        prompt: str | None,
        profile: DecodeProfile,
        timeline: Any,
        window_s: float | None = None,
        scores: list[float] | None = None,
    ) -> list[Segment]:
        """Whisper over ``speech`` (the VAD regions joined), its made-up and repeated
        lines dropped; times on the original audio's clock (``timeline``). ``scores``
        gets the decode's mean token log-probability."""
        with self.decoding(profile, window_s) as model:
            raw_segments, _info = model.transcribe(
                speech,
                language=lang,
                beam_size=profile.beam_size,
                temperature=list(profile.temperatures),
                vad_filter=False,
                condition_on_previous_text=False,
                initial_prompt=prompt,
                without_timestamps=False,  # timestamps keep the short-window decoder on track
                max_new_tokens=max_new_tokens(speech.size / SAMPLE_RATE, prompted=bool(prompt)),
            )
            raw_segments = list(raw_segments)
        if scores is not None:
            tokens = sum(len(seg.tokens) for seg in raw_segments)
            scores.append(
                sum(seg.avg_logprob * len(seg.tokens) for seg in raw_segments) / tokens
                if tokens
                else float("-inf")
            )
        segments: list[Segment] = []
        weak: list[bool] = []
        given_s = speech.size / SAMPLE_RATE
        for seg in raw_segments:
            text = collapse_repetition(seg.text.strip())
            if lang == "zh":
                text = to_simplified(text)
            if not text or is_invented_line(text) or is_prompt_echo(text, prompt):
                continue
            if (
                segments
                and seg.end > given_s + REPEAT_MARGIN_S
                and (
                    seg.start >= given_s - REPEAT_MARGIN_S
                    or _normalized(text) == _normalized(segments[-1].text)
                )
            ):
                continue  # said again past the end of the audio (see REPEAT_MARGIN_S)
            if seg.no_speech_prob > 0.8 and seg.avg_logprob < -1.0:
                continue
            start = timeline.get_original_time(seg.start)
            end = timeline.get_original_time(seg.end, is_end=True)
            segments.append(Segment(start, end, text))
            weak.append(seg.no_speech_prob > 0.3 or seg.avg_logprob < -0.8)
        if len(segments) == 1 and weak[0] and _normalized(segments[0].text) in INVENTED_WHEN_ALONE:
            return []
        return segments


# Far slower than anyone speaks once VAD has taken the pauses out (read Mandarin runs
# 3-5 characters a second).
MIN_CHINESE_PER_SECOND = 1.5
# A segment this long is held to a third less than that, since its times are on the
# recording's clock, pauses included.
LONG_SEGMENT_S = 10.0


def _chinese_count(segments: list[Segment]) -> int:
    return sum(1 for s in segments for ch in s.text if "\u4e00" <= ch <= "\u9fff")


def _too_little_chinese(segments: list[Segment], speech_s: float) -> bool:
    """Whether a Mandarin decode left most of the speech unread. With the Simplified
    prompt and an encoder window trimmed to the audio, Whisper can write the first
    sentence as one segment spanning the whole window and stop: three sentences (13 s)
    came back as the first one alone. In audio of more than one window the next window
    is read, so the loss shows in that one segment only: the first of nine sentences
    (14 characters) stood for 40 s of a 54 s file."""
    if speech_s >= 6.0 and _chinese_count(segments) < MIN_CHINESE_PER_SECOND * speech_s:
        return True
    return any(
        s.end - s.start >= LONG_SEGMENT_S
        and _chinese_count([s]) < (s.end - s.start) * MIN_CHINESE_PER_SECOND / 1.5
        for s in segments
    )


def max_new_tokens(seconds: float, *, prompted: bool = False) -> int:
    """A bound on tokens per 30 s window, so a decoding loop cannot run away.

    Whisper's context is 448 tokens and a prompt may take up to 223 of them.
    """
    return int(min(210 if prompted else 440, 24 + 14 * seconds))


def ends_in_repeat(text: str) -> bool:
    """Whether ``text`` ends by going round its last phrase again: a phrase of two or
    more words (characters, in Chinese) said twice in a row, or a last sentence that is
    the start of the sentence before it.

    Given the text heard before as its prompt, the live decoder sometimes says the last
    phrase of the audio again in the silence after it ("… did not match. Please try
    again. Please try again", of 1.4 s holding it once; "… extension. Please try again.
    Please", cut off where the audio ends). ``transcribe`` then decodes the same audio
    once more without the prompt and keeps that when it does not end so: a phrase really
    said twice is in the audio, and comes out twice either way.
    """
    keys = [key for key in (_normalized(w) for w in text.split()) if key]
    if len(keys) == 1:  # Chinese: no spaces between words, compare characters
        keys = list(keys[0])
    if any(keys[-size:] == keys[-2 * size : -size] for size in range(2, len(keys) // 2 + 1)):
        return True
    sentences = [_sentence_keys(s) for s in re.split(r"[.?!。？！]", text)]
    sentences = [s for s in sentences if s]
    if len(sentences) < 2:
        return False
    last, before = sentences[-1], sentences[-2]
    return len(last) < len(before) and before[: len(last)] == last


def _sentence_keys(sentence: str) -> list[str]:
    """A sentence's words (characters, in Chinese), as ``ends_in_repeat`` compares them."""
    keys = [key for key in (_normalized(w) for w in sentence.split()) if key]
    return list(keys[0]) if len(keys) == 1 and not keys[0].isascii() else keys


def _prompt(language: str, context: str, words: list[str] | None = None) -> str | None:
    """The initial prompt: Simplified-Chinese cue for zh, the vocabulary words shown to
    the decoder, then the text already heard (nearest the audio)."""
    parts = []
    if language == "zh":
        parts.append(SIMPLIFIED_CHINESE_PROMPT)
    if words:
        parts.append("、".join(words) + "。")
    if context:
        parts.append(context[-200:])
    return "".join(parts) if language == "zh" else (" ".join(parts) or None)


_HALF_WIDTH = {",": "，", "?": "？", "!": "！", ":": "：", ";": "；"}


def chinese_punctuation(text: str) -> str:
    """Half-width , ? ! : ; right after a Chinese character written full-width (Whisper
    writes "对,这就是我"; after a digit, as in 1,000, it stays)."""
    return re.sub(r"(?<=[\u3400-\u9fff])[,?!:;]", lambda m: _HALF_WIDTH[m.group()], text)


# Whisper base ends many Mandarin statements with "?" ("一二线城市虽然也处于调整中？"),
# and meeting notes then list them as open questions. A Mandarin question nearly always
# says so in words: a particle, a question word, "A不A" or "还是".
_ASKING = re.compile(
    r"[吗嘛呢啥咋岂]|(?<!酒)吧|谁(?!都)|哪(?!怕)|(?<![这那好十])几(?!乎)|(?<!没)什么|(?<!不)怎"
    r"|为何|(?<!无论)如何|何时|(?<![很许好差])多[少久大长远高重贵宽深快厚]|是否|能否|可否"
    r"|难道|还是|^要不|([\u3400-\u9fff])[不没]\1|[不没]有?$|么$"
)


def question_marks_where_asked(text: str, before: str = "") -> str:
    """A Chinese sentence's "？" as "。" when nothing in the sentence asks. ``before``: the
    start of the sentence in the segments before this one (Whisper may cut a question
    between segments: "你为什么" + "不早点说？")."""

    def sentence(m: re.Match[str]) -> str:
        said = m.group(1)
        whole = (before if m.start() == 0 else "") + said
        return m.group() if _ASKING.search(whole.strip()) else said + "。"

    return re.sub(r"([^。！？!?]*[\u3400-\u9fff])？(?![？！!?])", sentence, text)


def unfinished_sentence(text: str) -> str:
    """What ``text`` ends with after its last sentence end."""
    return re.split(r"[。！？!?]", text)[-1]


# A full-width letter between two Chinese characters is a byte slip: Whisper
# writes Chinese in byte-level tokens, and a full-width comma (EF BC 8C) ended on the
# wrong last byte comes out as another character of its block ("椰汁屋Ｇ本节目"; digits too,
# "好用６豆奶", but a full-width digit may be meant and is left); a
# character it left unfinished decodes to U+FFFD.
_BYTE_SLIP = re.compile(r"(?<=[\u3400-\u9fff])[\uff21-\uff3a\uff41-\uff5a](?=[\u3400-\u9fff])")


def mend_byte_slips(text: str) -> str:
    return _BYTE_SLIP.sub("，", text.replace("\ufffd", ""))


def _written_chinese(
    segments: list[Segment], words: list[str]
) -> tuple[list[Segment], list[dict[str, Any]]]:
    """Each segment as it is written: the homophone pass over the vocabulary (its
    replacements returned), numbers in digits where people write them so, full-width
    punctuation and a question mark only on a question, Simplified characters (a
    vocabulary word may have been added in Traditional ones)."""
    from voice.pinyin_match import correct_homophones
    from voice.zh_numbers import digits_for_numbers

    out: list[Segment] = []
    corrections: list[dict[str, Any]] = []
    before = ""  # the sentence the segments before this one left unfinished
    for seg in segments:
        text = seg.text
        if words:
            text, made = correct_homophones(text, words)
            corrections += [c.to_dict() for c in made]
        text = chinese_punctuation(digits_for_numbers(mend_byte_slips(text)))
        text = question_marks_where_asked(to_simplified(text), before)
        before = unfinished_sentence(before + text)
        out.append(Segment(seg.start, seg.end, text))
    return out, corrections


def _check_language(language: str) -> None:
    if language not in LANGUAGE_CHOICES:
        raise UsageError(f"language must be one of {', '.join(LANGUAGE_CHOICES)}, not {language!r}")
