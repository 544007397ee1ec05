"""How messages quote values, list names and suggest a close match: one style for every rule."""

from __future__ import annotations


def quote(text: str) -> str:
    """A value a user wrote (a template, a name), as a message quotes it: at most 80 characters."""
    from store_gate.display import bounded

    return '"' + bounded(text) + '"'


def names(items: list[str] | tuple[str, ...]) -> str:
    return ", ".join(items) if items else "none"


def did_you_mean(word: str, candidates: list[str] | tuple[str, ...]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {quote(close[0])}?)" if close else ""
