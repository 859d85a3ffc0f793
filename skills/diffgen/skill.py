"""The ``diff`` skill: "in utils.py rename parse_date to parse_day" becomes a patch.

``run`` reads the named files under the root, sends them to the model asking for
SEARCH/REPLACE blocks under their real paths (``edit_prompt``), dry-runs the tidied reply
through the apply engine and, when it does not apply, sends the engine's error back (at
most two repair rounds). It writes nothing:
it ends with a ``NeedsConfirmation`` whose preview is the unified diff of the change.
``apply`` writes it, all or nothing, with an undo journal entry. A plain rename or
replacement ("rename parse_date to parse_day") is done by text instead (``literal_edit``),
through the same preview.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import time
from collections.abc import Iterator
from typing import Any

from assistant.errors import Declined, SkillError, UsageError
from assistant.events import Event, NeedsConfirmation, Progress, Result
from assistant.skill import Request, SkillContext
from skills.diffgen.apply_engine import PatchOutcome
from skills.diffgen.edit_prompt import (
    edit_messages,
    repair_message,
    tidy_reply,
    unfinished_rename,
)
from skills.diffgen.literal_edit import literal_edit, missing_names, unified_patch
from skills.diffgen.patch_errors import PatchParseError, PatchRejected, UnsafePath
from skills.diffgen.patch_model import Patch
from skills.diffgen.patch_workspace import PatchWorkspace

REPAIR_ROUNDS = 2
LOOP_CHECK_CHARS = 200
REPEAT_CHARS = 300  # a reply whose last this many characters occurred before is looping
LOOP_NOTE = (
    "the reply repeated itself without ending: a SEARCH block copies only the few lines "
    "that change and one line around them, then =======, the new lines and >>>>>>> REPLACE"
)


def first_repeat(parts: list[str]) -> str | None:
    """The reply up to where it started repeating itself, or None when it is not."""
    text = "".join(parts)
    if len(text) < 2 * REPEAT_CHARS:
        return None
    tail = text[-REPEAT_CHARS:]
    first = text.find(tail)
    if first >= len(text) - REPEAT_CHARS:
        return None
    period = len(text) - REPEAT_CHARS - first
    cut = text[: first + period]  # one whole copy of what repeats
    end = cut.rfind(">>>>>>> REPLACE")  # and only whole blocks of it, each once
    if end == -1:
        return cut
    blocks = re.split(r"(?<=>>>>>>> REPLACE)", cut[: end + len(">>>>>>> REPLACE")])
    once: dict[str, str] = {}
    for block in blocks:
        if block.strip():
            once.setdefault(block.strip(), block)
    return "".join(once.values())


MAX_PROMPT_FILE_BYTES = 200_000

_FILE_MENTION = re.compile(r"(?<![\w/.-])([\w][\w./-]*\.[A-Za-z0-9]{1,8})(?![\w/-])")
_SPOKEN_DOT = re.compile(r"\b([\w/-]+) (?:dot|点) ([A-Za-z0-9]{1,8})\b", re.IGNORECASE)


def mentioned_files(text: str, workspace: PatchWorkspace) -> list[str]:
    """File names in a typed or spoken request that exist under the root."""
    text = _SPOKEN_DOT.sub(r"\1.\2", text)
    found: list[str] = []
    for match in _FILE_MENTION.finditer(text):
        name = match.group(1).rstrip(".")
        if name in found:
            continue
        try:
            _, real = workspace.resolve(name)
        except UnsafePath:
            continue
        if real.is_file():
            found.append(name)
    return found


def preview_diff(outcome: PatchOutcome) -> str:
    """The change as a plain (colour-free) unified diff, file by file."""
    parts: list[str] = []
    for file in outcome.files:
        old = (file.old_text or "").splitlines(keepends=True)
        new = (file.new_text or "").splitlines(keepends=True)
        old_name = "/dev/null" if file.old_text is None else f"a/{file.path}"
        new_name = "/dev/null" if file.new_text is None else f"b/{file.final_path}"
        if file.status == "renamed":
            parts.append(f"rename {file.path} -> {file.new_path}\n")
        lines = list(difflib.unified_diff(old, new, old_name, new_name))
        for line in lines:
            text = line.rstrip("\r\n")
            parts.append(text + "\n")
            if not line.endswith("\n"):
                parts.append("\\ No newline at end of file\n")
    return "".join(parts)


def _sha256(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def expected_results(outcome: PatchOutcome) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for file in outcome.files:
        out[file.final_path] = _sha256(file.new_text)
        if file.new_path:
            out[file.path] = None
    return out


def summary(outcome: PatchOutcome) -> str:
    return ", ".join(f"{f.status} {f.final_path}" for f in outcome.files) or "no change"


class DiffSkill:
    name = "diff"
    description = "Code edits: the model writes a patch; Ting previews it and applies it safely."

    def run(self, request: Request, ctx: SkillContext) -> Iterator[Event]:
        from assistant.llm import Completion

        started = time.monotonic()
        instruction = request.text.strip()
        if not instruction:
            raise UsageError("say what to change, and in which file")
        workspace = PatchWorkspace(request.options.get("root") or os.getcwd())
        names = list(request.options.get("files") or mentioned_files(instruction, workspace))
        if not names:  # not a code edit Ting can do: routed here, it goes to the next skill
            raise Declined(
                "name the file to edit (for example: in utils.py rename parse_date to parse_day)"
            )
        yield Progress("reading", f"reading {len(names)} file(s)", elapsed=0.0)
        files: list[tuple[str, str]] = []
        for name in names:
            _, real = workspace.resolve(name, must_exist=True)
            text = workspace.read_text(real, name)
            if len(text.encode("utf-8")) > MAX_PROMPT_FILE_BYTES:
                raise UsageError(f"{name} is too large to send to the model")
            files.append((name, text))
        text_edits = request.options.get("text_edits", True)
        literal = literal_edit(instruction, files) if text_edits else None
        if literal is None and text_edits:
            missing = missing_names(instruction, files)
            if missing:  # a model asked to rename what is not there invents an edit
                where = ", ".join(name for name, _ in files)
                raise UsageError(
                    f"{', '.join(missing)} does not occur in {where}: nothing to rename "
                    "(names are matched exactly, as whole words)"
                )
        if literal is not None:
            reply = unified_patch(dict(files), literal.new_texts)
            yield Progress(
                "checking",
                f"replacing by text, no model needed: {literal.describe()}",
                elapsed=time.monotonic() - started,
            )
            patch, outcome, _ = workspace.plan(reply)
            yield self._confirmation(reply, workspace, patch, outcome, 0, "text")
            return
        messages: list[dict[str, Any]] = edit_messages(instruction, files)
        llm = ctx.llm()
        last_error = ""
        for attempt in range(REPAIR_ROUNDS + 1):
            ctx.cancel.raise_if_cancelled()
            if attempt == 0:
                stage, message = "drafting", "asking the model for the edit…"
            else:
                stage = "repairing"
                message = (
                    f"the edit did not apply; asking for a fix ({attempt} of {REPAIR_ROUNDS})…"
                )
            completion: Completion | None = None
            written = 0
            last_note = time.monotonic()
            parts: list[str] = []
            looped = False
            stream = llm.stream(
                messages, cancel=ctx.cancel, stage=stage, message=message, temperature=0
            )
            for item in stream:
                if isinstance(item, Completion):
                    completion = item
                elif isinstance(item, Progress):
                    yield item
                else:  # Delta: the raw patch is not for the user; show how far it got
                    written += len(item.text)
                    parts.append(item.text)
                    if (
                        written // LOOP_CHECK_CHARS
                        != (written - len(item.text)) // LOOP_CHECK_CHARS
                    ):
                        cut = first_repeat(parts)
                        if cut is not None:  # stop it: greedy decoding repeats to the limit
                            stream.close()
                            parts, looped = [cut], True
                            break
                    if time.monotonic() - last_note >= 1.0:
                        last_note = time.monotonic()
                        yield Progress(
                            stage,
                            f"the model is writing the edit… {written} characters",
                            elapsed=time.monotonic() - started,
                        )
            text = "".join(parts) if looped else (completion.text if completion else "")
            reply = tidy_reply(text, names)
            yield Progress("checking", "dry-running the edit", elapsed=time.monotonic() - started)
            try:
                patch, outcome, _ = workspace.plan(reply)
            except (PatchParseError, PatchRejected, UnsafePath) as exc:
                last_error = exc.user_message()
                if looped:
                    last_error += f"; {LOOP_NOTE}"
                messages.append({"role": "assistant", "content": reply})
                messages.append(repair_message(last_error, names, dict(files), reply))
                continue
            edited = {f.path: f.new_text or "" for f in outcome.files}
            unfinished = unfinished_rename(
                instruction, [(name, text, edited.get(name, text)) for name, text in files]
            )
            if unfinished and attempt < REPAIR_ROUNDS:
                last_error = unfinished
                messages.append({"role": "assistant", "content": reply})
                messages.append(repair_message(last_error, names, dict(files), reply))
                continue
            if not outcome.files:
                last_error = "the edit changes nothing"
                messages.append({"role": "assistant", "content": reply})
                messages.append(repair_message(last_error, names, dict(files), reply))
                continue
            yield self._confirmation(reply, workspace, patch, outcome, attempt, "model")
            return
        raise SkillError(
            f"the model's edit could not be applied after {REPAIR_ROUNDS} repair rounds: "
            f"{last_error}"
        )

    def _confirmation(
        self,
        reply: str,
        workspace: PatchWorkspace,
        patch: Patch,
        outcome: PatchOutcome,
        rounds: int,
        method: str,
    ) -> NeedsConfirmation:
        return NeedsConfirmation(
            skill=self.name,
            action="apply_patch",
            preview=preview_diff(outcome),
            data={
                "patch": reply,
                "root": str(workspace.root),
                "patch_sha256": _sha256(reply),
                "expect": expected_results(outcome),
                "summary": summary(outcome),
                "repair_rounds": rounds,
                "format": patch.format,
                "method": method,  # "text": a rename done without the model
            },
        )

    def apply(self, action: str, data: dict[str, Any], ctx: SkillContext) -> Iterator[Event]:
        if action != "apply_patch":
            raise SkillError(f"the diff skill has no action {action!r}")
        patch_text = data.get("patch")
        root = data.get("root")
        if not isinstance(patch_text, str) or not isinstance(root, str):
            raise SkillError("apply_patch needs 'patch' and 'root'")
        ctx.cancel.raise_if_cancelled()
        workspace = PatchWorkspace(root)
        verify = None
        if data.get("expect") and data.get("patch_sha256") == _sha256(patch_text):

            def verify(outcome: PatchOutcome) -> None:  # under the folder's lock
                if expected_results(outcome) != data["expect"]:
                    raise SkillError(
                        "the files changed since the preview; nothing was written (ask again)"
                    )

        report = workspace.apply(patch_text, verify=verify)
        yield Result(
            text=f"{summary(report.outcome)} (undo: ting diff undo)",
            payload=report.to_dict(),
        )
