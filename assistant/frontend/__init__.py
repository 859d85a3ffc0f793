"""The program: the composition root and the front ends that start it (the ``ting`` command, the terminal session, push-to-talk in the terminal)."""
