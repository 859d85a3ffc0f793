def add(a, b):
    """Sum."""
    total = a  +  b   
    return total


def sub(a, b):
    """Difference."""
    total = a - b
    return total
