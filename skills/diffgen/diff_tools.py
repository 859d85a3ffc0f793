"""Patches as tools (see ``assistant.tool_registry``): dry-run one (``ting diff apply
--check``: what would change, nothing written) and apply one (a write: all or nothing,
with an undo journal entry, only after the user's yes)."""

from __future__ import annotations

import os
from typing import Any

from assistant.events import NeedsConfirmation
from assistant.tool_registry import ToolContext, ToolError, ToolSpec, run_confirmed

MAX_PATCH_CHARS = 1_000_000
PREVIEW_CHARS = 8000


def _root(args: dict[str, Any]) -> str:
    root = args["root"]
    # a relative root would depend on where the MCP client started the server
    if not os.path.isabs(root):
        raise ToolError(f"root must be an absolute path to a folder, not {root!r}")
    return root


def diff_check(args: dict[str, Any], ctx: ToolContext) -> dict[str, Any]:
    from skills.diffgen.patch_workspace import PatchWorkspace
    from skills.diffgen.skill import preview_diff

    report = PatchWorkspace(_root(args)).apply(args["patch"], check=True)
    preview = preview_diff(report.outcome)
    out = {**report.to_dict(), "written": False, "preview": preview[:PREVIEW_CHARS]}
    if len(preview) > PREVIEW_CHARS:
        out["preview_note"] = f"the first {PREVIEW_CHARS} of {len(preview)} characters"
    return out


def propose_patch(args: dict[str, Any], ctx: ToolContext) -> NeedsConfirmation:
    """The same card as the diff skill's: dry-run first, and remember what the files
    would become, so applying refuses if they changed after the preview."""
    from skills.diffgen.patch_workspace import PatchWorkspace
    from skills.diffgen.skill import _sha256, expected_results, preview_diff, summary

    workspace = PatchWorkspace(_root(args))
    patch, outcome, _ = workspace.plan(args["patch"])
    if not outcome.files:
        raise ToolError("the patch changes nothing")
    return NeedsConfirmation(
        skill="diff",
        action="apply_patch",
        preview=preview_diff(outcome),
        data={
            "patch": args["patch"],
            "root": str(workspace.root),
            "patch_sha256": _sha256(args["patch"]),
            "expect": expected_results(outcome),
            "summary": summary(outcome),
            "format": patch.format,
        },
    )


def diff_apply_patch(args: dict[str, Any], ctx: ToolContext) -> dict[str, Any]:
    outcome = run_confirmed(
        ctx, "diff", "apply_patch", {"patch": args["patch"], "root": _root(args)}
    )
    return {"written": True, **outcome}


_ARGS = {
    "type": "object",
    "properties": {
        "patch": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_PATCH_CHARS,
            "description": "a unified diff, a '*** Begin Patch' block or SEARCH/REPLACE blocks",
        },
        "root": {
            "type": "string",
            "minLength": 1,
            "maxLength": 4096,
            "description": "absolute path of the folder the patch's paths are relative to",
        },
    },
    "required": ["patch", "root"],
    "additionalProperties": False,
}

TOOLS = [
    ToolSpec(
        name="diff_check",
        title="Dry-run a patch",
        description="Works out what a patch would do to the files under root (which "
        "files change, where each hunk lands, the resulting diff) without writing "
        "anything. Refuses paths outside root, .git/ and symlinks out of it.",
        input_schema=_ARGS,
        function=diff_check,
        progress="dry-running the patch…",
    ),
    ToolSpec(
        name="diff_apply_patch",
        title="Apply a patch",
        description="Applies a patch to the files under root: every hunk or none, with "
        "an undo journal (`ting diff undo`). Changes files: only after the user agreed.",
        input_schema=_ARGS,
        function=diff_apply_patch,
        writes=True,
        progress="applying the patch…",
        propose=propose_patch,
    ),
]
