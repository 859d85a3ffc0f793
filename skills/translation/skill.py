"""The translation skill: text (typed, routed or spoken) into another language, streamed.

``run`` reads what to translate and the target from the request (pure core in
``request_parser``), defaults the target to the other language of the user's pair,
puts the glossary entries that occur in the text into the prompt, streams the model's
answer as ``Delta`` events and ends with ``Result(payload={"source", "target_lang",
"translation", …})``.

Request options (``ting translate`` sets them): ``to`` (a language code or name),
``literal`` (translate the text as given, do not look for an instruction in it),
``clipboard`` (translate the clipboard's text; a request that points at the clipboard,
"把剪贴板里的翻成英文", does the same),
``audio`` (a file of speech to translate) and ``offline`` (speech into English through
Whisper's own translate task, no provider).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from assistant.errors import (
    Declined,
    ProviderError,
    ProviderNotConfigured,
    SkillError,
    UsageError,
)
from assistant.events import Delta, Event, Progress, Result
from assistant.skill import Request, SkillContext

NOTHING_TO_TRANSLATE = (
    "nothing to translate: the request names no text "
    "(say it after a colon, e.g. 把这句翻成英文：明天下午三点开会, or copy it and say "
    "把剪贴板里的翻成英文)"
)


def _preview(text: str, limit: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def resolve_language(value: str, *, what: str = "--to") -> str:
    """A language code from a code or a name ("en", "英文", "French"); UsageError if unknown."""
    from skills.translation.languages import LANGUAGE_NAMES, language_code

    code = language_code(value)
    if code is None:
        known = ", ".join(LANGUAGE_NAMES)
        raise UsageError(f"{what}: unknown language {value!r} (known: {known})")
    return code


class TranslationSkill:
    name = "translation"
    description = "Translates text or speech (zh↔en by default), streamed, with your glossary."

    def run(self, request: Request, ctx: SkillContext) -> Iterator[Event]:
        from skills.translation.languages import guess_text_language, other_language
        from skills.translation.request_parser import TranslationAsk, parse_translation_request

        options = request.options
        requested_target = resolve_language(options["to"]) if options.get("to") else None
        if options.get("audio"):
            yield from self._run_speech(str(options["audio"]), requested_target, ctx, options)
            return
        if options.get("literal"):
            ask = TranslationAsk(request.text.strip(), None)
        else:
            ask = parse_translation_request(request.text)
        text = ask.text
        if options.get("clipboard") or ask.from_clipboard:
            from skills.translation.clipboard import read_clipboard_text

            text = read_clipboard_text()
            yield Progress("clipboard", f"from the clipboard: {_preview(text)}")
        if not text:
            raise Declined(NOTHING_TO_TRANSLATE)
        source_lang = guess_text_language(text)
        target = (
            requested_target
            or ask.target_lang
            or other_language(source_lang, ctx.settings.languages)
        )
        yield from self._translate_text(text, source_lang, target, ctx)

    # -- text, through the provider ----------------------------------------------------

    def _translate_text(
        self, text: str, source_lang: str, target: str, ctx: SkillContext
    ) -> Iterator[Event]:
        from assistant.llm import Completion
        from skills.translation.glossary import GlossaryStore
        from skills.translation.languages import english_name
        from skills.translation.prompts import (
            glossary_missing,
            glossary_repair,
            request_options,
            translation_messages,
        )
        from skills.translation.reply_cleanup import clean_translation

        llm = ctx.llm()  # ProviderNotConfigured: one line saying what to set
        glossary = GlossaryStore(ctx.history).entries_for(text, target)
        messages = translation_messages(text, target, glossary)
        completion: Completion | None = None
        for item in llm.stream(
            messages,
            cancel=ctx.cancel,
            stage="translating",
            message=f"translating into {english_name(target)}…",
            **request_options(text),
        ):
            if isinstance(item, Completion):
                completion = item
            else:
                yield item
        translation = clean_translation(completion.text if completion else "", text, target)
        missing = glossary_missing(translation, glossary) if translation else []
        if missing:  # one more try with the renderings it dropped; kept if it uses more
            yield Progress("translating", "using your glossary's terms…")
            again = llm.complete(
                glossary_repair(messages, translation, missing),
                cancel=ctx.cancel,
                stage="translating",
                **request_options(text),
            )
            second = clean_translation(again.text, text, target)
            if second and len(glossary_missing(second, glossary)) < len(missing):
                translation = second
        if not translation:
            raise ProviderError("the provider returned an empty translation")
        yield Result(
            text=translation,
            payload={
                "source": text,
                "source_lang": source_lang,
                "target_lang": target,
                "translation": translation,
                "glossary": [e.to_dict() for e in glossary],
                "engine": "provider",
            },
        )

    # -- speech --------------------------------------------------------------------------

    def _run_speech(
        self,
        path: str,
        requested_target: str | None,
        ctx: SkillContext,
        options: dict[str, Any],
    ) -> Iterator[Event]:
        from skills.translation.languages import chinese_name, other_language
        from voice.audio_files import read_audio_file

        audio = read_audio_file(path)
        recognizer = ctx.service("asr")
        offline = bool(options.get("offline"))
        if not offline:
            try:
                ctx.llm()
            except ProviderNotConfigured:
                if requested_target not in (None, "en"):
                    raise
                offline = True  # speech into English works without a provider
        if offline:
            if requested_target not in (None, "en"):
                raise UsageError(
                    "offline speech translation only goes into English (Whisper's translate "
                    f"task), not {chinese_name(requested_target or '')}; set up a provider for that"
                )
            yield from self._whisper_translate(audio, recognizer)
            return
        yield Progress("transcribing", "transcribing the speech…")
        transcript = recognizer.transcribe(audio, "auto")
        if not transcript.text.strip():
            raise SkillError(f"no speech was heard in {path}")
        yield Progress("transcribed", f"heard ({transcript.language}): {transcript.text}")
        target = requested_target or other_language(transcript.language, ctx.settings.languages)
        yield from self._translate_text(transcript.text, transcript.language, target, ctx)

    def _whisper_translate(self, audio: Any, recognizer: Any) -> Iterator[Event]:
        from skills.translation.speech_translation import translate_speech_to_english

        yield Progress("translating", "translating the speech into English with Whisper…")
        heard = translate_speech_to_english(recognizer, audio)
        if not heard.text:
            raise SkillError("no speech was heard in the audio")
        yield Delta(heard.text)
        yield Result(
            text=heard.text,
            payload={
                "source": None,
                "source_lang": heard.source_lang,
                "target_lang": "en",
                "translation": heard.text,
                "glossary": [],
                "engine": "whisper-translate",
            },
        )

    def apply(self, action: str, data: dict[str, Any], ctx: SkillContext) -> Iterator[Event]:
        raise SkillError(f"the translation skill has no action {action!r}")
        yield  # pragma: no cover
