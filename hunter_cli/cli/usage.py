"""Usage errors (a mistyped option, a missing argument, a bad value) in the command's language.

Typer's Click prints them in English whatever the language ("Usage: ... Try 'hunter scan -h' for help.
Error: No such option: --bogus"). :func:`install` makes them follow ``--lang`` (or HUNTER_LANG, ``lang`` in
the config file): in Turkish the frame and the messages Click and Hunter's own option parsing word the
same way every time are said from the exception's fields (messages ``usage.*``); a message a command wrote
itself is kept as it is. English stays Click's own text, byte for byte.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from ..said import Said, in_lang

# Messages that come as text (Click's parser, hunter_cli/choices.py, cli/coerce.py): pattern -> message key.
_WORDED = (
    (re.compile(r"Got unexpected extra argument(?:\(s\)|s)? \((?P<args>.*)\)"), "usage.extra"),
    (re.compile(r"Option (?P<opt>'[^']*') requires an argument\."), "usage.needs_value"),
    (re.compile(r"Option (?P<opt>'[^']*') requires (?P<n>\d+) arguments\."), "usage.needs_values"),
    (re.compile(r"Option (?P<opt>'[^']*') does not take a value\."), "usage.takes_no_value"),
    (re.compile(r"No such command (?P<name>'[^']*')\."), "usage.no_command"),
    (re.compile(r"Missing command\."), "usage.missing_command"),
    (re.compile(r"(?P<value>'.*') is not a whole number"), "usage.not_whole"),
    (re.compile(r"(?P<value>\S+) is below the lowest allowed value, (?P<low>\S+)"), "usage.below"),
    (re.compile(r"(?P<value>\S+) is above the highest allowed value, (?P<high>\S+)"), "usage.above"),
    (re.compile(r"(?P<value>'.*') is not yes or no"), "usage.not_yes_no"),
    (re.compile(r"(?P<value>'.*') is not a finite number"), "usage.not_finite"),
    (re.compile(r"(?P<value>'.*') is not a number"), "usage.not_number"),
    (re.compile(r"(?P<value>'.*') is not an? [^;]+; use (?P<instead>--\S+ \S+) instead"), "usage.use_instead"),
    (
        re.compile(
            r"(?P<value>'.*') is not an? (?P<what>[^;]+); use one of: (?P<choices>.+?)"
            r"(?P<also> \(prefix - for descending\)| or a hosting brand such as Natro)?"
            r"(?:; did you mean (?P<near>.+)\?)?"
        ),
        "usage.not_one_of",
    ),
)
_ALSO = {  # what follows the choices in some messages (choices.unknown's ``also``): its message
    " (prefix - for descending)": "usage.also.descending",
    " or a hosting brand such as Natro": "usage.also.hosting",
}
_PARAM_TYPES = {"argument": "usage.missing_argument", "option": "usage.missing_option"}


_command_line: list[str] | None = None  # the words after `hunter`, as the root group was given them
_speaking: str | None = None  # the language of the usage error or help being shown (its usage line follows it)


def remember(args: list[str]) -> None:
    """Keep the command line's words (the root group's ``parse_args`` gives them) for :func:`lang`."""
    global _command_line
    _command_line = list(args)


def words() -> list[str]:
    """The command line's words after ``hunter`` (:func:`remember`, else ``sys.argv``)."""
    return _command_line if _command_line is not None else sys.argv[1:]


def option_values(option: str, argv: list[str]) -> list[str]:
    """Every value ``option`` (``--lang``) is given on the command line ``argv``, ``--lang X`` or ``--lang=X``,
    in order; none after ``--``, where the inputs begin."""
    found = []
    for i, word in enumerate(argv):
        if word == "--":
            break
        if word == option and i + 1 < len(argv):
            found.append(argv[i + 1])
        elif word.startswith(option + "="):
            found.append(word.partition("=")[2])
    return found


def typed_lang(argv: list[str] | None = None) -> str | None:
    """The language the command line names with ``--lang X`` (or ``--lang=X``; ``TR``, ``tr_TR.UTF-8``), the
    last one that names a language (a command's own ``--lang`` after the root's), else None."""
    values = option_values("--lang", argv if argv is not None else words())
    if not values:
        return None
    from ..brief.messages import LANGUAGES
    from ..choices import language

    named = [found for found in (language(value, LANGUAGES) for value in values) if found is not None]
    return named[-1] if named else None


def lang(argv: list[str] | None = None, settings: bool = True) -> str:
    """The language a usage error is said in: ``--lang X`` on the command line when X is a language
    (:func:`typed_lang`), else the ``lang`` setting (HUNTER_LANG, the config file), else en. A usage error
    stops the parsing that would have read ``--lang``, so the command line (:func:`remember`) is read again."""
    from ..brief.messages import LANGUAGES

    typed = typed_lang(argv)
    if typed is not None:
        return typed
    if not settings:  # the command line only
        return "en"
    from .. import config

    try:
        setting = config.current().values["lang"] or "en"  # read now: the root command never ran
    except Exception:  # noqa: BLE001 - a bad config file is the command's to report, not the usage error's
        return early_lang(argv)  # the file's lang key even so, or HUNTER_LANG
    return setting if setting in LANGUAGES else "en"


def early_lang(argv: list[str] | None = None) -> str:
    """The language found without loading the settings (help, and errors when the settings cannot be
    read): ``--lang X`` on the command line (:func:`typed_lang`), else HUNTER_LANG, else ``lang`` in the
    config file (``--config FILE`` on the command line, HUNTER_CONFIG or the default place) even when
    another key of it is wrong, else en (hunter_cli/config.py :func:`~hunter_cli.config.language`)."""
    typed = typed_lang(argv)
    if typed is not None:
        return typed
    from pathlib import Path

    from .. import config

    given = option_values("--config", argv if argv is not None else words())
    return config.language(Path(given[-1]).expanduser() if given else None)


def reworded(message: str, m: Any) -> str:
    """``message`` (a text Click or Hunter's option parsing wrote) in ``m``'s language where it is one of
    the fixed forms of :data:`_WORDED`, else as it is."""
    for pattern, key in _WORDED:
        found = pattern.fullmatch(message.strip())
        if found:
            values = {k: v for k, v in found.groupdict().items() if v is not None}
            also = values.pop("also", None)  # what follows the choices (choices.unknown's ``also``)
            what = values.pop("what", None)
            if what is not None and m.lang != "en":  # Turkish `Soğuk`, `Pas`: what the table in front of them shows
                from ..choices import shown

                values["choices"] = ", ".join(shown(c, what, m.lang) for c in values["choices"].split(", "))
                if "near" in values:
                    values["near"] = shown(values["near"], what, m.lang)
            if also is not None:
                values["choices"] += m(_ALSO[also])
            if key == "usage.not_one_of" and "near" in values:
                return m("usage.not_one_of_near", **values)
            return m(key, **values)
    return message


def error_text(exc: Any, m: Any) -> str:
    """What follows "Error:" for a Click ``UsageError`` ``exc``, from its fields, in ``m``'s language."""
    from typer._click import exceptions as ce

    if isinstance(exc, ce.NoSuchOption):
        text = m("usage.no_option", option=exc.option_name)
        if exc.possibilities:
            text += m("usage.possible", options=", ".join(sorted(exc.possibilities)))
        return text
    if isinstance(exc, ce.MissingParameter):
        hint = exc.param_hint
        if hint is None and exc.param is not None:
            hint = exc.param.get_error_hint()
        hint = ce._join_param_hints(hint) or ""
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
        text = m(_PARAM_TYPES.get(kind, "usage.missing_parameter"), name=hint)
        extra = exc.param.get_missing_message(ctx=exc.ctx) if exc.param is not None else ""
        if extra and extra.startswith("Choose from:"):
            extra = m("usage.choose_from") + extra.removeprefix("Choose from:")
        return f"{text} {extra}".rstrip() if extra else text
    if isinstance(exc, ce.BadParameter):
        # Hunter's own messages come as a Said (said in the error's language), Click's as text
        body = in_lang(exc.message, m.lang) if isinstance(exc.message, Said) else reworded(exc.message, m)
        hint = exc.param_hint
        if hint is None and exc.param is not None:
            hint = exc.param.get_error_hint()
        if hint is None:
            return m("usage.invalid", message=body)
        # an argument is named as the usage line above names it (DOMAIN is ALAN_ADI in Turkish)
        return m("usage.invalid_for", param=placeholders(ce._join_param_hints(hint) or "", m), message=body)
    return reworded(exc.format_message(), m)


def install() -> None:
    """Make Click's usage errors speak the command's language (idempotent; English is left to Click)."""
    from typer._click import exceptions as ce

    if getattr(ce.UsageError, "_hunter_lang", False):
        return
    english_show = ce.UsageError.show

    def show(self: Any, file: IO[Any] | None = None) -> None:
        if isinstance(self, ce.NoArgsIsHelpError):
            return english_show(self, file)
        language = lang()
        if language == "en":
            return english_show(self, file)
        from typer._click._compat import get_text_stderr
        from typer._click.utils import echo

        from ..brief.messages import Messages

        m = Messages(language)
        lines = []
        if self.ctx is not None:
            prefix = m("usage.usage", usage="").strip()
            with speaking(language):  # the usage line in the error's language (_install_usage_line)
                usage = self.ctx.get_usage().strip().removeprefix(prefix).removeprefix("Usage:").strip()
            lines.append(m("usage.usage", usage=usage))
            if self.ctx.command.get_help_option(self.ctx) is not None:
                lines.append(m("usage.try_help", command=f"{self.ctx.command_path} {self.ctx.help_option_names[0]}"))
            lines.append("")
        error = m("usage.error", message=error_text(self, m))
        from ..render.formats import message_console

        console = message_console()
        if console.is_terminal:  # a long list of choices folded at the terminal's width, as every message (trial 32)
            import textwrap

            error = textwrap.fill(error, console.width, break_on_hyphens=False)
        lines.append(error)
        color = self.ctx.color if self.ctx is not None else None
        echo("\n".join(lines), file=file or get_text_stderr(), color=color)

    ce.UsageError.show = show  # type: ignore[method-assign]  # Click has no hook for its wording
    ce.UsageError._hunter_lang = True  # type: ignore[attr-defined]  # the idempotence mark
    _install_group_menu()
    _install_usage_line()


def _install_group_menu() -> None:
    """`hunter` or a group (`hunter db`, `hunter rules`) run alone prints its help on stdout with exit
    status 0, as `--help` does: asking for the menu is no usage error (docs/cli.md). A command run
    without the argument it needs (`hunter scan`) still prints its help on stderr with exit status 2."""
    from typer._click import exceptions as ce

    english_init = ce.NoArgsIsHelpError.__init__

    def init(self: Any, ctx: Any) -> None:
        english_init(self, ctx)
        if hasattr(ctx.command, "commands"):  # a group (Typer 0.29 carries its own click, with no Group class)
            self.exit_code = 0

    english_show = ce.NoArgsIsHelpError.show

    def show(self: Any, file: IO[Any] | None = None) -> None:
        if self.exit_code == 0 and file is None:
            from typer._click.utils import echo

            echo(self.format_message(), color=self.ctx.color)  # stdout, as --help
            return
        english_show(self, file)

    ce.NoArgsIsHelpError.__init__ = init  # type: ignore[method-assign]
    ce.NoArgsIsHelpError.show = show  # type: ignore[method-assign]


# A usage line's placeholders: [OPTIONS], COMMAND, [ARGS]..., DOMAIN, TAG..., FILE, HOST[:PORT].
_PLACEHOLDER = re.compile(r"(?<![\w-])[A-Z][A-Z0-9_]*(?![\w-])")


def placeholders(usage: str, m: Any) -> str:
    """A usage line's placeholders in ``m``'s language (messages ``usage.metavar.WORD``: Turkish
    ``[OPTIONS]`` is ``[SEÇENEKLER]``, ``DOMAIN`` is ``ALAN_ADI``); a word without one as it is (``URL``)."""

    def said(found: re.Match[str]) -> str:
        key = f"usage.metavar.{found.group(0)}"
        return str(m(key)) if m.has(key) else found.group(0)

    return _PLACEHOLDER.sub(said, usage)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """While active, usage lines are in ``language`` (help in that language: cli/helplang.py)."""
    global _speaking
    before, _speaking = _speaking, language
    try:
        yield
    finally:
        _speaking = before


def _install_usage_line() -> None:
    """Make every command's usage line (in ``-h`` and above a usage error) follow the command's language:
    ``Kullanım: hunter leads [SEÇENEKLER] KOMUT [ARGÜMANLAR]...`` in Turkish (messages ``usage.usage``,
    ``usage.metavar.*``). English stays Click's own line."""
    from typer._click import core as cc

    english = cc.Command.format_usage

    def format_usage(self: Any, ctx: Any, formatter: Any) -> None:
        language = _speaking or lang(settings=False)
        if language == "en":
            return english(self, ctx, formatter)
        from ..brief.messages import Messages

        m = Messages(language)
        pieces = placeholders(" ".join(self.collect_usage_pieces(ctx)), m)
        formatter.write_usage(ctx.command_path, pieces, prefix=m("usage.usage", usage="").rstrip() + " ")

    cc.Command.format_usage = format_usage  # type: ignore[method-assign]  # Click has no hook for its wording
