"""The lead list: filters and sort orders as one parameterised SQL query over the indexed ``domains`` columns.

The builders (:func:`where_sql`, :func:`select_sql`, :func:`count_sql`,
:func:`tags_sql`) are pure: a :class:`LeadFilter` and a sort order in, ``(sql,
params)`` out. Filtering, sorting and paging all happen in SQLite, so the first
page of a 100,000-lead database costs an index walk, not a table load. The
helpers below them run those statements on a connection from
:func:`hunter_cli.store.connect` and return plain dicts (the JSON shape of a lead).

``--search`` reads the FTS5 index ``domains_fts`` over the folded search column
(see :mod:`hunter_cli.store.search`); a database that could not be upgraded (a
read-only file from an older release) falls back to the old LIKE over a Python
fold function registered by :func:`prepare`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

# the CSV rules (no import beyond csv): one place for both paths
from ..render.csvsafe import CLOSED_CELLS, NOT_KNOWN, NOT_SCANNED
from .packing import loads
from .schema import (
    CHECKED,
    CRM_FAILED_STATUSES,
    CRM_STATUS_SQL,
    FACETS_TABLE,
    FOOTPRINT_FACETS,
    FOOTPRINT_FILTER_COLUMNS,
    HYBRID_DOUBTED,
    UNKNOWN_NOT_NONE,
    dmarc_column_of,
    failed_checks_column,
    footprint_columns_of,
    missing_premise_sql,
    stored_version,
    turkish_sort_key_sql,
)
from .search import MIN_FTS_CHARS, fold, fts_phrase, like_pattern

CATEGORIES = ("P1", "P2", "P3", "P4", "P5", "P6")
SEGMENTS = ("Existing", "Migration", "Cold", "Skip")
TENANT_KINDS = (
    "Managed",
    "Federated",
    "Unknown",
)  # the `tenant` column when a tenant exists; 'none' = none, NULL = not known

# Sort name -> (SQL expressions, the column each expression reads). Names are the table's columns.
SORT_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "domain": (("d.domain", "domain"),),
    "company": ((turkish_sort_key_sql("d.company"), "company"),),  # Turkish order (schema 11's index)
    "provider": (("d.provider", "provider"), ("d.provider_name COLLATE NOCASE", "provider_name")),
    "gateway": (("d.gateway", "gateway"),),
    "tenant": (("d.tenant", "tenant"),),
    "dmarc": (("d.dmarc_policy", "dmarc_policy"),),
    "score": (("d.score", "score"),),
    "segment": (("d.segment", "segment"),),
    "category": (("d.category", "category"),),
    "scanned": (("d.last_good_at", "last_good_at"),),
}
SORT_ALIASES = {"dmarc_policy": "dmarc", "last_scanned": "scanned", "cat": "category"}
DEFAULT_SORT: tuple[tuple[str, bool], ...] = (("category", False), ("score", True), ("domain", False))
NOT_NULL_COLUMNS = frozenset({"domain"})  # never NULL, whatever the filter

# SQLite >= 3.30 understands NULLS LAST and still walks an index for it; older ones get `x IS NULL, x`.
_HAS_NULLS_LAST = sqlite3.sqlite_version_info >= (3, 30, 0)
# Host parameters per `IN (...)` list; SQLite before 3.32 allows 999 in one statement.
IN_CHUNK = 500

# The keys of a lead dict (see _row_dict), with tags added from the tags table.
_SELECT_LIST = (
    "d.domain, d.domain_unicode, d.company, d.provider, d.provider_name, d.gateway, d.tenant, d.tenant_id,"
    " d.dmarc_policy, d.spf_all, d.dkim, d.score, d.segment, d.category, d.last_good_at, d.last_attempt_at,"
    " d.last_status, d.last_change_at, d.referrals, d.active_cosell,"
    " COALESCE(d.expires, (SELECT r.expires FROM registrations r WHERE r.domain = d.domain)) AS expires,"
    # Dynamics 365 (hunter crm): one primary-key lookup each, so the lead list's query plan is unchanged
    f" (SELECT {CRM_STATUS_SQL} FROM crm_leads c WHERE c.domain = d.domain) AS crm_status,"
    " (SELECT c.owner_name FROM crm_leads c WHERE c.domain = d.domain) AS crm_owner,"
    # the Microsoft footprint and other services: the column the writer fills (schema 8)
    " d.footprint,"
    # the checks whose lookups failed in the latest attempt: the column the writer fills (schema 18)
    " d.failed_checks"
)
# `--crm-status` values: the lead's state in Dynamics 365 (read by `hunter crm pull`), failed (its last push
# or update did not reach Dynamics: crm_status failed or update failed), or none (never sent)
CRM_STATUSES = ("open", "qualified", "disqualified", "failed", "none")
_CRM_STATECODES = {"open": 0, "qualified": 1, "disqualified": 2}


class LeadQueryError(ValueError):
    """A filter or sort value the lead list cannot use; ``option`` names the command-line option."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


# -- parsing option values ---------------------------------------------------------
def _pick(option: str, values: Iterable[str], allowed: tuple[str, ...], what: str) -> tuple[str, ...]:
    """Values of ``allowed`` named in ``values`` (commas too), matched by :func:`hunter_cli.choices.choose`
    (any case, synonyms); a bad one raises LeadQueryError listing ``allowed`` and the nearest of them."""
    from ..choices import choose

    out: list[str] = []
    for value in values:
        for part in value.split(","):
            if not part.strip():
                continue
            try:
                found = choose(part, allowed, what)
            except ValueError as exc:
                raise LeadQueryError(option, str(exc)) from None
            if found not in out:
                out.append(found)
    return tuple(out)


def parse_categories(values: Iterable[str]) -> tuple[str, ...]:
    """``["p1", "P2"]`` -> ``("P1", "P2")``; commas work too (``P1,P2``)."""
    return _pick("--category", values, CATEGORIES, "category")


def parse_segments(values: Iterable[str]) -> tuple[str, ...]:
    return _pick("--segment", values, SEGMENTS, "segment")


def parse_gateways(values: Iterable[str]) -> tuple[str, ...]:
    """Gateway ids (mimecast, proofpoint, ...), ``any`` (any gateway) or ``none`` (no gateway)."""
    from ..catalog import GATEWAY_IDS

    return _pick("--gateway", values, ("any", "none") + GATEWAY_IDS, "gateway")


def parse_providers(values: Iterable[str]) -> tuple[str, ...]:
    """Provider ids (m365, google, hosting, ...) in any case or by a synonym (``microsoft``, ``gmail``:
    :data:`hunter_cli.choices.ALIASES`), or a brand of the catalog (Natro, Microsoft 365) as the catalog
    names it: typed in any case, with or without Turkish letters, punctuation, spaces or a domain ending
    (``guzel hosting``, ``doruk``, ``turkticaret``), or by its first word or the start of its name when
    only one brand has it (``guzel``, ``isim``: :func:`hunter_cli.choices.match_brands`).

    Anything else raises LeadQueryError: a start several brands share names them (``host``), an unknown
    value lists the ids and names the nearest id or brand. Its message is a :class:`hunter_cli.said.Said`
    (messages ``cli.provider.*``), said in the command's language.
    """
    from ..catalog import PROVIDER_IDS, load_catalog
    from ..choices import alias, closest, match_brands, pick
    from ..said import Said

    out: list[str] = []
    brands: list[str] | None = None
    for value in values:
        for part in value.split(","):
            p = part.strip()
            if not p:
                continue
            found = pick(p, PROVIDER_IDS) or alias(p, "provider")
            if found is None:
                if brands is None:  # the catalog is read only for a brand name
                    cat = load_catalog()
                    names = {e.name for table in (cat.mx, cat.spf, cat.dkim) for e in table.values()}
                    brands = sorted(names | set(cat.names.values()), key=lambda n: fold(n) or n)
                matched = match_brands(p, brands)
                if len(matched) > 1:
                    raise LeadQueryError("--provider", Said("cli.provider.ambiguous", value=repr(p), brands=matched))
                if not matched:
                    near = closest(p, PROVIDER_IDS, "provider") or closest(p, brands)
                    key = "cli.provider.unknown_near" if near else "cli.provider.unknown"
                    said = Said(key, value=repr(p), choices=list(PROVIDER_IDS), near=near)
                    raise LeadQueryError("--provider", said)
                found = matched[0]  # the brand as the catalog names it: the column holds that name
            if found not in out:
                out.append(found)
    return tuple(out)


def parse_tags(values: Iterable[str]) -> tuple[str, ...]:
    """``--tag`` values as the keys tags are compared by (store/tags.py: ``SICAK`` and ``sıcak`` are one
    tag), commas too, no duplicates."""
    from .tags import tag_key

    out: list[str] = []
    for value in values:
        for part in value.split(","):
            t = tag_key(part.strip())
            if t and t not in out:
                out.append(t)
    return tuple(out)


def parse_crm_statuses(values: Iterable[str]) -> tuple[str, ...]:
    """``["open", "Qualified"]`` -> ``("open", "qualified")``; see :data:`CRM_STATUSES`."""
    return _pick("--crm-status", values, CRM_STATUSES, "CRM status")


def parse_services(values: Iterable[str]) -> tuple[str, ...]:
    """``--uses`` values: service ids of ``services.json`` (``zoom``, ``okta``, ...), any case, commas too."""
    values = list(values)
    if not values:  # the catalog (pydantic models) is read only when the option is given
        return ()
    from ..footprint.schema import services_catalog

    allowed = tuple(s.id for s in services_catalog().services if s.listed)
    try:
        return _pick("--uses", values, allowed, "service")
    except LeadQueryError:
        _workload_as_service(values, allowed)
        raise


def _workload_as_service(values: list[str], allowed: tuple[str, ...]) -> None:
    """Raise a LeadQueryError pointing at ``--workload`` for a Microsoft workload typed to ``--uses`` (``teams``,
    ``intune``, ``exo``): those are the footprint's, not other cloud services; return when there is none."""
    from ..choices import alias, pick, unknown
    from ..footprint import workload_tags

    tags = tuple(workload_tags())
    for value in values:
        for part in value.split(","):
            typed = part.strip()
            if not typed or pick(typed, allowed) or alias(typed, "service"):
                continue
            tag = pick(typed, tags) or alias(typed, "workload")
            if tag:
                raise LeadQueryError("--uses", unknown(typed, allowed, "service", instead=f"--workload {tag}"))


def parse_workload_tags(values: Iterable[str], option: str = "--workload") -> tuple[str, ...]:
    """``--workload`` / ``--missing`` values: the footprint's tags (``intune``, ``exchange-online``, ...)."""
    values = list(values)
    if not values:
        return ()
    from ..footprint import workload_tags

    return _pick(option, values, tuple(workload_tags()), "workload")


def workload_of_tag(tag: str) -> str:
    """The workload id whose state earns ``tag`` (``exchange-online`` -> ``exchange``)."""
    from ..footprint.schema import microsoft_catalog

    for w in microsoft_catalog().workloads:
        if any(tag in tags for tags in w.tags.values()):
            return w.id
    raise KeyError(tag)


def parse_sort(values: Iterable[str]) -> tuple[tuple[str, bool], ...]:
    """``["-score", "domain"]`` -> ``(("score", True), ("domain", False))``; empty -> the default order."""
    keys: list[tuple[str, bool]] = []
    for value in values:
        for part in value.split(","):
            p = part.strip()
            if not p:
                continue
            desc = p.startswith("-")
            name = p.lstrip("+-").strip().lower()
            name = SORT_ALIASES.get(name, name)
            if name not in SORT_COLUMNS:
                from ..choices import closest
                from ..said import Said

                typed = p.lstrip("+-").strip()
                near = closest(typed, SORT_COLUMNS)
                key = "cli.sort.unknown_near" if near else "cli.sort.unknown"
                raise LeadQueryError("--sort", Said(key, value=repr(typed), choices=list(SORT_COLUMNS), near=near))
            if name not in (k for k, _ in keys):
                keys.append((name, desc))
    return tuple(keys) or DEFAULT_SORT


# -- the filter --------------------------------------------------------------------
@dataclass(frozen=True)
class LeadFilter:
    """What `hunter leads` selects; every field narrows the list (AND), values within a field are alternatives (OR).

    Times are ISO cut-offs in the store's format (``durations.ago_iso``), so building SQL stays pure.
    """

    segments: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()  # provider ids, or brand names matched against provider_name
    gateways: tuple[str, ...] = ()  # gateway ids, "any", "none"
    tenant: bool | None = None  # True: a Microsoft tenant exists; False: known to have none
    min_score: int | None = None
    max_score: int | None = None
    tags: tuple[str, ...] = ()
    search: str | None = None
    changed_since: str | None = None  # last_change_at >= this
    stale_before: str | None = None  # never fully answered, or last_ok_at < this
    failed: bool = False  # the latest attempt failed
    partial: bool = False  # the latest attempt was partial (some lookups failed); with failed: either
    has_referral: bool | None = None  # True: a Partner Center referral names the lead; False: none does
    crm_statuses: tuple[str, ...] = ()  # open, qualified, disqualified (as last pulled), none (not in Dynamics)
    uses: tuple[str, ...] = ()  # service ids (services.json); any of them
    workloads: tuple[str, ...] = ()  # footprint tags the lead earns (exchange-online, intune, ...); any of them
    missing: tuple[str, ...] = ()  # footprint tags the lead is known to lack (its workload not unknown); all of them
    domains: tuple[str, ...] = ()  # only these domains (normalised)
    not_null: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "not_null", self._not_null())

    def _not_null(self) -> frozenset[str]:
        """Columns that can hold no NULL in the result, so their sort needs no NULLS LAST (keeps index order)."""
        from ..catalog import PROVIDER_IDS

        cols = set(NOT_NULL_COLUMNS)
        if self.segments:
            cols.add("segment")
        if self.categories:
            cols.add("category")
        if self.providers and all(p in PROVIDER_IDS for p in self.providers):
            cols.add("provider")
        if self.gateways and "none" not in self.gateways:
            cols.add("gateway")
        if self.tenant is not None:
            cols.add("tenant")
        if self.min_score is not None or self.max_score is not None:
            cols.add("score")
        if self.changed_since:
            cols.add("last_change_at")
        if self.failed or self.partial:
            cols.add("last_status")
        return frozenset(cols)


def _in(column: str, values: tuple, params: list) -> str:
    params.extend(values)
    if len(values) == 1:
        return f"{column} = ?"
    return f"{column} IN ({', '.join('?' * len(values))})"


def fts_query(text: str | None) -> str | None:
    """The FTS5 query for a ``--search`` text, or None when it is too short for the trigram index."""
    term = fold(text) or ""
    return fts_phrase(term) if len(term) >= MIN_FTS_CHARS else None


def search_sql(text: str, params: list, search_index: bool = True, walk: bool = False) -> str | None:
    """The ``--search`` condition on ``domains AS d`` (None when the folded text is empty).

    With ``search_index`` (schema 7 and later): a trigram phrase match in ``domains_fts`` for
    three characters or more, else a LIKE on the folded ``search_text``. Without it (an older
    file opened read-only): LIKE over ``hunter_fold()`` of the domain, its Unicode form and the
    company, as before the index existed; :func:`prepare` registers ``hunter_fold``.

    ``walk`` (for a search that matches many leads): ``+d.rowid`` keeps SQLite from driving the
    query from the match list, so it walks the sort order's index and stops at the page's end
    instead of fetching and sorting every match (docs/performance.md has both plans measured).
    """
    term = fold(text) or ""
    if not term:
        return None
    if search_index and len(term) >= MIN_FTS_CHARS:
        params.append(fts_phrase(term))
        return f"{'+' if walk else ''}d.rowid IN (SELECT rowid FROM domains_fts WHERE domains_fts MATCH ?)"
    pattern = like_pattern(term)
    if search_index:
        params.append(pattern)
        return "d.search_text LIKE ? ESCAPE '\\'"
    # domain is ASCII lower case; company and the Unicode form need the Python fold (see prepare()).
    params.extend([pattern, pattern, pattern])
    return (
        "(d.domain LIKE ? ESCAPE '\\' OR hunter_fold(d.company) LIKE ? ESCAPE '\\'"
        " OR (d.domain_unicode <> d.domain AND hunter_fold(d.domain_unicode) LIKE ? ESCAPE '\\'))"
    )


def _facet_in(kind: str, values: tuple[str, ...], params: list, walk: bool = False) -> str:
    """The leads with any of ``values`` of ``kind`` in ``footprint_facets`` (a seek of its key per value);
    ``walk``: as ``EXISTS``, a seek per lead the walk reaches, so SQLite cannot drive the query from the list."""
    if walk:
        return (
            f"EXISTS (SELECT 1 FROM {FACETS_TABLE} x WHERE x.kind = '{kind}' AND "
            + _in("x.value", values, params)
            + " AND x.domain_rowid = d.rowid)"
        )
    return (
        f"d.rowid IN (SELECT x.domain_rowid FROM {FACETS_TABLE} x WHERE x.kind = '{kind}' AND "
        + _in("x.value", values, params)
        + ")"
    )


def _framed_in(column: str, values: tuple[str, ...], params: list) -> str:
    """The leads whose ``,id,id,`` framed ``column`` holds any of ``values`` (a test of every row)."""
    params.extend(f",{v}," for v in values)
    return "(" + " OR ".join(f"instr({column}, ?) > 0" for _ in values) + ")"


def where_sql(
    f: LeadFilter, search_index: bool = True, walk: bool = False, facets: bool = True, walk_sort: str | None = None
) -> tuple[str, list]:
    """The WHERE clause (``""`` when nothing filters) and its parameters, for ``domains AS d``.

    ``search_index`` False reads ``--search`` without the FTS index; ``walk``: see :func:`search_sql`;
    ``facets`` False reads the footprint filters from the framed columns (a file without ``footprint_facets``,
    schema 20: see :func:`footprint_derived_from`), with the same meaning. ``walk_sort`` (the column of the
    sort's first key, for a page of a filter that matches many leads: :data:`WALK_ABOVE`): every other column
    the filter tests behind a unary ``+`` and the footprint filters as ``EXISTS``, so SQLite walks the sort
    order's index and stops at the page's end instead of fetching every match through the filter's index and
    sorting them (``--category P1 --sort company`` at 1,000,000 leads: 1,225 ms to 1 ms of CPU; the matches
    must be many, or the walk passes most of the index before it fills a page).
    """
    from ..catalog import PROVIDER_IDS

    clauses: list[str] = []
    params: list = []

    def d(column: str) -> str:  # a column the filter tests, walked past (``+``) under walk_sort
        return f"+d.{column}" if walk_sort and column != walk_sort else f"d.{column}"

    if f.segments:
        clauses.append(_in(d("segment"), f.segments, params))
    if f.categories:
        clauses.append(_in(d("category"), f.categories, params))
    if f.providers:
        ids = tuple(p for p in f.providers if p in PROVIDER_IDS)
        names = tuple(p for p in f.providers if p not in PROVIDER_IDS)
        parts = []
        if ids:
            parts.append(_in(d("provider"), ids, params))
        for name in names:  # a brand as shown in the table (Natro, İsimtescil), any case
            parts.append("hunter_fold(d.provider_name) = ?")
            params.append(fold(name.strip()))
        clauses.append(parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")")
    if f.gateways:
        parts = []
        if "any" in f.gateways:
            parts.append(d("gateway") + " IS NOT NULL")
        ids = tuple(g for g in f.gateways if g not in ("any", "none"))
        if ids and "any" not in f.gateways:
            parts.append(_in(d("gateway"), ids, params))
        if "none" in f.gateways:  # scanned and seen without one; a lead never scanned is not known to have none
            parts.append("(" + d("gateway") + " IS NULL AND d.last_good_at IS NOT NULL)")
        clauses.append(parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")")
    if f.tenant is True:
        clauses.append(_in(d("tenant"), TENANT_KINDS, params))
    elif f.tenant is False:
        clauses.append(d("tenant") + " = 'none'")
    if f.min_score is not None:
        clauses.append(d("score") + " >= ?")
        params.append(f.min_score)
    if f.max_score is not None:
        clauses.append(d("score") + " <= ?")
        params.append(f.max_score)
    if f.tags:
        from .tags import spellings_sql  # the stored spellings of the keys asked for (any case, Turkish ı/i)

        clauses.append(
            f"{d('domain')} IN (SELECT t.domain FROM tags t WHERE t.tag IN ({spellings_sql(f.tags, params)}))"
        )
    if f.search:
        clause = search_sql(f.search, params, search_index, walk)
        if clause:
            clauses.append(clause)
    if f.changed_since:
        clauses.append(d("last_change_at") + " >= ?")
        params.append(f.changed_since)
    if f.stale_before:
        # the last fully answered scan: a partial one did not re-read what failed (trial 23)
        clauses.append(f"({d('last_ok_at')} IS NULL OR {d('last_ok_at')} < ?)")
        params.append(f.stale_before)
    if f.failed or f.partial:  # one status filter: --failed --partial lists both
        clauses.append(_in(d("last_status"), ("failed",) * f.failed + ("partial",) * f.partial, params))
    if f.has_referral is not None:
        clauses.append(d("referrals") + " > 0" if f.has_referral else d("referrals") + " = 0")
    if f.crm_statuses:
        parts = []
        codes = tuple(_CRM_STATECODES[s] for s in f.crm_statuses if s in _CRM_STATECODES)
        if codes:
            parts.append(
                f"{d('domain')} IN (SELECT c.domain FROM crm_leads c WHERE {_in('c.statecode', codes, params)})"
            )
        if "failed" in f.crm_statuses:
            parts.append(
                f"{d('domain')} IN (SELECT c.domain FROM crm_leads c"
                f" WHERE ({CRM_STATUS_SQL}) IN {CRM_FAILED_STATUSES!r})"
            )
        if "none" in f.crm_statuses:
            parts.append(
                "d.domain NOT IN (SELECT c.domain FROM crm_leads c"
                " WHERE c.pushed_at IS NOT NULL AND c.push_state != 'deleted')"
            )
        clauses.append(parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")")
    # The footprint filters: footprint_facets (schema migration 20: kind, value, domain rowid; its key finds the
    # leads with an item), else the columns beside the packed current view (migration 9: each a ",id,id," list;
    # workload_tags NULL when the footprint was never asked), for a file read-only at an older schema.
    if f.uses:
        clauses.append(
            _facet_in("uses", f.uses, params, bool(walk_sort))
            if facets
            else _framed_in("d.service_ids", f.uses, params)
        )
    if f.workloads:
        clauses.append(
            _facet_in("workload", f.workloads, params, bool(walk_sort))
            if facets
            else _framed_in("d.workload_tags", f.workloads, params)
        )
    for tag in f.missing:  # known to lack it: the workload was checked and is not unknown, at a domain that exists
        # and takes mail (no MX or a null MX: provider none, a P6 lead with nothing to sell)
        if facets:  # a seek of the key for each lead read: a page stops at its end, nothing built first
            lacks = (
                f"NOT EXISTS (SELECT 1 FROM {FACETS_TABLE} x WHERE x.domain_rowid = d.rowid"
                " AND ((x.kind = 'unknown' AND x.value = ?) OR (x.kind = 'workload' AND x.value = ?)))"
            )
        else:
            lacks = "instr(d.workloads_unknown, ?) = 0 AND instr(d.workload_tags, ?) = 0"
        clauses.append(f"({missing_premise_sql('d')} AND {lacks})")
        params.extend([workload_of_tag(tag), tag] if facets else [f",{workload_of_tag(tag)},", f",{tag},"])
    if f.domains:
        clauses.append(_in("d.domain", f.domains, params))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def order_sql(
    sort: tuple[tuple[str, bool], ...], not_null: frozenset[str] = NOT_NULL_COLUMNS, sort_apart: bool = False
) -> str:
    """ORDER BY for ``sort`` with NULLs always last and the domain as the final tie-breaker.

    Descending keys put NULLs last by themselves (NULL is the smallest value);
    ascending ones get NULLS LAST, unless the filter already rules NULL out,
    because then SQLite can use an ``IN (...)`` index walk for the order.

    ``sort_apart`` (a whole list, no LIMIT): each key behind a unary ``+``, so SQLite reads the table
    in its own order and sorts the rows itself instead of walking an index and fetching each row's page
    out of order (at 1,000,000 leads the walk spends more time in page reads than the sort does; the
    order is the same, since the domain breaks every tie).
    """
    terms: list[str] = []
    seen: set[str] = set()
    for name, desc in list(sort) + [("domain", False)]:
        if name in seen:
            continue
        seen.add(name)
        for expr, column in SORT_COLUMNS[name]:
            if sort_apart:
                expr = "+" + expr
            if desc:
                terms.append(f"{expr} DESC")
            elif column in not_null:
                terms.append(expr)
            elif _HAS_NULLS_LAST:
                terms.append(f"{expr} NULLS LAST")
            else:
                terms.append(f"{expr.split(' COLLATE')[0]} IS NULL, {expr}")
    return " ORDER BY " + ", ".join(terms)


def select_sql(
    f: LeadFilter,
    sort: tuple[tuple[str, bool], ...] = DEFAULT_SORT,
    limit: int | None = None,
    offset: int = 0,
    search_index: bool = True,
    walk: bool = False,
    derive: str | None = None,
    columns: str | None = None,
    sort_apart: bool = False,
    walk_sort: bool = False,
) -> tuple[str, list]:
    """One SELECT for the leads ``f`` matches, in ``sort`` order; ``limit`` None or 0 means all.

    ``derive``: the view column (``d.current_view`` or ``d.current_json``) the footprint and its filter
    columns are derived from on read, for a file opened read-only before they were the lead view's
    (:func:`footprint_derived_from`); None reads the stored columns. ``columns``: another select list
    over ``domains AS d`` (the CSV export's); ``sort_apart``: see :func:`order_sql`; ``walk_sort`` (a page of
    a filter that matches many leads): the filter's own indexes left aside for the sort's, see :func:`where_sql`."""
    lead = SORT_COLUMNS[(list(sort) + [("domain", False)])[0][0]][0][1] if walk_sort else None
    where, params = where_sql(f, search_index, walk, facets=derive is None, walk_sort=lead)
    columns = _SELECT_LIST if columns is None else columns
    if derive:
        where, columns = _derived(where, derive), _derived(columns, derive)
    sql = f"SELECT {columns} FROM domains AS d{where}{order_sql(sort, f.not_null, sort_apart)}"
    if limit:
        sql += " LIMIT ?"
        params.append(int(limit))
        if offset:
            sql += " OFFSET ?"
            params.append(int(offset))
    return sql, params


def count_sql(f: LeadFilter, search_index: bool = True, derive: str | None = None) -> tuple[str, list]:
    """``SELECT count(*)`` of the leads ``f`` matches (``derive``: see :func:`select_sql`).

    A search alone is counted in the index itself: every lead has exactly one row in
    ``domains_fts`` (the triggers keep it so), and this skips a lookup per match; so is ``--uses`` or
    ``--workload`` alone, in ``footprint_facets`` (its triggers keep one row per item of a lead's column).
    """
    query = fts_query(f.search) if search_index else None
    if query and f == LeadFilter(search=f.search):
        return "SELECT count(*) FROM domains_fts WHERE domains_fts MATCH ?", [query]
    if derive is None:
        for kind, values, alone in (
            ("uses", f.uses, LeadFilter(uses=f.uses)),
            ("workload", f.workloads, LeadFilter(workloads=f.workloads)),
        ):
            if values and f == alone:
                # one footprint filter alone: counted in footprint_facets' key, no lead read
                params = [kind, *values]
                marks = ", ".join("?" * len(values))
                if len(values) == 1:
                    return f"SELECT count(*) FROM {FACETS_TABLE} WHERE kind = ? AND value = ?", params
                return (
                    f"SELECT count(DISTINCT domain_rowid) FROM {FACETS_TABLE} WHERE kind = ? AND value IN ({marks})",
                    params,
                )
        if f.missing and f == LeadFilter(missing=f.missing):
            # --missing alone: the leads that meet its premise (a "checked" row each) less those of them that
            # have a workload's tag or its workload unknown; no lead read
            has = " OR ".join(
                "(x.kind = 'workload' AND x.value = ?) OR (x.kind = 'unknown' AND x.value = ?)" for _ in f.missing
            )
            params = [v for tag in f.missing for v in (tag, workload_of_tag(tag))]
            return (
                f"SELECT (SELECT count(*) FROM {FACETS_TABLE} WHERE kind = '{CHECKED}' AND value = '')"
                f" - (SELECT count(*) FROM {FACETS_TABLE} c WHERE c.kind = '{CHECKED}' AND c.value = ''"
                f" AND c.domain_rowid IN (SELECT x.domain_rowid FROM {FACETS_TABLE} x WHERE {has}))",
                params,
            )
    where, params = where_sql(f, search_index, facets=derive is None)
    return f"SELECT count(*) FROM domains AS d{_derived(where, derive) if derive else where}", params


def tags_sql(domains: list[str]) -> tuple[str, list]:
    """Every tag (user and auto) of ``domains``, in one query."""
    marks = ", ".join("?" * len(domains))
    return (
        f"SELECT domain, tag, source FROM tags WHERE domain IN ({marks}) ORDER BY domain, tag, source",
        list(domains),
    )


# -- running the queries -----------------------------------------------------------
def prepare(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Register ``hunter_fold`` (the brand filter, and ``--search`` on a file without the index),
    ``hunter_footprint`` (the footprint columns of a file read before they were the lead view's) and
    ``hunter_dmarc`` (its ``dmarc_policy`` for a record that gives no policy, before schema 13) and
    ``hunter_failed_checks`` (its ``failed_checks`` from the latest scan's errors, before schema 18)."""
    conn.create_function("hunter_fold", 1, fold, deterministic=True)
    conn.create_function("hunter_footprint", 4, _footprint_part, deterministic=True)
    conn.create_function("hunter_dmarc", 1, dmarc_column_of, deterministic=True)
    conn.create_function("hunter_failed_checks", 1, _failed_checks_of, deterministic=True)
    return conn


def _failed_checks_of(errors_json: str | None) -> str | None:
    """``hunter_failed_checks(scans.errors_json)``: the ``failed_checks`` column migration 18 fills from the same
    errors (:func:`~hunter_cli.store.schema.failed_checks_column`), NULL when the scan failed no lookup."""
    import json

    return failed_checks_column(json.loads(errors_json)) if errors_json else None


# A search (or, counted, any filter) matching at least this many leads walks the sort index (see search_sql's
# ``walk``, where_sql's ``walk_sort``): measured at 1,000,000 leads, 2,900 matches read faster from the match
# list, 78,000 from the index; the walk reads about limit x leads / matches index entries (50 x 1,000,000 /
# 10,000 = 5,000 at this bound), the match list every match.
WALK_ABOVE = 10_000


def search_matches(conn: sqlite3.Connection, f: LeadFilter, search_index: bool = True) -> int | None:
    """How many leads ``f``'s search text matches in the index alone; None without an indexed search."""
    query = fts_query(f.search) if search_index else None
    if not query:
        return None
    return conn.execute("SELECT count(*) FROM domains_fts WHERE domains_fts MATCH ?", (query,)).fetchone()[0]


def has_footprint_column(conn: sqlite3.Connection) -> bool:
    """Whether ``domains`` has the ``footprint`` column (schema 8 and later)."""
    return any(r[1] == "footprint" for r in conn.execute("PRAGMA table_info(domains)"))


def has_footprints(conn: sqlite3.Connection) -> bool:
    """Whether any lead has its Microsoft footprint stored (a full scan since the footprint existed)."""
    try:
        if has_packed_views(conn):
            return conn.execute("SELECT 1 FROM domains WHERE workload_tags IS NOT NULL LIMIT 1").fetchone() is not None
        return (
            conn.execute(
                "SELECT 1 FROM domains WHERE json_type(current_json, '$.microsoft') = 'object' LIMIT 1"
            ).fetchone()
            is not None
        )
    except sqlite3.OperationalError:  # a file from before the footprint (no such column)
        return False


def has_packed_views(conn: sqlite3.Connection) -> bool:
    """Whether the file keeps packed views and the footprint filter columns (schema 9 and later)."""
    return any(r[1] == "current_view" for r in conn.execute("PRAGMA table_info(domains)"))


def footprint_derived_from(conn: sqlite3.Connection) -> str | None:
    """The view column to derive the footprint, its filter columns and ``dmarc_policy`` from on read, or None
    when the stored columns are the lead view's (migration 14 and later: every file Hunter can write). A file
    opened read-only at an older schema keeps columns from before (or none, before schema 8; a NULL
    ``dmarc_policy`` for a record that gives no policy, before 13; a hybrid no tenant backs listed as in use,
    before 14): the lists then read each lead's view
    through the same definitions as the writer (``schema.footprint_columns_of``, ``schema.dmarc_column_of``).
    :data:`NO_FACETS` for a file at schema 18 or 19 (every column, no ``footprint_facets``): the footprint filters
    read the framed columns."""
    version = stored_version(conn)
    if version >= FOOTPRINT_FACETS:
        return None
    if version >= UNKNOWN_NOT_NONE:
        return NO_FACETS
    if version >= HYBRID_DOUBTED:
        return COLUMNS_ONLY
    return "d.current_view" if has_packed_views(conn) else "d.current_json"


# footprint_derived_from for a read-only file whose columns are the lead view's but lack later ones
COLUMNS_ONLY = "columns-only"
# footprint_derived_from for a read-only file with every column but no footprint_facets (schema 18, 19): the
# footprint filters read the framed columns, nothing else changes
NO_FACETS = "no-facets"


def _derived(sql: str, view: str) -> str:
    """``sql`` with the stored footprint columns replaced by ``hunter_footprint`` over ``view``, and a NULL
    ``dmarc_policy`` by ``hunter_dmarc`` over it (``invalid`` for a record that gives no policy); a column
    later migrations added (``failed_checks``, 18) is read as that migration fills it, from the errors of the
    lead's latest scan (``last_scan_id``, schema 1 on): a NULL would list a failed lookup as none failed.
    ``view`` :data:`COLUMNS_ONLY`: that alone; :data:`NO_FACETS`: nothing (the caller's WHERE already reads
    the framed columns)."""
    if view == NO_FACETS:
        return sql
    sql = sql.replace(
        "d.failed_checks", "(SELECT hunter_failed_checks(s.errors_json) FROM scans s WHERE s.id = d.last_scan_id)"
    )
    if view == COLUMNS_ONLY:
        return sql
    for column in ("footprint", *FOOTPRINT_FILTER_COLUMNS):
        sql = sql.replace(f"d.{column}", f"hunter_footprint({view}, d.domain, d.tenant, '{column}')")
    return sql.replace("d.dmarc_policy", f"coalesce(d.dmarc_policy, hunter_dmarc({view}))")


@lru_cache(maxsize=64)
def _footprint_of(stored: bytes | str, domain: str, tenant: str | None) -> dict | None:
    return footprint_columns_of(domain, tenant, stored)  # a row's four columns ask for the same lead


def _footprint_part(stored: bytes | str | None, domain: str, tenant: str | None, part: str) -> str | None:
    """``hunter_footprint(view, domain, tenant, part)``: one of the footprint columns (``part``) as the
    writer would store it for this view, NULL without one."""
    if stored is None:
        return None
    col = _footprint_of(stored, domain, tenant)

    return None if col is None else col[part]


def has_search_index(conn: sqlite3.Connection) -> bool:
    """Whether the file has the ``domains_fts`` index (schema 7 and later)."""
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'domains_fts'").fetchone()
    return row is not None


def _row_dict(r: tuple) -> dict:
    return {
        "domain": r[0],
        "domain_unicode": r[1] or r[0],
        "company": r[2],
        "provider": r[3],
        "provider_name": r[4],
        "gateway": r[5],
        "tenant": r[6],
        "tenant_id": r[7],
        "dmarc_policy": r[8],
        "spf_all": r[9],
        "dkim": None if r[10] is None else bool(r[10]),
        "score": r[11],
        "segment": r[12],
        "category": r[13],
        "last_scanned": r[14],
        "last_attempt": r[15],
        "last_status": r[16],
        "last_change": r[17],
        "referrals": r[18],
        "active_cosell": bool(r[19]),
        "expires": r[20],
        "crm_status": r[21],
        "crm_owner": r[22],
        "tags": [],
        "footprint": r[23] or "?",
        "failed_checks": r[24].split(",") if r[24] else [],
    }


def tags_for(conn: sqlite3.Connection, domains: list[str]) -> dict[str, list[str]]:
    """Sorted, de-duplicated tags per domain; one query per 500 domains."""
    out: dict[str, list[str]] = {}
    for i in range(0, len(domains), IN_CHUNK):
        sql, params = tags_sql(domains[i : i + IN_CHUNK])
        for domain, tag, _source in conn.execute(sql, params):
            tags = out.setdefault(domain, [])
            if tag not in tags:
                tags.append(tag)
    return out


def _with_tags(conn: sqlite3.Connection, rows: list[dict]) -> list[dict]:
    if rows:
        tags = tags_for(conn, [r["domain"] for r in rows])
        for r in rows:
            r["tags"] = tags.get(r["domain"], [])
    return rows


def count(conn: sqlite3.Connection, f: LeadFilter) -> int:
    prepare(conn)
    sql, params = count_sql(f, has_search_index(conn), footprint_derived_from(conn))
    return conn.execute(sql, params).fetchone()[0]


def page(
    conn: sqlite3.Connection,
    f: LeadFilter,
    sort: tuple[tuple[str, bool], ...] = DEFAULT_SORT,
    limit: int | None = 50,
    search_index: bool | None = None,
) -> tuple[list[dict], int]:
    """(the first ``limit`` leads with their tags, how many match in all), read from one snapshot.

    ``search_index``: None reads ``--search`` through the index when the file has one; False
    forces the old LIKE path (for benchmarks/leads_query.py).
    """
    prepare(conn)
    indexed = has_search_index(conn) if search_index is None else search_index
    derive = footprint_derived_from(conn)
    csql, cparams = count_sql(f, indexed, derive)
    conn.execute("BEGIN")
    try:
        matches = search_matches(conn, f, indexed)
        walk = bool(limit) and matches is not None and matches >= WALK_ABOVE
        total = 0
        if not limit:
            pass
        elif matches is not None and f == LeadFilter(search=f.search):
            total = matches  # what count_sql would count, already counted
        else:  # counted first (from indexes, mostly): a filter that matches many leads may walk the sort's index
            total = conn.execute(csql, cparams).fetchone()[0]
        sql, params = select_sql(f, sort, limit, search_index=indexed, walk=walk, derive=derive)
        if limit and total >= WALK_ABOVE and "USE TEMP B-TREE FOR ORDER BY" in explain(conn, sql, params):
            # SQLite would fetch and sort every match (no index gives the filter's leads in this order, as
            # domains_category_score does for --category with the default sort): walk the sort's index instead
            sql, params = select_sql(f, sort, limit, search_index=indexed, walk=walk, derive=derive, walk_sort=True)
        rows = [_row_dict(r) for r in conn.execute(sql, params)]
        if not limit:
            total = len(rows)
        _with_tags(conn, rows)
    finally:
        conn.execute("COMMIT")
    return rows, total


def iter_leads(
    conn: sqlite3.Connection,
    f: LeadFilter,
    sort: tuple[tuple[str, bool], ...] = DEFAULT_SORT,
    limit: int | None = None,
    chunk: int = IN_CHUNK,
) -> Generator[dict, None, None]:
    """Every matching lead (or the first ``limit``), streamed: rows and their tags fetched ``chunk`` at a time."""
    prepare(conn)
    sql, params = select_sql(
        f,
        sort,
        limit,
        search_index=has_search_index(conn),
        derive=footprint_derived_from(conn),
    )
    conn.execute("BEGIN")
    try:
        cur = conn.execute(sql, params)
        while True:
            rows = [_row_dict(r) for r in cur.fetchmany(chunk)]
            if not rows:
                break
            yield from _with_tags(conn, rows)
    finally:
        conn.execute("COMMIT")


def explain(conn: sqlite3.Connection, sql: str, params: list) -> list[str]:
    """EXPLAIN QUERY PLAN details, for tests and benchmarks."""
    prepare(conn)
    return [r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]


# -- one lead ----------------------------------------------------------------------
def detail(conn: sqlite3.Connection, domain: str) -> dict | None:
    """Everything stored about ``domain``; None when it is not in the database."""
    from .reads import history as scan_history
    from .reads import registration, tenant_asked_at

    conn.execute("BEGIN")
    try:
        cur = conn.execute("SELECT * FROM domains WHERE domain = ?", (domain,))
        row = cur.fetchone()
        if row is None:
            return None
        lead = dict(zip([c[0] for c in cur.description], row, strict=True))
        view = lead.pop("current_view", None)
        view = lead.pop("current_json", view)  # a file before schema 9 opened read-only
        for column in ("search_text", *FOOTPRINT_FILTER_COLUMNS):  # the copies search and filters read
            lead.pop(column, None)
        lead["dkim"] = None if lead.get("dkim") is None else bool(lead["dkim"])
        lead["domain_unicode"] = lead.get("domain_unicode") or domain
        tags: dict[str, list[str]] = {"user": [], "auto": []}
        for tag, source in conn.execute("SELECT tag, source FROM tags WHERE domain = ? ORDER BY tag", (domain,)):
            tags.setdefault(source, []).append(tag)
        notes = [
            {"created_at": r[0], "text": r[1]}
            for r in conn.execute(
                "SELECT created_at, text FROM notes WHERE domain = ? ORDER BY created_at DESC, id DESC", (domain,)
            )
        ]
        events = [
            {"occurred_at": r[0], "kind": r[1], "old": r[2], "new": r[3], "detail": r[4]}
            for r in conn.execute(
                "SELECT occurred_at, kind, old, new, detail FROM events "
                "WHERE domain = ? ORDER BY occurred_at DESC, id DESC",
                (domain,),
            )
        ]
        reg = registration(conn, domain)
        history = list(reversed(scan_history(conn, domain)))  # newest first, like notes and events
        asked = tenant_asked_at(conn, domain, lead.get("last_good_at"))  # a cached tenant answer's time
        from .crm import lead_crm

        crm = lead_crm(conn, domain)  # the lead in Dynamics 365, as the brief says it
    finally:
        conn.execute("COMMIT")
    if not lead.get("expires") and reg:
        lead["expires"] = reg.get("expires")
    return {
        "lead": lead,
        "view": loads(view) if view else None,
        "registration": reg,
        "tags": tags,
        "notes": notes,
        "events": events,
        "history": history,
        "tenant_asked_at": asked,
        "crm": crm,
    }


# -- CSV export ----------------------------------------------------------------------
def _excel_safe_sql(expr: str) -> str:
    """SQL for :func:`hunter_cli.render.csvsafe.excel_safe` of a text: a leading ' before = + - @ tab CR."""
    return (
        f"CASE WHEN substr({expr}, 1, 1) IN ('=', '+', '-', '@', char(9), char(13)) THEN '''' || {expr} ELSE {expr} END"
    )


def _closed_cell_sql(expr: str, column: str) -> str:
    """SQL for :func:`hunter_cli.render.csvsafe.csv_cell`: the word of a closed-set value (``-all`` ->
    ``fail``), else the value guarded as :func:`_excel_safe_sql` guards it."""
    whens = " ".join(f"WHEN '{value}' THEN '{word}'" for value, word in CLOSED_CELLS[column].items())
    return f"CASE {expr} {whens} ELSE {_excel_safe_sql(expr)} END"


def _csv_time_sql(expr: str) -> str:
    """ISO 8601 with offset, to the second, as render.leads._csv_time (timefmt.for_machines) writes it:
    the store writes UTC (``utcnow``), so ``2026-03-01T09:30:00Z`` and ``2026-03-01 09:30:00`` both
    become ``2026-03-01T09:30:00+00:00``; a date stays a date."""
    return (
        # what the store writes comes out as it is (the test first: no string is built for it)
        f"CASE WHEN substr({expr}, 20) = '+00:00' AND instr({expr}, ' ') = 0 THEN {expr}"
        f" WHEN {expr} IS NULL OR {expr} = '' OR length({expr}) = 10 THEN {expr}"
        f" ELSE replace(substr({expr}, 1, 19), ' ', 'T') || '+00:00' END"
    )


# render.csvsafe.machine_row in SQL: NOT_KNOWN for an empty provider or tenant once an attempt was made, and for
# an empty gateway, DMARC policy or `all` result while no scan has read the lead; NOT_SCANNED for no attempt.
_ATTEMPTED = "(d.last_good_at IS NOT NULL OR d.last_attempt_at IS NOT NULL)"
_NOT_READ = "(d.last_good_at IS NULL AND d.last_attempt_at IS NOT NULL)"


def _or_not_known(expr: str, when: str) -> str:
    return f"coalesce(nullif({expr}, ''), CASE WHEN {when} THEN '{NOT_KNOWN}' END)"


# The CSV columns (render.leads.FIELDS, in order) as SQL computes them: the cells `hunter leads -f csv`
# writes, so a million rows go from SQLite to the csv module without a Python function per row.
CSV_CELLS = (
    "d.domain",
    _excel_safe_sql("coalesce(nullif(d.domain_unicode, ''), d.domain)"),
    _excel_safe_sql("d.company"),
    _or_not_known("d.provider", _ATTEMPTED),
    _excel_safe_sql("d.provider_name"),
    _or_not_known("d.gateway", _NOT_READ),
    _or_not_known("d.tenant", _ATTEMPTED),
    "d.tenant_id",
    "coalesce(d.footprint, '?')",
    _or_not_known("d.dmarc_policy", _NOT_READ),
    # RFC 7208's result words: fail, softfail, neutral, pass
    _closed_cell_sql(_or_not_known("d.spf_all", _NOT_READ), "spf_all"),
    # '?': the lookups failed and no scan has seen a key (dkim_state unknown), or no scan has read the lead
    f"CASE WHEN d.dkim IS NULL THEN (CASE WHEN d.dkim_state = 'unknown' OR {_NOT_READ} THEN '{NOT_KNOWN}' END)"
    " WHEN d.dkim THEN 'yes' ELSE 'no' END",
    "d.score",
    "d.segment",
    "d.category",
    _csv_time_sql("d.last_good_at"),
    f"coalesce(d.last_status, CASE WHEN NOT {_ATTEMPTED} THEN '{NOT_SCANNED}' END)",
    _csv_time_sql("d.last_attempt_at"),
    _csv_time_sql("d.last_change_at"),
    "coalesce(d.expires, (SELECT r.expires FROM registrations r WHERE r.domain = d.domain))",
    "d.referrals",
    "CASE WHEN d.active_cosell THEN 'yes' ELSE 'no' END",
    # each tag once, in order: the primary key (domain, tag, source) gives a domain's tags sorted, and
    # a tag both the rep and the scan gave is taken from its 'auto' row (no DISTINCT, no sort per lead)
    "(SELECT " + _excel_safe_sql("g") + " FROM (SELECT group_concat(t.tag, ';') AS g FROM tags t"
    " WHERE t.domain = d.domain AND NOT (t.source = 'user' AND EXISTS (SELECT 1 FROM tags u"
    " WHERE u.domain = t.domain AND u.tag = t.tag AND u.source = 'auto'))))",
    f"(SELECT {CRM_STATUS_SQL} FROM crm_leads c WHERE c.domain = d.domain)",
    "(SELECT " + _excel_safe_sql("c.owner_name") + " FROM crm_leads c WHERE c.domain = d.domain)",
    "replace(d.failed_checks, ',', ';')",  # check codes (txt, dkim, ...), as the tags: separated by ';'
)
CSV_SELECT_LIST = ", ".join(CSV_CELLS)


def csv_rows(
    conn: sqlite3.Connection,
    f: LeadFilter,
    sort: tuple[tuple[str, bool], ...] = DEFAULT_SORT,
    limit: int | None = None,
) -> Generator[tuple, None, None] | None:
    """Every matching lead (or the first ``limit``) as the tuple of CSV cells ``hunter leads -f csv`` writes,
    streamed from one read transaction; None for a file without the footprint column (before schema 8:
    use :func:`iter_leads` and render them)."""
    prepare(conn)
    if not has_footprint_column(conn):
        return None
    sql, params = select_sql(
        f,
        sort,
        limit,
        search_index=has_search_index(conn),
        derive=footprint_derived_from(conn),
        columns=CSV_SELECT_LIST,
        sort_apart=not limit,
    )
    return _stream(conn, sql, params)


# One CSV line a lead, put together by SQLite (printf takes NULL as ''): what the csv module would write
# for CSV_CELLS whenever no cell needs quoting. A REAL score (never written by Hunter) gets a '"' so that
# its line is rendered by the csv module instead (Python and SQLite print floats differently).
_CSV_LINE_CELLS = tuple(
    "CASE WHEN typeof(d.score) = 'real' THEN '\"' ELSE d.score END" if cell == "d.score" else cell for cell in CSV_CELLS
)


def csv_line_sql(separator: str = ",") -> str:
    """:data:`CSV_LINE_SQL` with ``separator`` (``,``, ``;`` or a tab) between the cells."""
    return (
        "d.rowid, printf('"
        + separator.join(["%s"] * len(CSV_CELLS))
        + "' || char(13, 10), "
        + ", ".join(_CSV_LINE_CELLS)
        + ")"
    )


CSV_LINE_SQL = csv_line_sql(",")
CSV_LINE_BATCH = 4000


def csv_lines(
    conn: sqlite3.Connection,
    f: LeadFilter,
    sort: tuple[tuple[str, bool], ...] = DEFAULT_SORT,
    limit: int | None = None,
    *,
    quote: Callable[[list[tuple]], bytes],
    batch: int = CSV_LINE_BATCH,
    separator: str = ",",
    first_soon: bool = False,
) -> Generator[bytes, None, None] | None:
    """The body of ``hunter leads -f csv`` (every line after the header, UTF-8, CRLF) in pieces of
    ``batch`` leads, from one read transaction; None for a file before schema 8 (as :func:`csv_rows`).

    SQLite writes each line (:data:`CSV_LINE_SQL`) and the bytes go out as stored, with no Python
    object a cell. ``separator`` (``,``, ``;``, tab: ``--csv-separator``) goes between the cells, and
    ``quote`` must write with the same. A piece whose lines hold a quote, a CR or LF, or more separator
    characters than separators has a cell that needs quoting: those leads' cells (:data:`CSV_CELLS`)
    are read again in the same snapshot and ``quote`` (rows of cells -> CSV bytes, the csv module's rules) writes them.

    Without a limit SQLite sorts the whole list apart from the indexes (:func:`order_sql`), in
    temporary files (about 250 bytes a lead); when it cannot write them (SQLITE_FULL, SQLITE_IOERR)
    before the first line, the same lines are read in an index walk instead. The sort is the faster
    whole (at 1,000,000 leads 6.4 s against 12 to 16 s), but its first line comes only once every lead is
    sorted: with ``first_soon`` (a reader waits at the other end, ``| head``) the index walk is used, whose
    first lines come at once.
    """
    prepare(conn)
    if not has_footprint_column(conn):
        return None
    queries = [
        select_sql(
            f,
            sort,
            limit,
            search_index=has_search_index(conn),
            derive=footprint_derived_from(conn),
            columns=csv_line_sql(separator),
            sort_apart=apart,
        )
        for apart in ((True, False) if not limit and not first_soon else (False,))
    ]
    derive = footprint_derived_from(conn)
    cells = _derived(CSV_SELECT_LIST, derive) if derive else CSV_SELECT_LIST
    return _lines(conn, queries, batch, quote, separator.encode(), cells)


def _plain(lines: bytes, n: int, sep: bytes = b",", separators: int = len(CSV_CELLS) - 1) -> bool:
    """Whether ``n`` CRLF-ended lines need no quoting: no '"', no CR or LF but the ends, only separating ``sep``."""
    return (
        b'"' not in lines and lines.count(b"\n") == n and lines.count(b"\r") == n and lines.count(sep) == separators * n
    )


def _first(conn: sqlite3.Connection, queries: list[tuple[str, list]], batch: int) -> tuple[sqlite3.Cursor, list[tuple]]:
    """The cursor of the first of ``queries`` that returns its first rows (the next one when SQLite cannot
    write its temporary files) and those rows."""
    for i, (sql, params) in enumerate(queries):
        try:
            cur = conn.execute(sql, params)  # the sort happens here, before the first row
            return cur, cur.fetchmany(batch)
        except sqlite3.OperationalError as exc:
            if i == len(queries) - 1 or getattr(exc, "sqlite_errorname", "") not in ("SQLITE_FULL", "SQLITE_IOERR"):
                raise
            if not conn.in_transaction:  # SQLite rolled the read back: nothing was read, start again
                conn.execute("BEGIN")
    raise ValueError("no query")


def _requoted(
    conn: sqlite3.Connection,
    rows: list[tuple],
    quote: Callable[[list[tuple]], bytes],
    sep: bytes = b",",
    cells_sql: str = CSV_SELECT_LIST,
) -> bytes:
    """``rows`` of (rowid, line) as CSV: the lines that need quoting written again from their cells
    (``cells_sql``: :data:`CSV_SELECT_LIST`, or its footprint derived on read: :func:`footprint_derived_from`)."""
    bad = [r[0] for r in rows if not _plain(r[1], 1, sep)]
    cells: dict[int, tuple] = {}
    for i in range(0, len(bad), IN_CHUNK):
        part = bad[i : i + IN_CHUNK]
        marks = ", ".join("?" * len(part))
        for row in conn.execute(f"SELECT d.rowid, {cells_sql} FROM domains AS d WHERE d.rowid IN ({marks})", part):
            cells[row[0]] = row[1:]
    return b"".join([r[1] if r[0] not in cells else quote([cells[r[0]]]) for r in rows])


def _lines(
    conn: sqlite3.Connection,
    queries: list[tuple[str, list]],
    batch: int,
    quote: Callable[[list[tuple]], bytes],
    sep: bytes = b",",
    cells_sql: str = CSV_SELECT_LIST,
) -> Generator[bytes, None, None]:
    factory = conn.text_factory
    threads = 0
    conn.execute("BEGIN")
    try:
        threads = conn.execute("PRAGMA threads").fetchone()[0]
        conn.execute("PRAGMA threads = 2")  # SQLite's sorter may sort and merge on a second core
        conn.text_factory = bytes  # the lines as stored: UTF-8, never decoded and encoded again
        cur, rows = _first(conn, queries, batch)
        while rows:
            conn.text_factory = factory
            chunk = b"".join([r[1] for r in rows])
            if _plain(chunk, len(rows), sep):
                yield chunk
            else:
                yield _requoted(conn, rows, quote, sep, cells_sql)
            conn.text_factory = bytes
            rows = cur.fetchmany(batch)
    finally:
        conn.text_factory = factory
        conn.execute(f"PRAGMA threads = {int(threads)}")
        if conn.in_transaction:
            conn.execute("COMMIT")


def _stream(conn: sqlite3.Connection, sql: str, params: list) -> Generator[tuple, None, None]:
    conn.execute("BEGIN")
    try:
        cur = conn.execute(sql, params)
        while rows := cur.fetchmany(IN_CHUNK * 4):
            yield from rows
    finally:
        conn.execute("COMMIT")
