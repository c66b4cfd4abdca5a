"""Sentences a command prints to people (errors, warnings, notes), kept in the message files.

A :class:`Said` is the English sentence (``cli.*`` in hunter_cli/brief/messages/en.json) as a
plain ``str``, so every layer that makes one can keep passing and joining text as before; it
also remembers its key and values, so a command run with ``--lang tr`` prints the same sentence
from tr.json (:func:`in_lang`). Values may be Said themselves (a failure's words inside a
sentence): they follow the sentence's language; a list of values is written joined by ", ".
:meth:`Said.worded` is a sentence whose English is words Hunter did not write (Python's reason a
file cannot be read, tomllib's for a syntax error), kept as they were, and whose other languages are
the key's. Pure; the message files are read once.
"""

from __future__ import annotations

from typing import Any


class Said(str):
    """``Said("cli.key", name=value)``: the English sentence of ``cli.key`` with its values filled in."""

    key: str
    values: dict[str, Any]
    english: str | None = None  # the English words as given (:meth:`worded`), else None: en.json's

    def __new__(cls, key: str, **values: Any) -> Said:
        obj = super().__new__(cls, _format(key, values, "en"))
        obj.key, obj.values = key, values
        return obj

    @classmethod
    def worded(cls, english: str, key: str, **values: Any) -> Said:
        """``english`` as it is in English (``[Errno 13] Permission denied: '/etc/x'``), and ``key``'s
        sentence with ``values`` in any other language (tr: ``erişim izni yok``)."""
        obj = super().__new__(cls, english)
        obj.key, obj.values, obj.english = key, values, english
        return obj

    def __reduce__(self):
        # a Said crosses to another process (the scan's writer) with its key, so the command there says
        # it in its own language; one holding a value that is not plain text or a number, as its sentence
        if all(_plain(v) for v in self.values.values()):
            return (_said, (self.key, self.values, self.english))
        return (str, (str(self),))


def _said(key: str, values: dict[str, Any], english: str | None = None) -> Said:
    return Said(key, **values) if english is None else Said.worded(english, key, **values)


def _plain(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    return value is None or type(value) in (str, int, float, bool) or isinstance(value, Said)


def in_lang(text: object, lang: str | None) -> str:
    """``text`` in ``lang`` (en, tr) when it is a :class:`Said`; any other text as it is."""
    if not isinstance(text, Said) or lang in (None, "en"):
        return str(text)
    return _format(text.key, text.values, lang)


def _format(key: str, values: dict[str, Any], lang: str) -> str:
    from .brief.messages import Messages

    def word(v: Any) -> Any:
        if isinstance(v, list | tuple):
            return ", ".join(word(x) for x in v)
        return in_lang(v, lang) if isinstance(v, Said) else v

    return Messages(lang)(key, **{k: word(v) for k, v in values.items()})


def said_of(exc: BaseException) -> str:
    """An exception's message: the :class:`Said` it was raised with, else ``str(exc)``."""
    first = exc.args[0] if len(exc.args) == 1 else None
    return first if isinstance(first, Said) else str(exc)
