"""A scoring rules file that cannot be used (``--rules``, ``HUNTER_RULES``, ``rules`` in the config
file), said as such by every command that reads it: which file, where it was named, what is wrong.

Commands that score refuse to run with it (`scan`, `rescore`, `explain`, `sales-summary`, `prep`, ...);
reading commands (`leads`, `leads show`) list the stored scores and warn, rather than blame the
stored scores on "other scoring rules" and advise a `hunter rescore` that would fail the same way.
"""

from __future__ import annotations

from ..said import Said

_MAX_FAULTS = 6  # a file that is not a rules file at all lists a fault per section: the first few said


def invalid(exc: BaseException, path: str | None) -> Said:
    """The error for a rules file ``path`` that :func:`hunter_cli.scoring.load_rules` refused with ``exc``
    (a RulesError: one fault per line, each led by the path), in messages ``cli.rules.invalid``, naming
    where the file was named (``--rules``, ``HUNTER_RULES``, the config file)."""
    return Said("cli.rules.invalid", path=path or "", where=_where(path), why=_faults(exc, path))


def configured_problem() -> Said | None:
    """For a reading command: the warning (``cli.rules.invalid_reading``) when the rules file the
    settings name cannot be used, else None (no file named, or a good one). Loads the rules only when
    a file is named."""
    from .. import config

    path = config.get("rules")
    if not path:
        return None
    from ..scoring import RulesError, load_rules

    try:
        load_rules(str(path))
    except RulesError as exc:
        return Said("cli.rules.invalid_reading", path=str(path), where=_where(str(path)), why=_faults(exc, str(path)))
    return None


def _where(path: str | None) -> str:
    """Where the rules file was named: ``HUNTER_RULES``, the config file, else ``--rules``."""
    from .. import config

    loaded = config.current()
    source = loaded.source("rules")
    if source in ("env", "file") and str(loaded.values.get("rules") or "") == str(path or ""):
        return config.env_name("rules") if source == "env" else str(loaded.file)
    return "--rules"


def _faults(exc: BaseException, path: str | None) -> str:
    """The faults of a RulesError without the path each leads with (the sentence names it), the first few
    joined with "; " (messages ``cli.rules.semicolon``) in the command's language, and how many more."""
    from ..scoring import said_lines

    faults = getattr(exc, "faults", None) or [str(exc)]
    lines = [_bare(f, path) for f in faults if str(f).strip()]
    lines.sort(key=lambda line: not str(line).startswith("unknown "))  # a misspelt section explains the missing one
    shown = said_lines(lines[:_MAX_FAULTS], "cli.rules.semicolon")
    if len(lines) > _MAX_FAULTS:
        return Said("cli.rules.more", shown=shown, n=len(lines) - _MAX_FAULTS)
    return shown


def _bare(fault: str, path: str | None) -> str:
    """A fault without the ``PATH: `` it leads with: a keyed fault's own words, else the text less the prefix."""
    if isinstance(fault, Said) and fault.key == "cli.rules.fault":
        return fault.values["fault"]
    if isinstance(fault, Said) and fault.key == "cli.rules.unreadable":  # the sentence names the file: the reason
        return Said("cli.rules.unreadable_bare", why=fault.values["why"])
    text = str(fault)
    return text.removeprefix(f"{path}: ") if path else text
