"""The frozen app's entry point: the same ``ting`` command as the console script, and
the built-in model's server process when started with its marker argument (the bundle
has no ``python -m``; see assistant/local_model/server.py)."""

import sys

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--ting-local-model-server":
        from assistant.local_model.serve import main as serve

        sys.exit(serve(sys.argv[2:]))
    from assistant.frontend.main import main

    main()
