"""The edit skill: the selected text, rewritten as the user asked, replaces the selection
only after a yes.

``run(Request(text=INSTRUCTION, skill="edit", options={"selection": "primary"}))``
reads the selection through the ``text_output`` service (or takes ``options["text"]``),
has it translated by the translation skill (the ``skills`` service: the registry) when
the instruction asks for another language, or rewritten by the model otherwise (both
streamed), and proposes the result
(``NeedsConfirmation``, action ``replace``). Its actions:

* ``replace``: paste the result over the selection, which is still selected in the
  focused window (one paste: one undo step there);
* ``copy``: leave the result on the clipboard;
* ``undo``: the focused program's own undo (Ctrl+Z, Cmd+Z on macOS) takes the
  replacement back, the original selected again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from assistant.errors import SkillError, UsageError
from assistant.events import Delta, Event, NeedsConfirmation, Progress, Result
from assistant.registry import hookimpl
from assistant.skill import Request, SkillContext

NOTHING_SELECTED = "nothing is selected: select the text to edit first"


def _preview(text: str, limit: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class EditSkill:
    name = "edit"
    description = (
        "Rewrites the selected text as you ask (translate, fix, reword); replaces it after a yes."
    )

    def run(self, request: Request, ctx: SkillContext) -> Iterator[Event]:
        from skills.editing.rewriting import translation_language

        instruction = request.text.strip()
        which = str(request.options.get("selection") or "primary")
        original = request.options.get("text")
        if original is None:
            original = ctx.service("text_output").read_selection(which)
        if not original or not str(original).strip():
            hint = (
                "copy it, or select it and use --selection primary"
                if which == "clipboard"
                else "or copy it and use --selection clipboard"
            )
            raise UsageError(NOTHING_SELECTED, hint=hint)
        original = str(original)
        yield Progress("selection", f"{which}: {_preview(original)}")
        language = translation_language(instruction)
        if language is not None:
            replacement = yield from self._translate(original, language, ctx)
            how = "translation"
        else:
            replacement = yield from self._rewrite(instruction, original, ctx)
            how = "model"
        if not replacement.strip():
            raise SkillError("the rewrite came back empty; the selection is left as it was")
        yield NeedsConfirmation(
            skill=self.name,
            action="replace",
            preview=replacement,
            data={
                "instruction": instruction,
                "original": original,
                "replacement": replacement,
                "selection": which,
                "by": how,
            },
        )

    def _translate(self, text: str, language: str, ctx: SkillContext) -> Iterator[Event]:
        """Through the translation skill, found in the registry (skills do not import
        each other); it reads the language's name and applies the glossary."""
        translation = ""
        request = Request(text=text, skill="translation", options={"to": language, "literal": True})
        skill = ctx.service("skills").get("translation")
        for event in skill.run(request, ctx):
            if isinstance(event, Result):
                translation = str((event.payload or {}).get("translation") or event.text)
            else:
                yield event
        return translation

    def _rewrite(self, instruction: str, text: str, ctx: SkillContext) -> Iterator[Event]:
        from assistant.llm import Completion
        from skills.editing.rewriting import clean_rewrite, rewrite_messages

        llm = ctx.llm()  # ProviderNotConfigured says what to set
        completion = None
        for item in llm.stream(
            rewrite_messages(instruction, text), cancel=ctx.cancel, stage="rewriting"
        ):
            if isinstance(item, Completion):
                completion = item
            elif isinstance(item, Delta | Progress):
                yield item
        return clean_rewrite(completion.text if completion else "", text)

    def apply(self, action: str, data: dict[str, Any], ctx: SkillContext) -> Iterator[Event]:
        output = ctx.service("text_output")
        replacement = str(data.get("replacement") or "")
        original = str(data.get("original") or "")
        if action == "replace":
            if not replacement:
                raise UsageError("nothing to put in place of the selection")
            done = output.insert(replacement, "paste")
            yield Result(
                text=replacement,
                payload={"typed": replacement, "replaced": original, **done.to_dict()},
            )
        elif action == "copy":
            output.copy(replacement)
            yield Result(text=replacement, payload={"copied": replacement})
        elif action == "undo":
            output.undo()
            yield Result(text=original, payload={"restored": original, "removed": replacement})
        else:
            raise SkillError(f"the edit skill has no action {action!r}")


@hookimpl
def ting_register_skills(register):
    register(EditSkill())
