"""Small pieces of English every command's messages share: counts with their noun, empty states."""

from __future__ import annotations

# Irregular plurals of the nouns Hunter counts.
_PLURALS = {"entry": "entries", "company": "companies", "match": "matches", "was": "were", "is": "are"}

# What a list command says when the database holds no lead at all (docs/cli.md, "Empty states").
NO_LEADS = "No leads yet: run `hunter scan FILE` or `hunter import FILE`."


def plural(n: int, noun: str, many: str | None = None) -> str:
    """``plural(1, "domain")`` -> ``"1 domain"``; ``plural(2, "domain")`` -> ``"2 domains"`` (thousands with commas)."""
    word = noun if n == 1 else (many or _PLURALS.get(noun, noun + "s"))
    return f"{n:,} {word}"
