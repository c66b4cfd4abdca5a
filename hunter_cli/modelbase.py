"""Where Hunter's model modules get ``BaseModel``, ``Field``, ``ConfigDict``, the validator decorators and
the strict types: pydantic's, or :mod:`hunter_cli.lightmodel`'s in a process that only reads trusted data.

The model modules (hunter_cli/models.py, lead/view.py, footprint/, brief/compose.py, scoring/) import
these names from here. The first import of one fixes the choice for the process: pydantic, unless
:func:`trusted_reading` was called before (by `sales-summary` and `leads show` in their human formats,
with the bundled rules: hunter_cli/cli/brief.py, cli/leads.py). Type checkers always see pydantic's
names. Every other command (the scan, the writer, `rescore`, `crm push`, a rules file to check)
imports its models without calling it, so they validate with pydantic as always; a light model asked
to validate raises :class:`hunter_cli.lightmodel.ValidationRefused`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel as BaseModel
    from pydantic import ConfigDict as ConfigDict
    from pydantic import Field as Field
    from pydantic import StrictBool as StrictBool
    from pydantic import StrictInt as StrictInt
    from pydantic import ValidationError as ValidationError
    from pydantic import field_validator as field_validator
    from pydantic import model_validator as model_validator

NAMES = frozenset(
    {
        "BaseModel",
        "ConfigDict",
        "Field",
        "StrictBool",
        "StrictInt",
        "ValidationError",
        "field_validator",
        "model_validator",
    }
)

_chosen: str | None = None  # "pydantic" or "light": fixed by the first name a model module imports


def trusted_reading() -> bool:
    """Choose the light model base, if no model module was imported yet (else pydantic stays): for a
    process that from here on builds models only from trusted data (stored views, the bundled files)
    and never validates, dumps to JSON or copies one. Returns whether the light base is in use."""
    global _chosen
    if _chosen is None:
        _chosen = "light"
    return _chosen == "light"


def chosen() -> str | None:
    """``"pydantic"``, ``"light"``, or None when no model module has asked yet."""
    return _chosen


def __getattr__(name: str) -> Any:
    global _chosen
    if name not in NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if _chosen is None:
        _chosen = "pydantic"
    source: Any
    if _chosen == "light":
        from . import lightmodel

        source = lightmodel
    else:
        import pydantic

        source = pydantic
    value = getattr(source, name)
    globals()[name] = value  # asked once
    return value
