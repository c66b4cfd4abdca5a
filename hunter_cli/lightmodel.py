"""A light stand-in for pydantic's ``BaseModel``, for a process that only reads trusted stored data.

`hunter sales-summary` and `hunter leads show` build their models from a stored view (validated when
Hunter wrote it) and the bundled data files, with :func:`hunter_cli.trusted.construct`, which never
validates. Importing pydantic and defining the lead view's thirty-odd model classes with it was most of
what these commands spent beyond Typer's own start-up (docs/performance.md). When such a command
selects it (:func:`hunter_cli.modelbase.trusted_reading`, before any model module is imported), the
model modules define their classes on :class:`BaseModel` here instead: the same field table
(``model_fields``: names, aliases, defaults, default factories, annotations resolved on first use),
attribute access, ``model_fields_set``, ``model_construct`` and the plain ``model_dump()``, with
pydantic's behaviour for each; validators are not run (construct() runs none either).

Anything else fails loudly instead of differing: validating (``Model(...)``, ``model_validate``,
``model_validate_json``) raises :class:`ValidationRefused`, as do pydantic's other ``model_*``
methods (a JSON dump, a copy, a schema); the commands that need them keep pydantic.
tests/test_startup.py prints every stored view of the loopback zones both ways and compares the text.
"""

from __future__ import annotations

import copy
import typing
from collections.abc import Callable
from typing import Any, NoReturn

from .modelbase import NAMES

__all__ = sorted(NAMES | {"ValidationRefused"})  # the names hunter_cli.modelbase hands out, and our own error

StrictBool = bool  # pydantic's are Annotated[bool, Strict()]: the strictness is validation's, never run here
StrictInt = int


class ValidationRefused(RuntimeError):
    """A model of a trusted-reading process was asked to validate (or to do what only pydantic does)."""


class ValidationError(ValueError):
    """Never raised: a light model does not validate (it raises :class:`ValidationRefused`). Code that
    catches pydantic's ``ValidationError`` catches this name in a trusted-reading process."""


def _refuse(what: str) -> NoReturn:
    raise ValidationRefused(
        f"{what}: this process chose Hunter's light model base for reading trusted stored data "
        "(hunter_cli/modelbase.py), which validates nothing; validation needs pydantic's models"
    )


class _Undefined:
    def __repr__(self) -> str:
        return "PydanticUndefined"


UNDEFINED: Any = _Undefined()
_UNRESOLVED: Any = object()
_IMMUTABLE = (type(None), bool, int, float, complex, str, bytes, type, range, frozenset)


class FieldInfo:
    """One field as ``model_fields`` gives it: ``default`` (UNDEFINED when there is none), ``default_factory``,
    ``alias``, ``exclude`` and ``annotation`` (the resolved type, evaluated from the declaring class's module
    the first time it is asked for)."""

    __slots__ = ("_annotation", "_owner", "alias", "default", "default_factory", "exclude", "name", "repr")

    def __init__(self, default: Any = UNDEFINED, default_factory: Callable[[], Any] | None = None, **kw: Any) -> None:
        self.default = default
        self.default_factory = default_factory
        self.alias: str | None = kw.get("alias")
        self.exclude: bool | None = kw.get("exclude")
        self.repr: bool = kw.get("repr", True)
        self.name = ""
        self._owner: type[BaseModel] | None = None
        self._annotation = _UNRESOLVED

    @property
    def annotation(self) -> Any:
        if self._annotation is _UNRESOLVED:
            owner = self._owner
            assert owner is not None
            hints = typing.get_type_hints(owner)  # the module's names: every class in it is defined by now
            for field in owner.model_fields.values():
                if field._owner is owner:
                    field._annotation = hints[field.name]
        return self._annotation

    def is_required(self) -> bool:
        return self.default is UNDEFINED and self.default_factory is None

    def get_default(self) -> Any:
        """The default as pydantic's ``get_default(call_default_factory=True)`` gives it (``smart_deepcopy``)."""
        factory = self.default_factory
        if isinstance(factory, type) and issubclass(factory, BaseModel):  # a model of defaults: made as such
            return factory.model_construct()
        if factory is not None:
            return factory()
        value = self.default
        if isinstance(value, _IMMUTABLE):
            return value
        if not value and type(value) in (list, dict, set, tuple):
            return value if type(value) is tuple else value.copy()
        return copy.deepcopy(value)


# Keyword arguments of pydantic's Field that only validation or the schema reads (ge, min_length, pattern,
# description, ...) are accepted and dropped; the light base never validates.
def Field(default: Any = UNDEFINED, *, default_factory: Callable[[], Any] | None = None, **kw: Any) -> Any:  # noqa: N802
    """pydantic's ``Field``: what the light base keeps of it (default, factory, alias, exclude, repr)."""
    return FieldInfo(default, default_factory, **kw)


def ConfigDict(**kw: Any) -> dict[str, Any]:  # noqa: N802
    """pydantic's ``ConfigDict``; the light base reads ``frozen`` only."""
    return kw


def field_validator(*_fields: str, **_kw: Any) -> Callable[[Any], Any]:
    """pydantic's decorator: the function is left as it is, never called (nothing is validated)."""
    return lambda f: f


def model_validator(*, mode: str) -> Callable[[Any], Any]:
    """pydantic's decorator: the function is left as it is, never called (nothing is validated)."""
    return lambda f: f


def _dump(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_dump(v) for v in value)
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return type(value)(_dump(v) for v in value)
    return value


def _frozen_hash(self: BaseModel) -> int:
    return hash(tuple(self.__dict__.values()))


class BaseModel:
    """pydantic's ``BaseModel`` for values built by :func:`hunter_cli.trusted.construct` (or ``model_construct``):
    fields are instance attributes; a class's ``model_fields`` (its own and inherited, in pydantic's order)
    is made when the class is defined. Construction by validation is refused (:class:`ValidationRefused`)."""

    __slots__ = ("_light_fields_set",)
    _light_fields_set: set[str]
    model_config: typing.ClassVar[dict[str, Any]] = {}
    model_fields: typing.ClassVar[dict[str, FieldInfo]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("__annotations__", {})
        fields = dict(cls.model_fields)  # the bases' fields first, in their order (pydantic's order)
        for name, annotation in own.items():
            if name.startswith("_") or "ClassVar" in str(annotation):
                continue
            value = cls.__dict__.get(name, UNDEFINED)
            field = value if isinstance(value, FieldInfo) else FieldInfo(value)
            if name in cls.__dict__:
                delattr(cls, name)  # as pydantic: the default is the field's, not a class attribute
            field.name, field._owner = name, cls
            fields[name] = field
        cls.model_fields = fields
        config = dict(cls.model_config)  # the bases' settings, then the class's own
        config.update(cls.__dict__.get("model_config", {}))
        cls.model_config = config
        if config.get("frozen"):  # as pydantic: a frozen model hashes its values
            setattr(cls, "__hash__", _frozen_hash)  # noqa: B010  (mypy: __hash__ is None on the base)

    def __init__(self, **data: Any) -> None:
        _refuse(f"{type(self).__name__}(...) validates its arguments")

    # -- what the reading path calls ------------------------------------------------------------
    @classmethod
    def model_construct(cls, _fields_set: set[str] | None = None, **values: Any) -> Any:
        """pydantic's ``model_construct``: the values as given (by name or alias), defaults for the rest
        (a required field left out is left unset), ``model_fields_set`` the names given or ``_fields_set``."""
        data: dict[str, Any] = {}
        given: set[str] = set()
        for name, field in cls.model_fields.items():
            if field.alias is not None and field.alias in values:
                data[name] = values.pop(field.alias)
                given.add(name)
            elif name in values:
                data[name] = values.pop(name)
                given.add(name)
            elif not field.is_required():
                data[name] = field.get_default()
        m = object.__new__(cls)
        object.__setattr__(m, "__dict__", data)
        object.__setattr__(m, "_light_fields_set", given if _fields_set is None else set(_fields_set))
        return m

    @property
    def model_fields_set(self) -> set[str]:
        return self._light_fields_set

    def model_dump(self, **options: Any) -> dict[str, Any]:
        """pydantic's ``model_dump()`` without options: nested models as dicts, excluded fields left out."""
        if options:
            _refuse(f"{type(self).__name__}.model_dump({', '.join(options)}=...)")
        fields = type(self).model_fields
        return {k: _dump(v) for k, v in self.__dict__.items() if not (k in fields and fields[k].exclude)}

    def __setattr__(self, name: str, value: Any) -> None:
        cls = type(self)
        if cls.model_config.get("frozen"):
            raise TypeError(f"{cls.__name__} is frozen: {name} cannot be set")
        if name in cls.model_fields:
            self.__dict__[name] = value
            self._light_fields_set.add(name)
            return
        attr = getattr(cls, name, None)
        if isinstance(attr, property):
            attr.__set__(self, value)
            return
        raise ValueError(f'"{cls.__name__}" object has no field "{name}"')

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseModel):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # as pydantic: only a frozen model is hashable

    def __copy__(self) -> Any:
        m = object.__new__(type(self))
        object.__setattr__(m, "__dict__", dict(self.__dict__))
        object.__setattr__(m, "_light_fields_set", set(self._light_fields_set))
        return m

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Any:
        m = object.__new__(type(self))
        object.__setattr__(m, "__dict__", copy.deepcopy(self.__dict__, memo))
        object.__setattr__(m, "_light_fields_set", set(self._light_fields_set))
        return m

    def _repr_args(self) -> list[str]:
        fields = type(self).model_fields
        return [f"{k}={v!r}" for k, v in self.__dict__.items() if k not in fields or fields[k].repr]

    def __repr__(self) -> str:  # pydantic's form: Name(a=1, b='x')
        return f"{type(self).__name__}({', '.join(self._repr_args())})"

    def __str__(self) -> str:  # pydantic's form: a=1 b='x'
        return " ".join(self._repr_args())

    # -- what only pydantic does: refused -------------------------------------------------------
    @classmethod
    def model_validate(cls, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(f"{cls.__name__}.model_validate")

    @classmethod
    def model_validate_json(cls, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(f"{cls.__name__}.model_validate_json")

    @classmethod
    def model_validate_strings(cls, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(f"{cls.__name__}.model_validate_strings")

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(f"{cls.__name__}.model_json_schema")

    @classmethod
    def model_rebuild(cls, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(f"{cls.__name__}.model_rebuild")

    def model_dump_json(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(f"{type(self).__name__}.model_dump_json")

    def model_copy(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(f"{type(self).__name__}.model_copy")
