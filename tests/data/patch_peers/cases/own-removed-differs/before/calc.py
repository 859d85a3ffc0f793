def add(a, b):
    """Sum."""
    total = a + b + 0
    return total


def sub(a, b):
    """Difference."""
    total = a - b
    return total
