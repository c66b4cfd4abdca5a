"""Per-language message files. Every human sentence of the brief lives in them."""

from __future__ import annotations

import functools
import json
from importlib import resources

LANGUAGES = ("en", "tr")


@functools.cache
def load(lang: str) -> dict:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of: {', '.join(LANGUAGES)}")
    text = resources.files("hunter_cli.brief").joinpath(f"messages/{lang}.json").read_text("utf-8")
    return json.loads(text)


class Messages:
    """``m("key", name=value)`` formats one message; lists come back as lists of formatted strings."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.data = load(lang)

    def __call__(self, key: str, **values):
        value = self.data[key]
        if isinstance(value, list):
            return [v.format(**values) for v in value]
        return value.format(**values)

    def has(self, key: str) -> bool:
        return key in self.data
