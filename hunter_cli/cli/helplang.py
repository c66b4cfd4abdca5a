"""`--help` in the command's language: every command's help, its options' help, the command lists and
Click's own words (``Options``, ``[default: 3.0]``), in Turkish when the language is tr.

The language is the one a command would speak (docs/cli.md, "Choice values"): ``--lang X`` anywhere on
the command line (the root's or the command's), else HUNTER_LANG, else ``lang`` in the config file
(``--config FILE`` on the command line, HUNTER_CONFIG or the default place), else en: the order an
error is said in when the settings cannot be read (cli/usage.py ``early_lang``). Help loads no settings
(tests/test_config.py): the variable and the file's ``lang`` key are read as text by ``config.language``,
and a value that is not a language is passed over here (the command reports it).

The translations are data: ``help/<lang>.json`` beside this module, read only when help is shown in
that language, so English help costs the lookup of the language and nothing else. Its ``texts`` map
each English text as help shows it (:func:`key`: a command's help, its summary in a command list, an
option's or argument's help) to its translation; ``words`` hold Click's words. An English text without
a translation is shown as it is; tests/test_help_lang.py walks every command so that none lacks one
and none is left over. Names stay as typed: commands, options and values (``--format json``) read the
same in both languages; an argument's name and an option's value placeholder follow the usage line
(``ALAN_ADI``, ``--since SÜRE``; messages ``usage.metavar.*``), as the usage line is in the command's
language already (cli/usage.py).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from . import usage

_active: Helps | None = None  # the language of the help being written, None when English


def key(text: str) -> str:
    """``text`` (a docstring, an option's help) as ``texts`` holds it: paragraphs (blank-line separated)
    with their whitespace collapsed, since help rewraps each paragraph to the terminal's width (a
    docstring rewrapped in the source reads the same and needs no new translation)."""
    paragraphs = inspect.cleandoc(text).partition("\f")[0].split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


@functools.cache
def load(lang: str) -> dict[str, Any]:
    """``help/<lang>.json``: ``{"words": {...}, "texts": {English: translation}}``."""
    import json
    from importlib import resources

    text = resources.files("hunter_cli.cli").joinpath(f"help/{lang}.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


class Helps:
    """The translations of one language (``help/<lang>.json``) and its usage-line words (messages)."""

    def __init__(self, lang: str) -> None:
        from ..brief.messages import Messages

        data = load(lang)
        self.lang = lang
        self.words: dict[str, str] = data["words"]
        self.texts: dict[str, str] = data["texts"]
        self.messages = Messages(lang)

    def text(self, english: str) -> str:
        """The translation of ``english`` (any layout: :func:`key`), else ``english`` as it is."""
        return self.texts.get(key(english), english)

    def extras(self, bracket: str) -> str:
        """Click's ``[default: 3.0; 0.05<=x<=60; required]`` in this language (values as they are)."""
        pieces = []
        for piece in bracket.split("; "):
            word, sep, value = piece.partition(": ")
            if sep and word in self.words:
                pieces.append(f"{self.words[word]}: {value}")
            else:
                pieces.append(self.words.get(piece, piece))
        return "; ".join(pieces)


def help_lang() -> str:
    """The language help is shown in (this module's docstring): en or tr."""
    return usage.early_lang()


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """While active, help is written in ``lang`` (usage line included)."""
    global _active
    before = _active
    _active = None if lang == "en" else Helps(lang)
    try:
        with usage.speaking(lang):
            yield
    finally:
        _active = before


def install() -> None:
    """Make every command's help follow the command's language (idempotent; English is left as it is)."""
    from typer import core
    from typer._click import core as cc
    from typer._click import formatting

    if getattr(cc.Command, "_hunter_help_lang", False):
        return
    english_help = cc.Command.get_help
    english_text = cc.Command.format_help_text
    english_short = cc.Command.get_short_help_str
    english_heading = formatting.HelpFormatter.write_heading

    def get_help(self: Any, ctx: Any) -> str:
        with speaking(help_lang()):
            return english_help(self, ctx)

    def format_help_text(self: Any, ctx: Any, formatter: Any) -> None:
        if _active is None or self.help is None or self.deprecated:
            return english_text(self, ctx, formatter)
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(_active.text(self.help))

    def get_short_help_str(self: Any, limit: int = 45) -> str:
        if _active is None or self.deprecated or not (self.short_help or self.help):
            return english_short(self, limit)
        if self.short_help:
            return _active.text(self.short_help)
        from typer._click.utils import make_default_short_help

        return make_default_short_help(_active.text(self.help), limit)

    def write_heading(self: Any, heading: str) -> None:
        english_heading(self, heading if _active is None else _active.words.get(heading, heading))

    cc.Command.get_help = get_help  # type: ignore[method-assign]  # Click has no hook for a help's language
    cc.Command.format_help_text = format_help_text  # type: ignore[method-assign]
    cc.Command.get_short_help_str = get_short_help_str  # type: ignore[method-assign]
    formatting.HelpFormatter.write_heading = write_heading  # type: ignore[method-assign]
    for cls in (core.TyperOption, core.TyperArgument):
        cls.get_help_record = _record(cls.get_help_record)  # type: ignore[method-assign]
    cc.Command._hunter_help_lang = True  # type: ignore[attr-defined]  # the idempotence mark


def _record(english: Any) -> Any:
    """A parameter's ``get_help_record`` that, in help of another language, says the parameter's help in
    it, Click's bracket after it (``[default: ...]``) too, and an argument's name as the usage line does."""

    def get_help_record(self: Any, ctx: Any) -> tuple[str, str] | None:
        record = english(self, ctx)
        if record is None or _active is None:
            return record
        name, text = record
        own = self.help or ""
        if own and text.startswith(own):
            text, rest = _active.text(own), text[len(own) :]
        else:
            text, rest = "", text
        if rest.strip():  # Click's "  [default: 2; 0<=x<=10]" (or the whole text of a parameter without help)
            head, bracket = rest.rstrip().removesuffix("]").rsplit("[", 1)
            rest = f"{head}[{_active.extras(bracket)}]"
        # an argument's name and an option's value placeholder (``--since DURATION``) as the usage line says them
        name = usage.placeholders(name, _active.messages)
        return name, text + rest

    return get_help_record
