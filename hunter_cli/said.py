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


def stored(text: str) -> str:
    """``text`` as a database column keeps it: a :class:`Said` as JSON, so a later reader says it in
    its own language (:func:`from_stored`); any other text as it is.

    Shape: ``{"said": key, "values": {name: value}, "english": words or null}``, where a value that is a
    Said has the same shape, a list is a list of values, and any value that is not text, a number, a
    truth value or null is kept as its text. Nothing is redacted here: ``text`` must be already.
    """
    import json

    if not isinstance(text, Said):
        return str(text)
    return json.dumps(_said_data(text), ensure_ascii=False, separators=(",", ":"))


def _said_data(said: Said) -> dict:
    return {"said": said.key, "values": {k: _value_data(v) for k, v in said.values.items()}, "english": said.english}


def _value_data(value: Any) -> Any:
    if isinstance(value, Said):
        return _said_data(value)
    if isinstance(value, list | tuple):
        return [_value_data(v) for v in value]
    if value is None or type(value) in (str, int, float, bool):
        return value
    return str(value)


def from_stored(text: str | None) -> str | None:
    """What :func:`stored` wrote, as a :class:`Said` again; text written otherwise (by a release before
    these were kept as JSON, or a sentence whose message is gone) as it is. Never raises."""
    import json

    if not text or not text.startswith('{"said":'):
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return text
    try:
        return _said_of_data(data)
    except Exception:  # noqa: BLE001  a message that is gone or changed: its English words, else the text
        english = data.get("english") if isinstance(data, dict) else None
        return english if isinstance(english, str) and english else text


def _said_of_data(data: dict) -> Said:
    values = {str(k): _value_of_data(v) for k, v in dict(data["values"]).items()}
    english = data.get("english")
    said = (
        Said(str(data["said"]), **values) if english is None else Said.worded(str(english), str(data["said"]), **values)
    )
    for lang in ("en", "tr"):
        in_lang(said, lang)  # a message that is gone, or whose fields changed: the caller keeps the text
    return said


def _value_of_data(value: Any) -> Any:
    if isinstance(value, dict):
        return _said_of_data(value)
    if isinstance(value, list):
        return [_value_of_data(v) for v in value]
    return value


def said_of(exc: BaseException) -> str:
    """An exception's message: the :class:`Said` it was raised with, else ``str(exc)``."""
    first = exc.args[0] if len(exc.args) == 1 else None
    return first if isinstance(first, Said) else str(exc)
