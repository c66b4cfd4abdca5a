"""Pydantic models built from data that already passed their validation, without validating it again.

A stored view was a validated :class:`~hunter_cli.models.DomainResult` when Hunter wrote it, and the
bundled rules file is checked by the test suite; the reading commands (`sales-summary`, `leads
show`) only need them back as models. Validating them costs little per value, but the first
validation of a model builds its validator, and for the tree of models behind a lead view that is
most of the time such a command spends beyond Typer's own start-up. The models that reading
commands build this way are declared with ``defer_build=True``, so a command that never validates
one never builds its validator (pydantic builds it at the first validation or dump).

:func:`construct` gives what ``cls.model_validate(data)`` gives for such data: nested models as
models, lists as lists, tuples as tuples, defaults for what is missing (a nested model's default
built the same way), extra keys dropped, ``model_fields_set`` the keys given. It converts nothing
else: no coercion of types, no validators run. Never use it on data from outside (a user's file,
an HTTP answer); tests/test_startup.py checks it against ``model_validate`` on stored views and
the bundled rules. In a process that chose the light model base (:mod:`hunter_cli.modelbase`) the
same code builds the light models, from the same field table.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from .modelbase import BaseModel

M = TypeVar("M", bound=BaseModel)

_UNION = (typing.Union, types.UnionType)
_CONTAINERS = (list, dict, set, tuple)  # default factories that take no argument


def construct(cls: type[M], data: Mapping[str, Any]) -> M:
    """``cls`` from ``data`` (keys by field name or alias), as validation would build it from data it accepts."""
    values: dict[str, Any] = {}
    given: set[str] = set()
    for name, field in cls.model_fields.items():
        if field.alias is not None and field.alias in data:
            key = field.alias
        elif name in data:
            key = name
        else:
            factory = field.default_factory
            if isinstance(factory, type) and issubclass(factory, BaseModel):  # a nested model's default
                values[name] = construct(factory, {})
            elif factory in _CONTAINERS:  # made here: pydantic would parse list's signature each time (inspect)
                values[name] = factory()
            continue
        values[name] = _value(field.annotation, data[key])
        given.add(name)
    return cls.model_construct(_fields_set=given, **values)


def plain(model: BaseModel) -> dict[str, Any]:
    """The model's fields by name, one level deep (a nested model stays a model): ``model.model_dump()``
    of a model whose fields are plain values, without its serializer."""
    return {name: getattr(model, name) for name in type(model).model_fields}


def replaced(model: M, **changes: Any) -> M:
    """A copy of ``model`` (trusted: already validated) with ``changes`` to some fields, built by
    :func:`construct` without validating: what ``model.model_copy(update=changes)`` gives, with no pydantic."""
    return construct(type(model), {**plain(model), **changes})


def _value(annotation: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(annotation)
    args: tuple[Any, ...] = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _value(args[0], value)
    if origin in _UNION:
        options = [a for a in args if a is not type(None)]
        models = [a for a in options if isinstance(a, type) and issubclass(a, BaseModel)]
        if len(options) == 1:
            return _value(options[0], value)
        if models and isinstance(value, Mapping):
            return construct(models[0], value)
        return value
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return construct(annotation, value) if isinstance(value, Mapping) else value
    if origin is list:
        return [_value(args[0], v) for v in value] if args else list(value)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_value(args[0], v) for v in value)
        return tuple(_value(a, v) for a, v in zip(args, value, strict=True)) if args else tuple(value)
    if origin is dict:
        return {k: _value(args[1], v) for k, v in value.items()} if args else dict(value)
    if annotation is float and type(value) is int:
        return float(value)
    return value
