"""Option values of the plain kinds (text, whole and decimal numbers, paths, flags, lists of them)
turned into Python values without pydantic.

Typer 0.29 coerces every option of the command being run through a pydantic ``TypeAdapter`` that
it builds at each run: for ``hunter leads`` (29 options) that is pydantic's import, its plugin
loader and 27 adapters, about 100 ms before the command starts, half the start-up budget of
issue 15. :func:`install` gives options of the plain kinds a coercion of their own with the same
results and plain messages ("--limit: 'abc' is not a whole number"), and choices (Enums,
Literals) Typer's own matching without the adapter; everything else (dates, files, custom
parsers, path checks) still goes through Typer's own. ``tests/test_startup.py`` checks that
``hunter leads`` does not import pydantic, and the CLI tests check the values and messages.
"""

from __future__ import annotations

import enum
import math
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_PLAIN = (str, int, float, bool, Path)
# Typer's path options as declared with no checks: any other value is a check Typer makes itself.
_PATH_DEFAULTS = {
    "exists": False,
    "file_okay": True,
    "dir_okay": True,
    "writable": False,
    "readable": True,
    "resolve_path": False,
    "allow_dash": False,
    "path_type": None,
}


def _leaf(annotation: Any) -> Any:
    """The plain type of ``annotation`` (``str``, ``int | None``, an Enum, a Literal) or None."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _leaf(args[0]) if len(args) == 1 else None
    if annotation in _PLAIN or origin is typing.Literal:
        return annotation
    return annotation if isinstance(annotation, type) and issubclass(annotation, enum.Enum) else None


def plain_type(annotation: Any, info: Any) -> tuple[Any, bool] | None:
    """``(leaf type, is a list)`` for an option this module coerces, None for Typer's own.

    Options with a custom parser or Click type, a clamp, or path checks (``exists``, ``dir_okay``,
    ...) are left to Typer."""
    if getattr(info, "parser", None) is not None or getattr(info, "click_type", None) is not None:
        return None
    if getattr(info, "clamp", False):
        return None
    many = typing.get_origin(annotation) is list
    leaf = _leaf(typing.get_args(annotation)[0] if many else annotation)
    if leaf is None:
        return None
    if leaf is Path and any(getattr(info, k, d) != d for k, d in _PATH_DEFAULTS.items()):
        return None
    return leaf, many


_NUMBER_WORDS = {int: "a whole number", float: "a number"}
# The largest whole number any option takes when it names no maximum of its own: SQLite's INTEGER
# (a signed 64-bit number), which every count and limit ends up compared with.
LARGEST_WHOLE = 2**63 - 1
_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off", ""})


def convert(leaf: type, value: Any, info: Any) -> Any:
    """One value as ``leaf``; ValueError with a plain message when it cannot be."""
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    if leaf is str:
        return str(value)
    if leaf is Path:
        return value if isinstance(value, Path) else Path(value)
    if leaf is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"{value!r} is not yes or no")
    # int or float
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{value!r} is not {_NUMBER_WORDS[leaf]}")
    try:
        number = leaf(value.strip()) if isinstance(value, str) else leaf(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not {_NUMBER_WORDS[leaf]}") from None
    if leaf is int and isinstance(value, float) and value != number:
        raise ValueError(f"{value!r} is not {_NUMBER_WORDS[leaf]}")
    if leaf is float and not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    low, high = getattr(info, "min", None), getattr(info, "max", None)
    if leaf is int:
        low = -LARGEST_WHOLE - 1 if low is None else low
        high = LARGEST_WHOLE if high is None else high
    if low is not None and number < low:
        raise ValueError(f"{value} is below the lowest allowed value, {low}")
    if high is not None and number > high:
        raise ValueError(f"{value} is above the highest allowed value, {high}")
    return number


def install() -> None:
    """Give Typer's parameters the plain coercion where :func:`plain_type` says it applies.

    Only where Typer has the internals this relies on (0.29's ``_coercion.RuntimeParam`` and
    ``core._TyperParameter.get_runtime_param``); with another Typer nothing is changed."""
    try:
        from typer import _coercion, _param_types, core
    except ImportError:  # a Typer without per-run adapters, or one that moved them: leave it be
        return
    parameter = getattr(core, "_TyperParameter", None)
    if (
        parameter is None
        or not hasattr(parameter, "get_runtime_param")
        or not hasattr(_coercion, "RuntimeParam")
        or not hasattr(_param_types, "coerce_cli_choice")
    ):
        return
    if getattr(parameter, "_hunter_plain", False):
        return

    @dataclass(frozen=True)
    class PlainRuntimeParam(_coercion.RuntimeParam):
        leaf: Any = str
        many: bool = False
        choices: tuple[Any, ...] | None = None  # an Enum's members or a Literal's values

        def _one(self, value: Any, ctx: Any) -> Any:
            if self.choices is None:
                return convert(self.leaf, value, self.parameter_info)
            from typer._param_types import coerce_cli_choice  # Typer's own matching, without pydantic

            return coerce_cli_choice(
                value, choices=self.choices, case_sensitive=self.parameter_info.case_sensitive, ctx=ctx
            )

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            from typer._click.exceptions import BadParameter

            try:
                if self.many:
                    items = value if isinstance(value, list | tuple) else [value]
                    return [self._one(v, ctx) for v in items]
                return self._one(value, ctx)
            except ValueError as exc:
                raise BadParameter(str(exc), ctx=ctx, param=param) from None

    original = core._TyperParameter.get_runtime_param

    def get_runtime_param(self: Any) -> Any:
        if self._runtime_param is None:
            desc = self.type_descriptor
            plain = None if desc.file_annotation is not None else plain_type(desc.annotation, desc.parameter_info)
            if plain is None:
                return original(self)
            leaf, many = plain
            self._runtime_param = PlainRuntimeParam(
                parameter_info=desc.parameter_info,
                annotation=desc.annotation,
                leaf=leaf,
                many=many,
                choices=None if leaf in _PLAIN else desc.choices,
            )
        return self._runtime_param

    core._TyperParameter.get_runtime_param = get_runtime_param  # type: ignore[method-assign]  # the point
    core._TyperParameter._hunter_plain = True  # type: ignore[attr-defined]  # installed once
