"""Shell completion of the options that take one of a fixed set of values (docs/cli.md, "Shell completion").

Each completer is handed to ``typer.Option(autocompletion=...)`` and called only while the shell
asks (``_HUNTER_COMPLETE=complete_bash`` and the like), so the lists it reads (the catalogs, the
scoring rules' names) are imported then and never by ``hunter --help``. Values match the way the
commands read them (:mod:`hunter_cli.choices`: any case, ``-`` and ``_`` alike); in a
comma-separated list (``--category P1,P``) the last item is completed and the ones before are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


def matching(values: Iterable[str], incomplete: str, *, descending: bool = False) -> list[str]:
    """The members of ``values`` that complete ``incomplete``'s last comma-separated item, each with the
    items before it and the letters typed as typed: ``matching(["P1", "P2"], "P3,p")`` -> ``["P3,p1",
    "P3,p2"]``. ``descending``: an
    item may start with ``-`` (or ``+``), kept on the values offered (``--sort -sc`` -> ``-score``)."""
    from ..choices import normalize

    head, _, last = incomplete.rpartition(",")
    head = head + "," if head else ""
    sign = ""
    if descending and last[:1] in ("-", "+"):
        sign, last = last[0], last[1:]
    key = normalize(last)
    # what was typed is kept as typed (Typer offers only words that start with it; the command reads any case)
    return [f"{head}{sign}{last}{v[len(last) :]}" for v in dict.fromkeys(values) if normalize(v).startswith(key)]


def _completer(values: Callable[[], Iterable[str]], *, descending: bool = False) -> Callable[[str], list[str]]:
    def complete(incomplete: str) -> list[str]:
        return matching(values(), incomplete, descending=descending)

    return complete


def _categories() -> Iterable[str]:
    from ..store.leads import CATEGORIES

    return CATEGORIES


def _segments() -> Iterable[str]:
    from ..store.leads import SEGMENTS

    return SEGMENTS


def _providers() -> Iterable[str]:
    from ..catalog import PROVIDER_IDS

    return PROVIDER_IDS


def _gateways() -> Iterable[str]:
    from ..catalog import GATEWAY_IDS

    return ("any", "none", *GATEWAY_IDS)


def _crm_statuses() -> Iterable[str]:
    from ..store.leads import CRM_STATUSES

    return CRM_STATUSES


def _services() -> Iterable[str]:
    from ..footprint.schema import services_catalog

    return sorted(s.id for s in services_catalog().services if s.listed)


def _workloads() -> Iterable[str]:
    from ..footprint import workload_tags

    return workload_tags()


def _sort_columns() -> Iterable[str]:
    from ..store.leads import SORT_COLUMNS

    return SORT_COLUMNS


def _languages() -> Iterable[str]:
    from ..brief.messages import LANGUAGES

    return LANGUAGES


def _event_kinds() -> Iterable[str]:
    from .monitor import EVENT_KINDS

    return EVENT_KINDS


def _referral_statuses() -> Iterable[str]:
    from .partner import REFERRAL_STATUSES

    return REFERRAL_STATUSES


def _referral_types() -> Iterable[str]:
    from .partner import REFERRAL_TYPES

    return REFERRAL_TYPES


categories = _completer(_categories)
segments = _completer(_segments)
providers = _completer(_providers)
gateways = _completer(_gateways)
crm_statuses = _completer(_crm_statuses)
services = _completer(_services)
workloads = _completer(_workloads)
sort_columns = _completer(_sort_columns, descending=True)
languages = _completer(_languages)
event_kinds = _completer(_event_kinds)
referral_statuses = _completer(_referral_statuses)
referral_types = _completer(_referral_types)
