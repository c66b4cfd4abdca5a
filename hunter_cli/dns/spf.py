"""SPF records (RFC 7208): pick the record, split its terms, count its DNS lookups.

Pure parsing only; following include/redirect targets is the scan's job
(:mod:`hunter_cli.scan`), which feeds the targets' parsed records back in to
count lookups across the whole tree.
"""

from __future__ import annotations

from ..models import SpfInfo

# Terms that cost a DNS lookup when a receiver evaluates the record (RFC 7208 4.6.4).
_LOOKUP_MECHANISMS = frozenset({"include", "a", "mx", "ptr", "exists"})
_MECHANISMS = frozenset({"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"})
LOOKUP_LIMIT = 10


def is_spf(txt: str) -> bool:
    t = txt.lstrip()[:7].lower()
    return t == "v=spf1" or t.startswith("v=spf1 ")


def spf_records(txts: list[str]) -> list[str]:
    return [t.strip() for t in txts if is_spf(t)]


def parse_record(record: str) -> SpfInfo:
    """Parse one ``v=spf1`` record; ``lookups`` counts only this record's own terms."""
    info = SpfInfo(record=record)
    terms = record.split()[1:]
    info.terms = terms
    lookups = 0
    for term in terms:
        lower = term.lower()
        if "=" in lower and (":" not in lower or lower.index("=") < lower.index(":")):
            name, _, value = term.partition("=")
            name = name.lower()
            if name == "redirect":
                if info.redirect is not None:
                    info.problems.append("redirect given more than once")
                info.redirect = value.lower().rstrip(".")
                lookups += 1
            continue  # exp= and unknown modifiers are allowed and ignored
        qualifier = "+"
        if lower[:1] in "+-~?":
            qualifier, lower, term = lower[0], lower[1:], term[1:]
        name, sep, arg = lower.partition(":")
        if not sep:
            name = name.split("/", 1)[0]
        if name not in _MECHANISMS:
            info.problems.append(f"unknown mechanism {term!r}")
            continue
        if name in _LOOKUP_MECHANISMS:
            lookups += 1
        if name == "all":
            if info.all is not None:
                info.problems.append("more than one 'all'")
            info.all = qualifier + "all"
        elif name == "include":
            if not arg:
                info.problems.append("include without a domain")
            else:
                info.includes.append(arg.rstrip("."))
    info.lookups = lookups
    if info.all is not None and info.redirect is not None:
        info.problems.append("redirect is ignored because the record has 'all'")
    return info


def parse_txt(txts: list[str]) -> SpfInfo | None:
    """The SPF policy among a name's TXT records: None when there is none."""
    records = spf_records(txts)
    if not records:
        return None
    if len(records) > 1:
        return SpfInfo(
            valid=False,
            record=records[0],
            problems=[f"{len(records)} SPF records published; receivers treat this as an error (permerror)"],
        )
    return parse_record(records[0])


def targets(info: SpfInfo) -> list[str]:
    """Names a receiver would fetch next: includes, then redirect (only without 'all')."""
    out = list(info.includes)
    if info.redirect and info.all is None:
        out.append(info.redirect)
    return out


def finish(info: SpfInfo, children: dict[str, SpfInfo | None], expanded: list[str]) -> SpfInfo:
    """Fill in the tree-wide lookup count from already-parsed include/redirect targets.

    ``children`` maps every reached target to its parsed record (None when the
    target publishes no SPF). Each target's own lookups are added once per
    reference path, which is how a receiver counts them.
    """

    def total(node: SpfInfo, path: frozenset[str]) -> int:
        n = node.lookups
        for t in targets(node):
            child = children.get(t)
            if child is not None and t not in path:
                n += total(child, path | {t})
        return n

    info.lookups = total(info, frozenset())
    info.lookup_limit_exceeded = info.lookups > LOOKUP_LIMIT
    info.expanded = expanded
    if info.lookup_limit_exceeded:
        info.problems.append(
            f"{info.lookups} DNS lookups; RFC 7208 allows {LOOKUP_LIMIT}, so receivers may reject mail (permerror)"
        )
    for t in expanded:
        if t in children and children[t] is None:
            info.problems.append(f"include target {t} publishes no SPF record")
    return info
