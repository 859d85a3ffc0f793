"""Ting (听): the assistant core. No Qt here; nothing happens at import time."""

__version__ = "0.1.0"
