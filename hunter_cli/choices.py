"""How a choice typed by a person is matched: any case, ``-`` and ``_`` alike, locales to languages.

Pure functions, no I/O. Every command matches its choice values through these (issue 16):
``--kind provider-changed`` is ``provider_changed``, ``--segment migration`` is ``Migration``,
``--lang TR`` and ``HUNTER_LANG=tr_TR.UTF-8`` are ``tr``.
"""

from __future__ import annotations

from collections.abc import Iterable


def normalize(value: str) -> str:
    """The form two choice values are compared in: case-folded, ``_`` read as ``-``, outer spaces dropped."""
    return value.strip().casefold().replace("_", "-")


def pick(value: str, allowed: Iterable[str]) -> str | None:
    """The member of ``allowed`` that ``value`` names (``"Provider-Changed"`` -> ``"provider_changed"``), or None."""
    key = normalize(value)
    for a in allowed:
        if normalize(a) == key:
            return a
    return None


def language(value: str, available: Iterable[str]) -> str | None:
    """The language of ``available`` that ``value`` names, or None.

    Takes a language code in any case (``TR``), a BCP 47 tag (``tr-TR``) or a POSIX locale
    (``tr_TR.UTF-8``, ``tr_TR@euro``): the language subtag before any region, encoding or modifier.
    """
    exact = pick(value, available)
    if exact is not None:
        return exact
    head = value.strip().split(".", 1)[0].split("@", 1)[0].replace("_", "-").split("-", 1)[0]
    return pick(head, available) if head else None
