"""Per-language message files. Every human sentence of the brief lives in them."""

from __future__ import annotations

import functools
import json
import string
from importlib import resources

from .localize import MessageFormatter

LANGUAGES = ("en", "tr")


@functools.cache
def load(lang: str) -> dict:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of: {', '.join(LANGUAGES)}")
    text = resources.files("hunter_cli.brief").joinpath(f"messages/{lang}.json").read_text("utf-8")
    return json.loads(text)


@functools.cache
def _plain(template: str) -> bool:
    """Whether ``template``'s fields are all bare ``{name}`` (no format spec, no conversion)."""
    return all(not spec and conv is None for _, name, spec, conv in string.Formatter().parse(template) if name)


class Messages:
    """``m("key", name=value)`` formats one message; lists come back as lists of formatted strings.

    Dates, numbers and percentages among the values are written as the language writes
    them (hunter_cli/brief/localize.py): pass a :class:`datetime.date`, not its ISO text.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.data = load(lang)
        self.formatter = MessageFormatter(lang)

    def __call__(self, key: str, **values):
        value = self.data[key]
        if isinstance(value, str) and _plain(value) and all(type(v) is str for v in values.values()):
            return value.format_map(values)  # text into bare fields: nothing to localize (`hunter changes`' pace)
        if isinstance(value, list):
            return [self.formatter.vformat(v, (), values) for v in value]
        return self.formatter.vformat(value, (), values)

    def label(self, group: str, value: str | None, default: str | None = None) -> str:
        """The message ``group.value`` (an enumeration's word in this language); ``default`` when there is none.

        ``default`` None means the ``group.other`` message with the raw value in it.
        """
        key = f"{group}.{value}"
        if value is not None and key in self.data:
            return self(key)
        if default is not None:
            return default
        return self(f"{group}.other", value=value or "?")

    def has(self, key: str) -> bool:
        return key in self.data
