def add(a, b):
    """Sum."""
    return a + b


def sub(a, b):
    """Difference."""
    return a - b
