"""Rich tables for `hunter scan`: the summary and the scanned domains."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rich import box
from rich.table import Table
from rich.text import Text

from ..domains import to_unicode
from ..inputs import InputStats
from ..lead import Lead
from ..lead.view import result_tenant_known
from ..lead.view import tenant_label as lead_tenant_label
from ..models import DomainResult
from .styles import CATEGORY_STYLE, PROVIDER_STYLE, STATUS_STYLE  # noqa: E402  (kept importable from here)


@dataclass
class ScanTally:
    """Counts the summary needs, kept while results stream past."""

    scanned: int = 0
    fresh_skipped: int = 0
    status: Counter = field(default_factory=Counter)
    provider: Counter = field(default_factory=Counter)
    gateway: Counter = field(default_factory=Counter)
    error_kinds: Counter = field(default_factory=Counter)
    tenant: Counter = field(default_factory=Counter)
    category: Counter = field(default_factory=Counter)
    registrations: int = 0
    registration_failures: int = 0
    sample: list[DomainResult] = field(default_factory=list)
    sample_limit: int = 50

    def add(self, r: DomainResult) -> None:
        self.scanned += 1
        self.status[r.status] += 1
        self.provider[r.provider] += 1
        if r.gateway:
            self.gateway[r.gateway] += 1
        for e in r.errors:
            self.error_kinds[f"{e.check} {e.kind}"] += 1
        self.tenant[tenant_label(r)] += 1
        if r.category:
            self.category[r.category] += 1
        if len(self.sample) < self.sample_limit:
            self.sample.append(r)


def tenant_label(r: DomainResult) -> str:
    """Managed / Federated / Unknown for a tenant, "none" when there is none, "?" when not known."""
    return lead_tenant_label(r.tenant, result_tenant_known(r))


# Columns of the results table; the ones marked wide_only give way on terminals under 120 columns.
_RESULT_COLUMNS = (
    ("Domain", False),
    ("Provider", False),
    ("Gateway", False),
    ("Tenant", False),
    ("SPF", True),
    ("DKIM", True),
    ("DMARC", False),
    ("Score", False),
    ("Segment", True),
    ("Cat", False),
    ("Status", True),
)


_MARK = {"partial": " *", "failed": " !"}


def results_table(t: ScanTally, width: int = 120) -> Table:
    """The scanned domains, highest priority first. At 80 columns SPF, DKIM and segment give way
    (`hunter leads show` and `--json` have them) so that domains stay readable."""
    wide = width >= 120
    table = Table(
        box=box.SIMPLE_HEAD, title="Scanned domains", title_justify="left", pad_edge=False, collapse_padding=True
    )
    shown = [name for name, wide_only in _RESULT_COLUMNS if wide or not wide_only]
    for name in shown:
        if name == "Domain":
            table.add_column(name, overflow="fold", min_width=18)
        elif name == "Score":
            table.add_column(name, justify="right", min_width=5)
        elif name in ("Status", "Cat"):
            table.add_column(name, no_wrap=True)
        else:
            table.add_column(name, overflow="ellipsis", no_wrap=True)
    order = {c: i for i, c in enumerate(("P1", "P2", "P3", "P4", "P5", "P6"))}
    for r in sorted(t.sample, key=lambda r: (order.get(r.category or "", 9), -(r.score or 0), r.domain)):
        lead = Lead.from_result(r)
        cells: dict[str, str | Text] = {
            # at 80 columns the status shows on the domain: * partial (yellow), ! failed (red)
            "Domain": Text(
                to_unicode(r.domain) + ("" if wide or r.status == "ok" else _MARK[r.status]),
                style="" if wide or r.status == "ok" else STATUS_STYLE[r.status],
            ),
            "Provider": Text(lead.provider_label, style=PROVIDER_STYLE.get(r.provider, "")),
            "Gateway": r.gateway or "",
            "Tenant": lead.tenant_label,
            "SPF": lead.spf_cell,
            "DKIM": lead.dkim_cell,
            "DMARC": lead.dmarc_cell,
            "Score": "" if r.score is None else str(r.score),
            "Segment": r.segment or "",
            "Cat": Text(r.category or "", style=CATEGORY_STYLE.get(r.category or "", "")),
            "Status": Text(r.status, style=STATUS_STYLE[r.status]),
        }
        table.add_row(*(cells[name] for name in shown))
    notes = []
    if not wide and any(r.status != "ok" for r in t.sample):
        notes.append("* some lookups failed; ! the MX lookup failed (both are retried on the next run)")
    if t.scanned > len(t.sample):
        notes.append(f"first {len(t.sample)} of {t.scanned}; see them all with --json or hunter leads")
    if notes:
        table.caption = "\n".join(notes)
        table.caption_justify = "left"
    return table


def summary_table(t: ScanTally, stats: InputStats, elapsed: float, interrupted: bool = False) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title="Scan summary", title_justify="left", show_header=False, pad_edge=False)
    table.add_column("What", style="bold")
    table.add_column("Count", overflow="fold")
    rate = t.scanned / elapsed if elapsed > 0 else 0.0
    table.add_row(
        "Scanned",
        f"{t.scanned} domains in {elapsed:.1f} s ({rate:.0f}/s)" + ("  [red]interrupted[/]" if interrupted else ""),
    )
    table.add_row("Result", ", ".join(f"{k} {v}" for k, v in sorted(t.status.items())) or "-")
    table.add_row("Providers", ", ".join(f"{k} {v}" for k, v in t.provider.most_common()) or "-")
    table.add_row("Gateways", ", ".join(f"{k} {v}" for k, v in t.gateway.most_common()) or "none")
    if t.category:
        table.add_row("Priority", ", ".join(f"{k} {v}" for k, v in sorted(t.category.items())))
    if any(k != "?" for k in t.tenant):
        table.add_row("Tenants", ", ".join(f"{k} {v}" for k, v in t.tenant.most_common()))
    if t.registrations or t.registration_failures:
        reg = f"{t.registrations} fetched"
        if t.registration_failures:
            reg += f", {t.registration_failures} failed (retried on the next run)"
        table.add_row("Registration", reg)
    if t.error_kinds:
        table.add_row(
            "Failures", ", ".join(f"{k} {v}" for k, v in t.error_kinds.most_common(6)) + " (retried on the next run)"
        )
    if t.fresh_skipped:
        table.add_row("Up to date", f"{t.fresh_skipped} domains scanned recently, not rescanned (--max-age)")
    inputs = f"{stats.lines} lines, {stats.accepted} unique domains"
    if stats.duplicates:
        inputs += f", {stats.duplicates} duplicates"
    table.add_row("Input", inputs)
    for reason, count in sorted(stats.skipped_counts.items(), key=lambda kv: -kv[1]):
        where = ", ".join(stats.skipped[reason])
        more = "" if count <= len(stats.skipped[reason]) else ", ..."
        table.add_row("Skipped", f"{count} {reason} ({where}{more})")
    for note in stats.notes:
        table.add_row("Note", note)
    for message in stats.unreadable:
        table.add_row("Not read", message)
    return table
