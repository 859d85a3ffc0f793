"""The frozen app's entry point: the same ``ting`` command as the console script."""

from assistant.frontend.main import main

if __name__ == "__main__":
    main()
