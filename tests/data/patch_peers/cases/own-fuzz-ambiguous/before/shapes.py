def surface(w, h):
    # width times height
    result = w * h
    return result


def area(w: float, h: float):
    # width times height
    result = w * h
    return result


def main():
    pass
