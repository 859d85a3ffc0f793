"""Helpers added by the patch."""


def clamp(x, lo, hi):
    return max(lo, min(hi, x))
