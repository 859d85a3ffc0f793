"""``ting route TEXT [--json] [--offline]``: which skill a request would go to.

It sits on the hotkey path, so ``ting``'s entry point sends a plain ``ting route``
command line here without loading the command-line parser, the composition root or any
skill: the router reads its catalog from the disk cache. Only an unsure answer builds
the ``App`` (settings, provider) to ask the model. ``--help`` and anything this does not
know go through the full command line (``assistant.frontend.commands.route``), which
ends here as well.
"""

from __future__ import annotations

import sys

OPTIONS = ("--json", "--offline")


def handles(args: list[str]) -> bool:
    """Whether this fast path reads ``args`` (what follows ``route``) as click would:
    words and the two flags; anything else (``--help``, ``--``, an unknown option, no
    words) is left to the full command line."""
    words = [a for a in args if a not in OPTIONS]
    return bool(words) and all(a == "-" or not a.startswith("-") for a in words)


def decide(text: str, *, offline: bool, app_factory=None):
    """The route for ``text``: local first; the model (through the App's router) only
    when that is unsure and ``offline`` is not set."""
    from assistant.router import Router

    router = Router()
    decision = router.local_decision(text)
    if offline or decision.source != "local" or decision.confidence >= router.threshold:
        return decision
    if app_factory is None:
        from assistant.frontend.app import App

        app_factory = App.from_environment
    return app_factory().router.route(text)


def show(decision, as_json: bool) -> None:
    if as_json:  # as cli_kit.emit_json writes it (that module would bring in typing)
        import json

        sys.stdout.write(json.dumps(decision.to_dict(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        sys.stdout.write(f"{decision.skill}\t{decision.confidence:.2f}\t{decision.source}\n")
        sys.stdout.flush()


def run(args: list[str]) -> int:
    """``ting route`` from ``args`` (after ``route``); failures end as every command's do."""
    try:
        from assistant.request_text import request_text

        words = [a for a in args if a not in OPTIONS]
        show(decide(request_text(words), offline="--offline" in args), "--json" in args)
        return 0
    except Exception as exc:  # reporting loads only when something went wrong
        from assistant.frontend.failures import report_failures

        failure = exc

        def again() -> None:
            raise failure

        return int(report_failures(again) or 0)
