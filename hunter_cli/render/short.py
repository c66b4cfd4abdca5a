"""Short forms of the values tables show on narrow (80-column) terminals, and which columns give way first.

Data, not code: whole words a rep reads at a glance instead of values cut to ``quarant…`` or
``Migrati…``. One vocabulary: every table that shows these values (``hunter leads``, the scan's
results and summary, ``hunter rules matrix``) takes its short forms from :data:`SHORT`, and below
:data:`FULL_AT` columns all of them do, so a value reads the same in every table on one terminal.
docs/cli.md ("Tables at 80 columns") lists them.
"""

from __future__ import annotations

# Terminals at least this wide show every value in full; narrower ones show the short forms.
FULL_AT = 120

# Short forms for narrow terminals (80 columns): whole words a rep reads at a glance, never "quarant…".
SHORT = {
    "provider": {"self-hosted": "own srv"},
    "tenant": {"Managed": "Mgd", "Federated": "Fed"},  # "?" is "not known", never Unknown
    "dmarc": {"quarantine": "quar", "reject": "reject", "none": "none"},
    "segment": {"Existing": "Exist", "Migration": "Migr"},
}
# Columns that give way, in this order, when the narrow layout still does not fit (docs/cli.md).
GIVE_WAY = ("gateway", "tenant", "segment", "crm", "referrals", "dmarc")

# `hunter leads`: the column each filter (a field of store.leads.LeadFilter) is about. A column the
# user filtered on, or sorted by (--sort names columns), never gives way: it moves ahead of every
# column in GIVE_WAY, and a column the narrow layout leaves out (footprint, scanned) comes back.
FILTER_COLUMNS = {
    "providers": "provider",
    "gateways": "gateway",
    "tenant": "tenant",
    "segments": "segment",
    "categories": "category",
    "min_score": "score",
    "max_score": "score",
    "crm_statuses": "crm",
    "has_referral": "referrals",
    "uses": "footprint",
    "workloads": "footprint",
    "missing": "footprint",
    "stale_before": "scanned",
    "failed": "scanned",
    "tags": "tags",
    "search": "domain",
}


def narrow(width: int | None) -> bool:
    """Whether a table ``width`` columns wide shows the short forms (None: no terminal, full forms)."""
    return width is not None and width < FULL_AT


def shorten(column: str, value: str) -> str:
    """``value`` of ``column`` (a key of :data:`SHORT`) in its short form; other values as they are."""
    return SHORT.get(column, {}).get(value, value)


def heading(label: str, lang: str | None = None):
    """A column header that never breaks inside a word: on one line, cut with "…" when the column is
    narrower than it (``Foot…``), where Rich would fold it (``Footprin`` over ``t``). ``label`` is the
    English header; it is shown in the command's language (render/words.py :func:`column`)."""
    from rich.text import Text

    from .words import column

    return Text(column(label, lang), no_wrap=True, overflow="ellipsis")
