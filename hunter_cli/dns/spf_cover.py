"""Which senders the wide terms of one SPF record decide, per address family: whether the terms that pass
cover every IPv4 or every IPv6 sender (the record is open, as ``+all`` is), and whether terms before ``all``
already decide every sender (its ``all`` is never reached). Pure; no I/O.

RFC 7208 4.6.2: the terms are tried in order and the first that matches decides the result, so a range a term
passes counts only where no earlier term matched. 5.6: ``ip4``/``ip6`` match their network; 5.3/5.4: ``a``/``mx``
with a prefix length of 0 match every address of the family once the name has one. Only wide terms count
(prefix 8 or shorter): a family is covered in practice by a few of them (``ip4:0.0.0.0/1 ip4:128.0.0.0/1``),
never by host routes, and leaving the narrow ones out keeps the common record free of any work here (a narrow
``-ip4:192.0.2.1`` before ``ip4:0.0.0.0/0`` leaves the record as open as it is in practice).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

WIDE = 8  # the longest prefix that counts: 2**8 terms would be needed to cover a family with longer ones
_FULL = {4: ipaddress.ip_network("0.0.0.0/0"), 6: ipaddress.ip_network("::/0")}
_PERMISSIVE = "+?~-"  # the qualifiers from the most to the least permissive


@dataclass
class Coverage:
    """The wide terms of one record seen so far, in order (:meth:`add`), per family ``4`` and ``6``."""

    left: dict[int, list] = field(default_factory=lambda: {f: [n] for f, n in _FULL.items()})
    passers: dict[int, list[str]] = field(default_factory=lambda: {4: [], 6: []})
    share: dict[int, dict[str, int]] = field(default_factory=lambda: {4: {}, 6: {}})

    def add(self, family: int, network: str, prefix: int, qualifier: str, text: str) -> None:
        """A term of ``qualifier`` (``+ - ~ ?``) matching ``network/prefix`` of ``family`` (4 or 6); narrow
        networks (prefix longer than :data:`WIDE`) are left out. ValueError for a network that is no address."""
        if prefix > WIDE:
            return
        net = ipaddress.ip_network(f"{network}/{prefix}", strict=False)
        taken = 0
        left = []
        for part in self.left[family]:
            if part.subnet_of(net):
                taken += part.num_addresses
            elif net.subnet_of(part):
                taken += net.num_addresses
                left.extend(part.address_exclude(net))
            else:
                left.append(part)
        self.left[family] = left
        if taken:
            self.share[family][qualifier] = self.share[family].get(qualifier, 0) + taken
            if qualifier == "+":
                self.passers[family].append(text)

    def open_terms(self, family: int) -> list[str]:
        """The terms that together pass every sender of ``family``, or [] when some sender does not pass."""
        passed = self.share[family].get("+", 0)
        return list(self.passers[family]) if passed == _FULL[family].num_addresses else []

    def decided(self, family: int) -> bool:
        """Whether the terms seen so far decide every sender of ``family`` (an ``all`` after them is not reached)."""
        return not self.left[family]

    def result(self, family: int) -> str:
        """The qualifier that most senders of a decided ``family`` meet (the more permissive on a tie)."""
        share = self.share[family]
        return max(share, key=lambda q: (share[q], -_PERMISSIVE.index(q)))

    def reached(self, all_qualifier: str) -> str:
        """What a sender no narrow term names meets, given the record's ``all`` qualifier after the terms seen so
        far: per family, what the terms give where they decide every sender of it (the ``all`` is never reached
        there), else the ``all``; the more permissive of the two families, since a forger sends from either
        (``~ip4:0.0.0.0/0 -all`` is ``~`` for every IPv4 sender, so ``~``)."""
        return most_permissive(self.result(f) if self.decided(f) else all_qualifier for f in (4, 6))


def most_permissive(qualifiers: Iterable[str]) -> str:
    """The most permissive of the qualifiers ``+ ? ~ -`` given (an iterable of one or more)."""
    return min(qualifiers, key=_PERMISSIVE.index)


def family_of(term_name: str) -> int:
    """``ip4`` -> 4, ``ip6`` -> 6."""
    return 6 if term_name == "ip6" else 4
