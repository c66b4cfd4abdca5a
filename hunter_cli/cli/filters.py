"""The lead-list filter options, shared by `hunter leads` and `hunter crm push` (same names, same meaning)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

from ..said import Said, said_of
from . import complete

if TYPE_CHECKING:
    from ..store.leads import LeadFilter


def _since(value: str | None, option: str) -> str | None:
    from ..durations import ago_iso, parse_duration

    if value is None:
        return None
    try:
        return ago_iso(parse_duration(value))
    except ValueError as exc:
        raise typer.BadParameter(said_of(exc), param_hint=option) from None


# The filter options, shared with `hunter crm push` (same names, same meaning).
SegmentOption = typer.Option(
    [],
    "--segment",
    metavar="NAME",
    autocompletion=complete.segments,
    show_default=False,
    help="Existing, Migration, Cold or Skip (repeatable; any of them matches).",
)
CategoryOption = typer.Option(
    [],
    "--category",
    metavar="P1..P6",
    show_default=False,
    help="Priority category (repeatable).",
    autocompletion=complete.categories,
)
ProviderOption = typer.Option(
    [],
    "--provider",
    metavar="ID",
    autocompletion=complete.providers,
    show_default=False,
    help="Mail provider id (m365, google, hosting, self-hosted, none, ...; microsoft, o365, gmail, ... are read"
    " as their id) or a hosting brand such as Natro: its name or first word, with or without Turkish letters"
    " (repeatable).",
)
GatewayOption = typer.Option(
    [],
    "--gateway",
    metavar="ID",
    autocompletion=complete.gateways,
    show_default=False,
    help="Security gateway (mimecast, proofpoint, ...), 'any' for any gateway, 'none' for none (repeatable).",
)
TenantOption = typer.Option(
    None,
    "--tenant/--no-tenant",
    show_default=False,
    help="Only domains with a Microsoft tenant (Managed, Federated, Unknown) / only those known to have none.",
)
MinScoreOption = typer.Option(None, "--min-score", metavar="N", show_default=False, help="Score at least N.")
MaxScoreOption = typer.Option(None, "--max-score", metavar="N", show_default=False, help="Score at most N.")
TagOption = typer.Option(
    [], "--tag", metavar="TAG", show_default=False, help="Has this tag, user or auto (repeatable)."
)
SearchOption = typer.Option(
    [],
    "--search",
    "-s",
    metavar="TEXT",
    show_default=False,
    help="Case-insensitive part of the domain or company name (once).",
)
ChangedSinceOption = typer.Option(
    None,
    "--changed-since",
    metavar="DURATION",
    show_default=False,
    help="A signal changed within this long (7d, 12h, 2w).",
)
StaleOption = typer.Option(
    None,
    "--stale",
    metavar="DURATION",
    show_default=False,
    help="Never fully scanned, or last complete scan older than this.",
)
FailedOption = typer.Option(False, "--failed", help="The latest scan attempt failed.")
PartialOption = typer.Option(
    False,
    "--partial",
    help="The latest scan attempt was partial: some lookups failed (failed_checks in json and csv names them)."
    " With --failed, either.",
)
HasReferralOption = typer.Option(
    None,
    "--has-referral/--no-referral",
    show_default=False,
    help="A Partner Center referral names the lead (or none does).",
)
CrmStatusOption = typer.Option(
    [],
    "--crm-status",
    metavar="STATUS",
    autocompletion=complete.crm_statuses,
    show_default=False,
    help="open, qualified or disqualified in Dynamics 365 (as last read by `hunter crm pull`),"
    " failed: its last push or update did not reach Dynamics, or none: not in Dynamics (repeatable).",
)

UsesOption = typer.Option(
    [],
    "--uses",
    metavar="SERVICE",
    autocompletion=complete.services,
    show_default=False,
    help="Uses this other cloud service (zoom, slack, okta, salesforce, dropbox, ...: services.json ids;"
    " repeatable, any of them).",
)
WorkloadOption = typer.Option(
    [],
    "--workload",
    metavar="WORKLOAD",
    autocompletion=complete.workloads,
    show_default=False,
    help="Runs this Microsoft workload: exchange-online, exchange-onprem, exchange-hybrid, teams, lync-onprem,"
    " teams-hybrid, intune, device-registration, device-registration-onprem, msoid (repeatable, any of them).",
)
MissingOption = typer.Option(
    [],
    "--missing",
    metavar="WORKLOAD",
    autocompletion=complete.workloads,
    show_default=False,
    help="Known not to run this workload (same names as --workload); a failed lookup or a --quick scan never"
    " counts as missing (repeatable: unlike the other filters, a lead must be missing every one given).",
)


def lead_filter(
    *,
    segment: Sequence[str] = (),
    category: Sequence[str] = (),
    provider: Sequence[str] = (),
    gateway: Sequence[str] = (),
    tenant: bool | None = None,
    min_score: int | None = None,
    max_score: int | None = None,
    tag: Sequence[str] = (),
    search: str | Sequence[str] | None = None,
    changed_since: str | None = None,
    stale: str | None = None,
    failed: bool = False,
    partial: bool = False,
    has_referral: bool | None = None,
    crm_status: Sequence[str] = (),
    uses: Sequence[str] = (),
    workload: Sequence[str] = (),
    missing: Sequence[str] = (),
    domains: tuple[str, ...] = (),
) -> LeadFilter:
    """The :class:`hunter_cli.store.leads.LeadFilter` for these option values; bad values are usage errors (exit 2)."""
    from ..store import leads as core

    if search is not None and not isinstance(search, str):  # -s given more than once: never the last one alone
        texts = [s for s in search if s.strip()]
        if len(texts) > 1:  # trial 30: `-s yavas -s x` silently searched for "x" only
            raise typer.BadParameter(
                Said("cli.filters.search_once", texts=", ".join(map(repr, texts))), param_hint="--search"
            )
        search = texts[0] if texts else None
    try:
        f = core.LeadFilter(
            segments=core.parse_segments(segment),
            categories=core.parse_categories(category),
            providers=core.parse_providers(provider),
            gateways=core.parse_gateways(gateway),
            tenant=tenant,
            min_score=min_score,
            max_score=max_score,
            tags=core.parse_tags(tag),
            search=search if search and search.strip() else None,
            changed_since=_since(changed_since, "--changed-since"),
            stale_before=_since(stale, "--stale"),
            failed=failed,
            partial=partial,
            has_referral=has_referral,
            crm_statuses=core.parse_crm_statuses(crm_status),
            uses=core.parse_services(uses),
            workloads=core.parse_workload_tags(workload),
            missing=core.parse_workload_tags(missing, "--missing"),
            domains=domains,
        )
    except core.LeadQueryError as exc:
        raise typer.BadParameter(_in_table_words(said_of(exc)), param_hint=exc.option) from None
    if min_score is not None and max_score is not None and min_score > max_score:
        raise typer.BadParameter(
            Said("cli.filters.min_above_max", low=min_score, high=max_score), param_hint="--min-score"
        )
    return f


def _in_table_words(said):
    """An unknown ``--provider``'s message with the values and the nearest one as the table shows them in the
    command's language (Turkish ``diğer``, ``kendi``, ``yok``: trial 32); any other message as it is."""
    from ..choices import shown
    from .common import current_lang

    lang = current_lang()
    if lang == "en" or not isinstance(said, Said) or not said.key.startswith("cli.provider.unknown"):
        return said
    values = dict(said.values)
    values["choices"] = [shown(c, "provider", lang) for c in values.get("choices") or ()]
    if values.get("near"):
        values["near"] = shown(values["near"], "provider", lang)
    return Said(said.key, **values)
