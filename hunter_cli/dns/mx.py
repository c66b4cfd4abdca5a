"""MX record sets read as sending MTAs read them (RFC 5321 5.1, RFC 7505, RFC 2181 10.3).

Pure functions, no I/O: the scan resolves each distinct exchange once per run
and hands the outcomes here.

* A null MX (RFC 7505 section 3) is a single MX record with preference 0 and the
  exchange ``.``: the domain accepts no mail. ``.`` beside other MX records is
  not a null MX: senders deliver to the other hosts, and the mix is an error.
* An exchange must be a host name with address records (RFC 5321 5.1); one that
  does not exist or has no A/AAAA cannot take mail (an error). When no exchange
  resolves, the domain's mail set-up is broken.
* An exchange must not be an alias (RFC 2181 10.3, RFC 5321 5.1: a CNAME as MX
  target is a warning; most senders still follow it).
* An IP address written as the exchange is not a host name (RFC 5321 5.1);
  many senders skip it: a warning beside an MX host that takes mail, an error
  when no other MX host does (the mail then bounces).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from ..models import Finding, MxHost


def is_ip_literal(host: str) -> bool:
    """``192.0.2.1``, ``[192.0.2.1]`` or ``2001:db8::1`` written where a host name belongs."""
    h = host.strip().rstrip(".")
    if not h or not (h[-1].isdigit() or ":" in h or h[0] == "["):
        return False  # a host name ends in a letter (no top-level domain is numeric); most MX hosts stop here
    h = h.strip("[]")
    if h.lower().startswith("ipv6:"):
        h = h[5:]
    try:
        ipaddress.ip_address(h)
    except ValueError:
        return False
    return True


def taking_mail(mx: Sequence[tuple[int, str]], unresolved: Collection[str] = frozenset()) -> list[tuple[int, str]]:
    """The ``(preference, exchange)`` records of ``mx`` whose exchange can take mail, in order: a host name
    (``""``, the null MX's ``.``, names none, RFC 7505), not one proven to have no address (``unresolved``),
    not an IP address written where a host belongs (RFC 5321 5.1)."""
    return [(p, h) for p, h in mx if h and h not in unresolved and not is_ip_literal(h)]


def lowest_preference(taking: Sequence[tuple[int, str]]) -> list[str]:
    """The exchanges of the lowest preference among ``taking`` (:func:`taking_mail`): where senders deliver
    first, picking among them at random (RFC 5321 5.1). Empty when none takes mail."""
    best = min((p for p, _ in taking), default=None)
    return [h for p, h in taking if p == best]


@dataclass(slots=True)
class MxCheck:
    """What the MX set means: hosts with their resolution, null MX, findings, and the inputs to classification."""

    hosts: list[MxHost] = field(default_factory=list)
    null_mx: bool = False
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    canonical: dict[str, str] = field(default_factory=dict)  # alias exchange -> canonical name
    unresolved: frozenset[str] = frozenset()  # exchanges proven to have no address


def check(mx: list[tuple[int, str]], resolved: dict[str, tuple[bool, str | None]]) -> MxCheck:
    """Judge an MX set. ``mx`` is ``[(preference, exchange)]`` sorted, ``""`` standing for ``.``;
    ``resolved`` maps each exchange looked up to (has addresses, canonical name or None). An exchange
    missing from ``resolved`` (lookup failed, or an IP literal) is neither resolved nor unresolved."""
    out = MxCheck()
    roots = [p for p, h in mx if not h]
    named = [(p, h) for p, h in mx if h]
    if roots and not named:
        if roots == [0]:
            out.null_mx = True
        else:
            out.errors.append(
                Finding(
                    code="null-mx-malformed",
                    message="the MX set points at '.' but is not the single 'MX 0 .' of RFC 7505: "
                    "the domain takes no mail, by accident or design",
                    where=["."],
                )
            )
    elif roots:
        out.errors.append(
            Finding(
                code="null-mx-mixed",
                message="a null MX ('MX 0 .') is published beside other MX records; it means nothing there "
                "(RFC 7505 3) and mail goes to the other hosts",
                where=["."],
            )
        )
    unresolved: set[str] = set()
    for pref, host in named:
        item = MxHost(host=host, preference=pref)
        if is_ip_literal(host):
            out.warnings.append(
                Finding(
                    code="mx-ip-literal",
                    message=f"MX {host} is an IP address, not a host name (RFC 5321 5.1); most senders skip it"
                    " for the other MX hosts",
                    where=[host],
                )
            )
        elif host in resolved:
            ok, canonical = resolved[host]
            item.resolved = ok
            if canonical and canonical != host:
                item.canonical = canonical
                out.canonical[host] = canonical
                out.warnings.append(
                    Finding(
                        code="mx-alias",
                        message=f"MX {host} is an alias (CNAME) of {canonical}; an MX must name the host itself "
                        "(RFC 2181 10.3, RFC 5321 5.1)",
                        where=[host, canonical],
                    )
                )
            if not ok:
                unresolved.add(host)
                out.errors.append(
                    Finding(
                        code="mx-host-unresolved",
                        message=f"MX {host} has no address (no such name, or no A/AAAA record): "
                        "mail cannot be delivered to it",
                        where=[host] + ([canonical] if canonical and canonical != host else []),
                    )
                )
        out.hosts.append(item)
    out.unresolved = frozenset(unresolved)
    literal = [f for f in out.warnings if f.code == "mx-ip-literal"]
    if literal and not taking_mail(named, out.unresolved):
        # no other MX host can take the mail: senders that will not deliver to an address bounce it, so this is
        # what receivers reject (an error, as an MX host with no address is), not something to tidy up
        out.warnings = [f for f in out.warnings if f.code != "mx-ip-literal"]
        out.errors += [
            Finding(
                code=f.code,
                message=f"MX {f.where[0]} is an IP address, not a host name (RFC 5321 5.1), and no other MX host"
                " takes mail: most mail servers will not deliver to it, so mail to the domain bounces",
                where=f.where,
            )
            for f in literal
        ]
    return out
