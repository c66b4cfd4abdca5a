"""Plain metavars in `--help` and one normalisation for choice values, for every command.

Typer (0.29) prints an option's Python type where no metavar is given (``--kind <list[str]>``,
``--timeout <float range>``) and an argument's twice (``{INPUT...}...``, ``domain <str>``).
:func:`install` makes help show plain names instead (``--kind KIND``, ``--db PATH``,
``-f, --format [table|json|csv]``, ``hunter scan [OPTIONS] INPUT...``): the declared ``metavar``
when there is one, else a name from :data:`METAVARS` or from the type. tests/test_cli_help.py walks
every command's help to keep it so.

:func:`normalize_token` is the context's ``token_normalize_func``: choice values match whatever
their case and with ``-`` and ``_`` interchangeable (``--format JSON``, ``--kind provider-changed``).
"""

from __future__ import annotations

from typing import Any

# Metavars by parameter name, where the type alone would say too little.
METAVARS = {
    "db": "PATH",
    "rules": "FILE",
    "nameserver": "HOST[:PORT]",
    "timeout": "SECONDS",
    "kind": "KIND",
    "lang": "LANG",
    "since": "DURATION",
    "url": "URL",
    "client_id": "ID",
    "status_": "STATUS",
    "type_": "TYPE",
}


def normalize_token(value: str) -> str:
    """``Provider_Changed`` -> ``provider-changed``: how option values and command names are compared.

    Click also passes option names through this function, without their dashes; one-letter
    names are left as typed, so that ``-V`` (version) and ``-v`` (verbose) stay two options."""
    if len(value) == 1:
        return value
    from ..choices import normalize

    return normalize(value)


def _type_metavar(param: Any) -> str:
    if param.name in METAVARS:
        return METAVARS[param.name]
    desc = param.type_descriptor  # Typer's view of the annotation
    if desc.is_choice:
        return "[" + "|".join(str(getattr(c, "value", c)) for c in desc.choices) + "]"
    if desc.is_path:
        return "PATH"
    annotation = desc.annotation
    if desc.is_list:
        annotation = getattr(annotation, "__args__", (str,))[0]
    if annotation is int:
        return "N"
    if annotation is float:
        return "NUMBER"
    return (param.name or "value").upper().strip("_")


def option_metavar(param: Any) -> str:
    """The plain metavar help shows for an option's value (a Typer option)."""
    return param.metavar or _type_metavar(param)


def argument_metavar(param: Any) -> str:
    """``DOMAIN``, ``TAG...``, ``[DOMAIN]...``: an argument as the usage line and help show it."""
    name = param.metavar or (param.name or "arg").upper()
    if param.nargs != 1 and not name.endswith("..."):
        name += "..."
    return name


def install() -> None:
    """Make Typer's option and argument classes print plain metavars (idempotent)."""
    from typer import core

    if getattr(core.TyperOption, "_hunter_plain", False):
        return

    def option_display(self: Any, ctx: Any) -> str:
        return option_metavar(self)

    def argument_display(self: Any, ctx: Any) -> str | None:
        return None  # the name column already says it

    def argument_name(self: Any) -> str:
        return argument_metavar(self)

    def argument_usage(self: Any) -> str:
        name = argument_metavar(self)
        return name if self.required else f"[{name}]"

    core.TyperOption.display_type_rich = option_display  # type: ignore[method-assign]  # Typer has no hook
    core.TyperArgument.display_type_rich = argument_display  # type: ignore[method-assign]  # Typer has no hook
    core.TyperArgument._rich_display_name = argument_name  # type: ignore[method-assign]  # Typer has no hook
    core.TyperArgument._usage_display_name = argument_usage  # type: ignore[method-assign]  # Typer has no hook
    _install_choice_hint()
    _install_whole_words()
    core.TyperOption._hunter_plain = True  # type: ignore[attr-defined]  # the idempotence mark


def _install_choice_hint() -> None:
    """A bad ``--format`` (any Enum or Literal choice) lists the choices and names the nearest one, as
    every other choice option does (:func:`hunter_cli.choices.unknown`): ``'jsn' is not a valid
    choice; use one of: table, json, ndjson, csv; did you mean json?``.

    Choices are matched by ``typer._param_types.coerce_cli_choice`` (cli/coerce.py calls it without
    pydantic, looking it up at each call); it is replaced here by one that words the failure so.
    A Typer without that function keeps its own message.
    """
    try:
        from typer import _param_types
    except ImportError:  # another Typer: its own message
        return
    original = getattr(_param_types, "coerce_cli_choice", None)
    if original is None or getattr(original, "_hunter_hint", False):
        return

    def coerce_cli_choice(value: Any, *, choices: Any, case_sensitive: bool, ctx: Any = None) -> Any:
        try:
            return original(value, choices=choices, case_sensitive=case_sensitive, ctx=ctx)
        except ValueError:
            from ..choices import unknown

            allowed = [str(getattr(c, "value", c)) for c in choices]
            raise ValueError(unknown(str(value), allowed, "choice", article="a valid")) from None

    coerce_cli_choice._hunter_hint = True  # type: ignore[attr-defined]  # the idempotence mark
    _param_types.coerce_cli_choice = coerce_cli_choice  # Typer has no hook for the message


def _install_whole_words() -> None:
    """Help wraps between words only: never ``exchange-`` / ``online``, never ``--max-`` / ``age``,
    never a ``[default: ...]`` cut inside a word. Click's wrapper breaks on hyphens and cuts words
    longer than the column; here both are off (a word too long for its column starts a line of its
    own; help texts keep their words short enough: tests/test_cli_manners.py walks every help at 80)."""
    try:
        from typer._click import _textwrap  # Typer 0.29 carries its own click
    except ImportError:  # a Typer that moved it: its own wrapping stays
        return
    import textwrap

    base = _textwrap.TextWrapper
    if getattr(base, "_hunter_whole_words", False):
        return

    class WholeWords(base):  # type: ignore[valid-type, misc]  # a class chosen at run time
        _hunter_whole_words = True

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("break_on_hyphens", False)
            kwargs.setdefault("break_long_words", False)
            super().__init__(*args, **kwargs)

        def _handle_long_word(self, reversed_chunks: Any, cur_line: Any, cur_len: int, width: int) -> None:
            # click's own cuts every long word; the standard library's keeps it whole (break_long_words)
            textwrap.TextWrapper._handle_long_word(self, reversed_chunks, cur_line, cur_len, width)

    _textwrap.TextWrapper = WholeWords  # type: ignore[misc]  # wrap_text imports it at each call
