"""Literal strings a regular expression's every match contains, found once when the
router's catalog is built.

The router tries a rule only when one of its literals is in the text, so a request
compiles and runs the few patterns that could match it instead of all of them (Python
compiles a pattern in pure Python: all the skills' rules took ~20 ms per process).
This reads the pattern's parse tree through ``re``'s own parser, a private module; if
that is not there or says something unexpected, a rule simply gets no literals and is
always tried.
"""

from __future__ import annotations


def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Strings such that every match of ``pattern`` contains at least one of them, or
    None when no such set was found (then the pattern must always be tried)."""
    try:
        try:
            from re import _constants as constants
            from re import _parser as parser
        except ImportError:  # Python < 3.11
            import sre_constants as constants  # type: ignore[no-redef]
            import sre_parse as parser  # type: ignore[no-redef]
        tree = parser.parse(pattern)
        if tree.state.flags & (constants.SRE_FLAG_IGNORECASE | constants.SRE_FLAG_VERBOSE):
            return None
        found = _sequence(list(tree), constants)
    except Exception:  # an unexpected tree: no prefilter, never a wrong one
        return None
    if not found or any(not literal for literal in found):
        return None
    return tuple(sorted(found))


def _sequence(items: list, c) -> set[str] | None:
    """The most selective literal set among the parts of a sequence that every match
    must go through."""
    options: list[set[str]] = []
    run = ""
    for op, av in items:
        if op is c.LITERAL:
            run += chr(av)
            continue
        if run:
            options.append({run})
            run = ""
        found: set[str] | None = None
        if op is c.SUBPATTERN:
            found = _sequence(list(av[-1]), c)
        elif op is c.BRANCH:
            branches = [_sequence(list(branch), c) for branch in av[1]]
            if all(branches):
                found = set().union(*branches)  # type: ignore[arg-type]
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            found = _sequence(list(av[2]), c)
        if found:
            options.append(found)
    if run:
        options.append({run})
    if not options:
        return None
    # the set whose shortest literal is longest passes the fewest texts
    return max(options, key=lambda s: (min(len(x) for x in s), -len(s)))
