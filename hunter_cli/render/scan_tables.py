"""Rich tables for `hunter scan` (the summary and the scanned domains) and `hunter import` (its summary)."""

from __future__ import annotations

import functools
import re
from collections import Counter

from rich import box
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from ..domains import to_unicode
from ..inputs import InputStats
from ..lead import Lead
from ..lead.view import result_tenant_label, tenant_not_asked
from ..models import DomainResult
from ..services.scan import ScanSummary, ScanTally
from .fold import Folded
from .formats import Format, Output, formatter
from .short import GIVE_WAY, SHORT, heading, narrow, shorten
from .styles import CATEGORY_STYLE, PROVIDER_STYLE, STATUS_STYLE
from .words import column, number, value


def _counts(c: Counter, column: str = "", lang: str = "en", by_name: bool = False, short: bool = False) -> str:
    """``Microsoft 365 7, Google Workspace 3, none 2``: most first, ties by name, so the same scan reads the
    same; each value as the table of ``column`` shows it (``short``: in its narrow form, ``M365``) and each
    number in the command's language (6.417 in Turkish)."""
    from ..brief.messages import Messages

    m = Messages(lang)
    items = sorted(c.items(), key=lambda kv: (str(kv[0]),) if by_name else (-kv[1], str(kv[0])))
    return ", ".join(_item(m, _word(m, column, str(k), short) if column else k, v) for k, v in items)


def _word(m, column: str, key: str, short: bool = False) -> str:
    """``key`` as the summary says it: ``scan.summary.COLUMN.KEY`` where the summary has its own word
    (Turkish ``16 eksiksiz`` where the table column says ``tamam``), else as the table shows it."""
    own = f"scan.summary.{column}.{key}"
    return m(own) if m.has(own) else value(column, key, m.lang, short=short)


def _item(m, label: object, n: int) -> str:
    """One count of the summary in the language's order: ``m365 7`` in English, ``7 m365`` in Turkish."""
    return m("scan.summary.count_item", value=str(label), n=number(n, lang_=m.lang))


def tenant_label(r: DomainResult) -> str:
    """Managed / Federated / Unknown for a tenant, "none" when there is none, "?" when not known."""
    return result_tenant_label(r)


# The Tenant cell of a domain whose tenant was not asked (``--no-tenant``): not "?", which is a lookup that failed.
NOT_ASKED = "-"


DOMAIN_FOLD_ABOVE = 32  # at 80 columns, longer domains fold before another column gives way (as in `hunter leads`)

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


def _plain(cell: str | Text | Folded) -> str:
    return cell.plain if isinstance(cell, Text) else cell.text if isinstance(cell, Folded) else cell


def results_table(t: ScanTally, width: int = 120, lang: str = "en") -> Table:
    """The scanned domains, highest priority first. At 80 columns SPF, DKIM and segment give way
    (`hunter leads show` and `--json` have them) so that domains stay readable. The title and the
    notes under it are in ``lang`` (messages ``scan.results.*``)."""
    m = _messages(lang)
    wide = width >= 120
    table = Table(
        box=box.SIMPLE_HEAD,
        title=m("scan.results.title"),
        title_justify="left",
        pad_edge=False,
        collapse_padding=True,
    )
    rows: list[dict[str, str | Text | Folded]] = []
    not_asked = 0  # domains whose tenant was not looked up (--no-tenant, or not in DNS)
    by_flag = 0  # of those, the ones --no-tenant left out (the rest do not exist in DNS: never asked)
    for r in t.sample:  # best first (priority_order)
        lead = Lead.from_result(r)
        off = tenant_not_asked(r)
        not_asked += off
        by_flag += off and (r.raw or {}).get("tenant_source") == "off"
        rows.append(
            {
                # at 80 columns the status shows on the domain: * partial (yellow), ! failed (red)
                # a name too long for the column folds after a dot or hyphen, never cut (render/fold.py)
                "Domain": Folded(
                    to_unicode(r.domain) + ("" if wide or r.status == "ok" else _MARK[r.status]),
                    style="" if wide or r.status == "ok" else STATUS_STYLE[r.status],
                ),
                "Provider": Text(  # by name, as the CSV's provider_name (M365 below 120 columns)
                    value("provider", lead.provider_label, lang, short=narrow(width)),
                    style=PROVIDER_STYLE.get(r.provider, ""),
                ),
                "Gateway": r.gateway or "",
                "Tenant": NOT_ASKED if off else value("tenant", lead.tenant_label, lang),
                "SPF": lead.spf_cell,
                "DKIM": lead.dkim_cell,
                "DMARC": lead.dmarc_cell,
                "Score": "" if r.score is None else str(r.score),
                "Segment": value("segment", r.segment or "", lang),
                "Cat": Text(r.category or "", style=CATEGORY_STYLE.get(r.category or "", "")),
                "Status": Text(value("status", r.status, lang), style=STATUS_STYLE[r.status]),
            }
        )
    shown = [name for name, wide_only in _RESULT_COLUMNS if wide or not wide_only]
    if rows and not_asked == len(rows):  # a column of dashes says nothing: the note below says why it is not there
        shown.remove("Tenant")

    def natural(name: str) -> int:
        return max([cell_len(column(name, lang))] + [cell_len(_plain(c)) for c in (r[name] for r in rows)])

    def floor(name: str) -> int:
        """What a column needs before another gives way: a domain longer than DOMAIN_FOLD_ABOVE folds
        (render/fold.py), so that one long name does not take the gateway and tenant from every row."""
        if name != "Domain":
            return natural(name)
        names = [_plain(r["Domain"]) for r in rows]
        return min(
            natural(name),
            max([cell_len(column(name, lang))] + [cell_len(d) for d in names if cell_len(d) <= DOMAIN_FOLD_ABOVE]),
        )

    def fits() -> bool:
        return sum(floor(n) for n in shown) + 3 * (len(shown) - 1) + 2 <= width  # gaps and edges

    if narrow(width):  # the short forms, as in every table at this width (render/short.py)
        for row in rows:
            for name, forms in SHORT.items():
                key = "DMARC" if name == "dmarc" else name.capitalize()
                cell = row[key]
                plain = _plain(cell)
                # the cell shows the value in the command's language: its English form, for SHORT
                english = {value(name, full, lang): full for full in forms}.get(plain, plain)
                if english in forms and not isinstance(cell, Folded):
                    said = value(name, forms[english], lang)
                    row[key] = Text(said, style=cell.style) if isinstance(cell, Text) else said
    short_providers = narrow(width)
    if wide and not fits():  # the providers' full names (Google Workspace) cost a domain its line: short names
        short_providers = True
        for row, r in zip(rows, t.sample, strict=True):
            cell = row["Provider"]
            if isinstance(cell, Text):
                label = Lead.from_result(r).provider_label
                row["Provider"] = Text(value("provider", label, lang, short=True), style=cell.style)
    if not wide and not fits():  # then whole columns give way: the domain folds only when that is not enough
        for drop in GIVE_WAY:
            if fits():
                break
            key = "DMARC" if drop == "dmarc" else drop.capitalize()
            if key in shown:
                shown.remove(key)
                if key == "Gateway":  # said in the provider cell (m365+mimecast), never lost; fits() counts it
                    _gateway_on_provider(rows)
    for name in shown:
        if name == "Domain":
            room = width - sum(natural(n) for n in shown if n != name) - 3 * (len(shown) - 1) - 2
            table.add_column(
                heading(name, lang),
                min_width=18 if wide else max(floor(name), min(40, natural(name), room)),
                max_width=None if wide else max(floor(name), min(40, room)),
            )
        elif name == "Score":
            table.add_column(heading(name, lang), justify="right", min_width=5)
        elif name in ("Status", "Cat"):
            table.add_column(heading(name, lang), no_wrap=True)
        elif name == "Provider" and "Gateway" not in shown:  # m365+mimecast: whole, as the Cat column
            table.add_column(heading(name, lang), no_wrap=True)
        else:
            table.add_column(heading(name, lang), overflow="ellipsis", no_wrap=True)
    for row in rows:
        table.add_row(*(row[name] for name in shown))
    notes = []
    # why a tenant was not asked: --no-tenant, or a domain not in DNS (never blame a flag nobody gave)
    why = "off" if by_flag == not_asked else "nxdomain" if not by_flag else "off_or_nxdomain"
    if not_asked and "Tenant" not in shown and not_asked == len(rows):
        notes.append(m("scan.results.tenant_off" if why == "off" else f"scan.results.tenant_{why}_all"))
    elif not_asked and "Tenant" in shown:
        notes.append(
            m("scan.results.tenant_off_some" if why == "off" else f"scan.results.tenant_{why}", mark=NOT_ASKED)
        )
    marked = set() if wide else {r.status for r in t.sample} & set(_MARK)
    if len(marked) == 2:  # a mark is explained only when a row carries it (trial 32: `*` said with only `!` shown)
        notes.append(m("scan.results.marks"))
    elif marked:
        notes.append(m(f"scan.results.marks_{marked.pop()}"))
    if t.scanned > len(t.sample):
        notes.append(m("scan.results.sample", shown=len(t.sample), total=t.scanned))
    if notes:
        table.caption = "\n".join(notes)
        table.caption_justify = "left"
    table.short_providers = short_providers  # type: ignore[attr-defined]  # the summary names them alike
    return table


def _gateway_on_provider(rows: list[dict[str, str | Text | Folded]]) -> None:
    """Each row's gateway, once its column gave way, joined to the provider cell: ``m365+mimecast``."""
    for row in rows:
        gateway = row["Gateway"]
        cell = row["Provider"]
        if gateway and not isinstance(cell, Folded):
            said = f"{_plain(cell)}+{_plain(gateway)}"
            row["Provider"] = Text(said, style=cell.style) if isinstance(cell, Text) else said


def summary_table(
    t: ScanTally,
    stats: InputStats,
    elapsed: float,
    interrupted: bool = False,
    inputs_only: bool = False,
    width: int | None = None,
    lang: str = "en",
    rescan: bool = False,
    short_providers: bool | None = None,
    total_lines: int | None = None,
) -> Table:
    """The summary on stderr; ``inputs_only`` keeps just what was read and skipped (no domain was scanned);
    ``rescan`` when the domains were the stored ones due (``hunter rescan``: no input file, so the
    input row says how many stored domains were due, not lines read).

    On a terminal ``width`` columns wide the providers and tenants take the short forms the
    results table above shows (render/short.py), so each reads the same in both. Its words are in
    ``lang`` (messages ``scan.summary.*``; the reasons lines were skipped, ``input.skip.*``); values
    Hunter writes as codes (provider ids, statuses, categories) read the same in every language."""
    m = _messages(lang)
    table = Table(
        box=box.SIMPLE_HEAD,
        title=m("scan.summary.input_title" if inputs_only else "scan.summary.title"),
        title_justify="left",
        show_header=False,
        pad_edge=False,
    )
    table.add_column(heading("What"), style="bold")
    table.add_column(heading("Count"), overflow="fold")
    if not inputs_only:
        short = narrow(width)
        _scan_rows(table, t, elapsed, interrupted, short, m, short if short_providers is None else short_providers)
    if rescan:
        table.add_row(m("scan.summary.due"), _count(m, "scan.summary.due", stats.accepted))
    else:
        _input_rows(table, stats, m, total_lines if interrupted else None, not_scanned(stats, t))
    return table


def not_scanned(stats: InputStats, t: ScanTally) -> int:
    """Domains read and handed to the scan that it did not scan before it stopped (exact)."""
    return max(stats.accepted - t.scanned - t.fresh_skipped, 0)


def _messages(lang: str):
    from ..brief.messages import Messages

    return Messages(lang)


def _count(m, key: str, n: int, **values) -> str:
    """``key.one`` or ``key.many`` with ``n`` (and ``values``) filled in."""
    return m(f"{key}.{'one' if n == 1 else 'many'}", n=n, **values)


def _rate(scanned: int, elapsed: float) -> float:
    """Domains a second (``elapsed`` in seconds); 0.0 when no time has passed."""
    return scanned / elapsed if elapsed > 0 else 0.0


def _rate_key(scanned: int, elapsed: float) -> str:
    """The summary's rate message: whole domains a second from 10 a second up (``12/s``), one decimal
    below (``0.3/s``, Turkish ``saniyede 0,3``), and no rate at all when one decimal would read 0 though
    something was scanned (1 domain in 30 s): a rate of "0" says nothing was done."""
    rate = _rate(scanned, elapsed)
    if scanned and rate < 0.05:
        return "scan.summary.rate_none"
    return "scan.summary.rate_tenths" if scanned and rate < 10 else "scan.summary.rate"


def _shown_rate(key: str, t: ScanTally, elapsed: float) -> float:
    """The rate as its message shows it: to one decimal for ``rate_tenths`` (0.3; the language writes
    the decimal mark, "0,3" in Turkish, as it writes the seconds), whole for ``rate`` (``{rate:,.0f}``)."""
    rate = _rate(t.scanned, elapsed)
    return round(rate, 1) if key == "scan.summary.rate_tenths" else rate


def _scan_rows(
    table: Table,
    t: ScanTally,
    elapsed: float,
    interrupted: bool,
    short: bool = False,
    m=None,
    short_providers: bool | None = None,
) -> None:
    """The scan's rows of the summary; ``short``: values in their narrow forms; ``short_providers``: the
    providers by their short names (M365) as the results table above shows them (default: ``short``)."""
    m = m or _messages("en")

    def counts(c: Counter, column: str) -> str:
        if short:
            c = Counter({shorten(column, str(k)): n for k, n in c.items()})
        brief = short if column != "provider" or short_providers is None else short_providers
        return _counts(c, column, m.lang, short=brief)

    key = _rate_key(t.scanned, elapsed)
    table.add_row(
        m("scan.summary.scanned"),
        _count(m, key, t.scanned, seconds=round(elapsed, 1), rate=_shown_rate(key, t, elapsed))
        + (f"  [red]{m('scan.summary.interrupted')}[/]" if interrupted else ""),
    )
    table.add_row(m("scan.summary.result"), _counts(t.status, "status", m.lang, by_name=True) or "-")
    table.add_row(m("scan.summary.providers"), counts(t.provider, "provider") or "-")
    if t.nxdomain:
        table.add_row(m("scan.summary.not_found"), _count(m, "scan.summary.nxdomain", t.nxdomain))
    table.add_row(m("scan.summary.gateways"), _counts(t.gateway, "gateway", m.lang) or m("scan.summary.none"))
    if t.category:
        table.add_row(
            m("scan.summary.priority"),
            ", ".join(_item(m, k, v) for k, v in sorted(t.category.items())),
        )
    if any(k != "?" for k in t.tenant):
        table.add_row(m("scan.summary.tenants"), counts(t.tenant, "tenant"))
    if t.registrations or t.registration_failures or t.registration_unavailable or t.registration_deferred:
        reg = [m("scan.summary.reg_fetched", n=t.registrations)]
        if t.registration_unavailable:
            reg.append(m("scan.summary.reg_unavailable", n=t.registration_unavailable))
        if t.registration_failures:
            reg.append(m("scan.summary.reg_failed", n=t.registration_failures))
        if t.registration_deferred:
            reg.append(m("scan.summary.reg_deferred", n=t.registration_deferred))
        table.add_row(m("scan.summary.registration"), ", ".join(reg))
    if t.failed_domains:
        # Those that leave a domain unscored (the rules' unscored_checks: MX, its hosts' addresses, SPF...)
        # first, then most first; never cut without saying how many more failed (an MX-host SERVFAIL
        # was left out as the 7th kind)
        first = set(t.unscored_checks)
        kinds = sorted(t.error_kinds.items(), key=lambda kv: (kv[0].split(" ")[0] not in first, -kv[1], kv[0]))
        said = [_failed_lookups(m, k, v) for k, v in kinds[:FAILURE_KINDS_SHOWN]]
        more = sum(v for _, v in kinds[FAILURE_KINDS_SHOWN:])
        if more:
            said.append(_count(m, "scan.failed.more", more))
        lookups = ", ".join(said)
        table.add_row(m("scan.summary.failures"), _count(m, "scan.summary.failures", t.failed_domains, lookups=lookups))
    if t.fresh_skipped:
        table.add_row(m("scan.summary.up_to_date"), _count(m, "scan.summary.fresh", t.fresh_skipped))


FAILURE_KINDS_SHOWN = 6  # kinds of failed lookups the summary names; the rest are counted together


def _failed_lookups(m, key: str, n: int) -> str:
    """``n`` failed lookups of one ``check kind`` (ScanTally.error_kinds: ``mta-sts unreachable``) said as
    what failed, in ``m``'s language with the count's grammar (messages ``scan.failed.CHECK.one/many``:
    "2 MTA-STS policies could not be fetched (unreachable)", Turkish "2 MTA-STS politikası alınamadı
    (ulaşılamadı)", the noun singular after a number) and the failure's kind (``cli.failure.kind.*``)."""
    check, _, how = key.partition(" ")
    kind = m(f"cli.failure.kind.{how}") if m.has(f"cli.failure.kind.{how}") else how
    if m.has(f"scan.failed.{check}.one"):
        return _count(m, f"scan.failed.{check}", n, kind=kind)
    return _count(m, "scan.failed.other", n, check=check, kind=kind)


def _input_rows(table: Table, stats: InputStats, m=None, total: int | None = None, left: int = 0) -> None:
    """What was read. ``total``: an interrupted scan's lines in all (None: not stopped, or not known), then
    the lines read are said out of them (``8,960 of 19,997 lines``) and ``left``, the domains read but not
    scanned, too: the same figures as the last line's (:func:`continue_note`)."""
    m = m or _messages("en")
    if total is not None and total >= stats.lines:
        lines = _count(m, "scan.summary.lines_of", stats.lines, total=total)
    else:
        lines = _count(m, "scan.summary.lines", stats.lines)
    inputs = [lines, _count(m, "scan.summary.unique", stats.accepted)]
    if stats.duplicates:  # where they were, as a skipped line's place is said (trial 30)
        where = ", ".join(stats.duplicated) + (", …" if stats.duplicates > len(stats.duplicated) else "")
        inputs.append(_count(m, "scan.summary.duplicates_at", stats.duplicates, where=where))
    if total is not None and left:
        inputs.append(_count(m, "scan.summary.not_scanned", left))
    table.add_row(m("scan.summary.input"), ", ".join(inputs))
    _skip_rows(table, stats, m)


def _skip_rows(table: Table, stats: InputStats, m) -> None:
    """The lines skipped (each reason, how many, where), the notes and the inputs that could not be read."""
    from ..said import in_lang

    for reason, count in sorted(stats.skipped_counts.items(), key=lambda kv: -kv[1]):
        where = ", ".join(in_lang(w, m.lang) for w in stats.skipped[reason])  # argument 2: x.com in Turkish too
        more = "" if count <= len(stats.skipped[reason]) else ", ..."
        said = skip_reason(reason, m.lang)
        table.add_row(m("scan.summary.skipped"), m("scan.summary.skip", n=count, reason=said, where=where + more))
    if stats.other_names:  # a domain listed again under another company: which name was left out, which kept
        items = [
            m(
                "scan.summary.other_name.item",
                where=in_lang(w, m.lang),
                name=name,
                kept=kept,
                kept_where=in_lang(kw, m.lang),
            )
            for w, name, kept, kw in stats.other_named
        ]
        which = "; ".join(items) + ("; ..." if stats.other_names > len(items) else "")
        table.add_row(m("scan.summary.skipped"), _count(m, "scan.summary.other_name", stats.other_names, which=which))

    for note in stats.notes:
        table.add_row(m("scan.summary.note"), in_lang(note, m.lang))
    for message in stats.unreadable:
        table.add_row(m("scan.summary.not_read"), in_lang(message, m.lang))


@functools.cache
def _skip_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The English reasons of messages ``input.skip.*`` as patterns, each ``{field}`` a group: the reader
    records a reason in English (hunter_cli/domains.py, inputs.py), and this finds its key and values."""
    from ..brief.messages import load

    out = []
    for key, text in load("en").items():
        if key.startswith("input.skip."):
            parts = re.split(r"\{(\w+)\}", text)
            pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+)" for i, p in enumerate(parts))
            out.append((re.compile(pattern + r"\Z"), key))
    return tuple(out)


def skip_said(reason: str) -> str:
    """The reader's English reason (hunter_cli/domains.py) as a :class:`hunter_cli.said.Said` of its
    ``input.skip.*`` message, so that an error naming it follows the command's language; a reason none
    of them names stays as it is."""
    from ..said import Said

    for pattern, key in _skip_patterns():
        found = pattern.match(reason)
        if found:
            return Said(key, **found.groupdict())
    return reason


def skip_reason(reason: str, lang: str) -> str:
    """Why an input line was skipped, in ``lang``: the reader's English reason matched against the
    messages ``input.skip.*``; a reason none of them names stays as it is."""
    if lang == "en":
        return reason
    for pattern, key in _skip_patterns():
        found = pattern.match(reason)
        if found:
            return _messages(lang)(key, **found.groupdict())
    return reason


def import_table(stats: InputStats, counts: dict[str, int], lang: str = "en") -> Table:
    """The summary of `hunter import`: rows read, leads created or filled in, skips and their reasons,
    in ``lang`` (messages ``import.summary.*``, and the scan summary's for the skips)."""
    m = _messages(lang)
    table = Table(
        box=box.SIMPLE_HEAD, title=m("import.summary.title"), title_justify="left", show_header=False, pad_edge=False
    )
    table.add_column(heading("What"), style="bold")
    table.add_column(heading("Count"), overflow="fold")
    table.add_row(m("import.summary.rows"), number(stats.lines, lang_=lang))
    table.add_row(m("import.summary.created"), number(counts["created"], lang_=lang))
    table.add_row(m("import.summary.filled"), number(counts["updated"], lang_=lang))
    table.add_row(m("import.summary.known"), number(counts["known"], lang_=lang))
    merged = number(stats.duplicates, lang_=lang)
    if stats.duplicated:  # where, as a skipped line's place is said
        merged += " (" + ", ".join(stats.duplicated) + (", …" if stats.duplicates > len(stats.duplicated) else "") + ")"
    table.add_row(m("import.summary.merged"), merged)
    table.add_row(m("import.summary.with_company"), number(stats.companies, lang_=lang))
    if stats.headers:
        table.add_row(m("import.summary.headers"), number(stats.headers, lang_=lang))
    _skip_rows(table, stats, m)
    return table


@formatter("scan", Format.table)
def _scan_table(summary: ScanSummary, out: Output) -> None:
    """The scanned domains (the 50 of highest priority) on stdout, the summary on stderr."""
    short_providers = None
    if summary.tally.sample:
        table = results_table(summary.tally, out.console.width, summary.lang)
        short_providers = table.short_providers  # type: ignore[attr-defined]
        out.console.print(table)
    _summary(summary, out, short_providers)


@formatter("scan", Format.ndjson)
def _scan_ndjson(summary: ScanSummary, out: Output) -> None:
    """The result lines were written as they were stored (services.scan's ``emit``): only the summary, on stderr."""
    _summary(summary, out)


def _summary(summary: ScanSummary, out: Output, short_providers: bool | None = None) -> None:
    out.err.print(
        summary_table(
            summary.tally,
            summary.stats,
            summary.seconds,
            interrupted=summary.interrupted,
            width=out.err.width,
            lang=summary.lang,
            rescan=summary.rescan,
            short_providers=short_providers,
            total_lines=summary.total_lines,
        )
    )


def continue_note(
    inputs: list[str],
    stats: InputStats,
    t: ScanTally,
    total_lines: int | None,
    db: str | None,
    signal: str,
    repeat: list[str] | None = None,
    command: list[str] | None = None,
    lang: str = "en",
) -> str:
    """What an interrupted scan says last, in ``lang``: how many inputs were not scanned, and the command
    that continues. ``signal`` is ``interrupted``, ``terminated`` or ``dns`` (DNS stopped answering;
    messages ``scan.stop.*``).

    ``command`` (argv words) is that command when it is not a scan of the same inputs: `rescan`
    continues with itself and the options it was given, since it picks what is still due.

    ``total_lines`` is the inputs' rough line count (None for standard input or an unknown size);
    ``db`` the --db path to repeat (None for the default), ``repeat`` the other options the run was
    given (``--nameserver ... --no-tenant``), in argv words. The command rescans nothing that was
    fully scanned within a day (``--max-age 1d``); failed and partial domains are retried.
    """
    import shlex

    m = _messages(lang)
    said = m(f"scan.stop.{signal}")
    in_flight = not_scanned(stats, t)  # read, not scanned: exact
    unread = max((total_lines or 0) - stats.lines, 0)  # exact for text and CSV; a workbook's rows are estimated
    if total_lines is None:
        left = _count(m, "scan.left.in_progress", in_flight) if in_flight else m("scan.left.unread")
    else:
        from ..inputs import XLSX_EXTENSIONS

        parts = [_count(m, "scan.left.read_not_scanned", in_flight)] if in_flight else []
        if unread or not parts:
            rough = any(a.lower().endswith(XLSX_EXTENSIONS) for a in inputs)
            parts.append(_count(m, "scan.left.not_read_about" if rough else "scan.left.not_read", unread))
        left = ", ".join(parts)
    if command is not None:  # inputs are the domains it was to scan, by name
        not_done = max(len(inputs) - t.scanned - t.fresh_skipped, 0)
        if not not_done and t.registration_left:
            return _count(m, "scan.registration_left", t.registration_left, signal=said)
        left = _count(m, "scan.left.not_rescanned", not_done)
        argv = [*command, *(["--db", db] if db else [])]
        return m("scan.continue", signal=said, left=left, command=shlex.join(argv))
    if t.registration_left and not in_flight and total_lines is not None and not unread:
        # every input was scanned: only registration lookups were cut short, and the domains' next scan
        # asks them (a scan with --max-age 1d would skip those fresh domains, registration and all)
        return _count(m, "scan.registration_left", t.registration_left, signal=said)
    argv = ["hunter", "scan", *inputs, *(repeat or []), "--max-age", "1d"] + (["--db", db] if db else [])
    key = "scan.continue_stdin" if "-" in inputs else "scan.continue"
    return m(key, signal=said, left=left, command=shlex.join(argv))
