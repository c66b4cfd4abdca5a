"""DMARC records (RFC 7489) parsed tag by tag.

Tag names and values are case-insensitive. The organisational policy is ``p``;
``sp`` only governs subdomains, so ``p=reject; sp=none`` is a reject policy.
"""

from __future__ import annotations

from ..models import DmarcInfo

_POLICIES = frozenset({"none", "quarantine", "reject"})
_ALIGN = frozenset({"r", "s"})


def is_dmarc(txt: str) -> bool:
    head = txt.lstrip().split(";", 1)[0].replace(" ", "").lower()
    return head == "v=dmarc1"


def _uris(value: str) -> list[str]:
    return [u.strip() for u in value.split(",") if u.strip()]


def parse_record(record: str) -> DmarcInfo:
    info = DmarcInfo(record=record)
    tags: dict[str, str] = {}
    for part in record.split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip().lower()
        if not sep:
            info.problems.append(f"tag without a value: {part.strip()!r}")
            continue
        if name in tags:
            info.problems.append(f"tag {name} given more than once; the first counts")
            continue
        tags[name] = value.strip()

    p = tags.get("p", "").lower()
    info.rua = _uris(tags.get("rua", ""))
    info.ruf = _uris(tags.get("ruf", ""))
    if p in _POLICIES:
        info.policy = p
    else:
        info.problems.append("missing p= tag" if "p" not in tags else f"invalid p={tags['p']!r}")
        if any(u.lower().startswith("mailto:") for u in info.rua):
            info.policy = "none"  # RFC 7489 6.6.3: act as p=none when rua is valid
        else:
            info.valid = False
    sp = tags.get("sp", "").lower()
    if sp in _POLICIES:
        info.subdomain_policy = sp
    else:
        if "sp" in tags:
            info.problems.append(f"invalid sp={tags['sp']!r}; subdomains follow p")
        info.subdomain_policy = info.policy
    if "pct" in tags:
        raw = tags["pct"]
        if raw.isdigit() and 0 <= int(raw) <= 100:
            info.pct = int(raw)
        else:
            info.problems.append(f"invalid pct={raw!r}; 100 assumed")
    for key in ("adkim", "aspf"):
        if key in tags:
            v = tags[key].lower()
            if v in _ALIGN:
                setattr(info, key, v)
            else:
                info.problems.append(f"invalid {key}={tags[key]!r}; relaxed assumed")
    if info.policy is not None and info.pct < 100 and info.policy != "none":
        info.problems.append(f"policy applies to only {info.pct}% of failing mail")
    return info


def parse_txt(txts: list[str]) -> DmarcInfo | None:
    """DMARC policy from the TXT records at ``_dmarc.<domain>``; None when there is no record."""
    records = [t.strip() for t in txts if is_dmarc(t)]
    if not records:
        return None
    if len(records) > 1:
        return DmarcInfo(
            valid=False,
            record=records[0],
            policy=None,
            subdomain_policy=None,
            problems=[f"{len(records)} DMARC records published; receivers apply no DMARC policy"],
        )
    return parse_record(records[0])
