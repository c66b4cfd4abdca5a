"""Each mail-authentication fact about a lead, defined once.

The scan table, the lead list, the store's columns, scoring, the risk level and
the brief all ask these functions instead of reading the records their own way,
so they cannot disagree. They take the JSON form of a result (``dict``), which
is what the store keeps and what every reader has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .said import Said

# The result an SPF record's "all" mechanism gives a sender the record does not list (RFC 7208 5.1, 8.2-8.5).
SPF_ALL_RESULTS = {"+all": "pass", "-all": "fail", "~all": "softfail", "?all": "neutral"}

DkimState = Literal["key", "delegated", "none", "unknown"]
SpfResult = Literal["valid", "permerror", "temperror", "none"]
DomainState = Literal["active", "nxdomain", "parked"]
DOMAIN_STATES: tuple[str, ...] = ("active", "nxdomain", "parked")


def unknown_checks(view: Mapping[str, Any]) -> set[str]:
    """The checks of a result's JSON form (a stored view) whose values are not known: the lookup failed in the
    scan behind the view (its ``errors``) and no scan before it observed the value.

    A failed DNS lookup (timeout, SERVFAIL: RFC 7208 4.4 ``temperror``, RFC 6376 6.1.2 TEMPFAIL) or a failed
    sign-in lookup is no "no record" and no "no tenant". ``carried`` in the view names the checks whose values
    the store kept from an earlier scan that did observe them (:func:`hunter_cli.store.carry_forward`, with the
    time of that observation); views stored before it existed carry a kept value without saying so, and a value
    present beside the failure is such a kept one. Of ``txt`` (apex TXT: SPF, verification tokens, services),
    ``dkim``, ``dmarc`` and ``tenant``; the MX lookup failing fails the whole scan (no view), and the footprint
    and services keep their own unknowns (lead/footprint.py)."""
    carried = view.get("carried") or {}
    failed = {e.get("check") for e in view.get("errors") or []} - set(carried)
    out: set[str] = set()
    if "txt" in failed and not view.get("spf"):
        out.add("txt")
    if "dkim" in failed and not (view.get("dkim") or {}).get("selectors"):
        out.add("dkim")
    if "dmarc" in failed and not view.get("dmarc"):
        out.add("dmarc")
    if "tenant" in failed and not view.get("tenant"):
        out.add("tenant")
    return out


def dkim_keys(dkim: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    """Selectors that publish a key verifiers use: a ``p=`` tag that is not empty, in a record verifiers
    keep (``v=DKIM1`` when given) with a key type they know, and not in testing mode (RFC 6376 3.6.1).

    A key with ``t=y`` is left out: "Verifiers MUST NOT treat messages from Signers in testing mode
    differently from unsigned email" (RFC 6376 3.6.1), so it signs nothing yet (:func:`dkim_testing`).
    A key with a ``problem`` (``dkim-bad-rsa-key``, ...) is left out too: signatures made with it fail
    (PERMFAIL, RFC 6376 6.1.2), which DMARC treats like no signature (RFC 7489 4.2)."""
    sels = (dkim or {}).get("selectors") or []
    return [s for s in sels if _key_record(s) and not s.get("testing")]


def _key_record(sel: Mapping[str, Any]) -> bool:
    return bool(sel.get("key_type")) and not sel.get("revoked") and not sel.get("problem")


def dkim_testing(dkim: Mapping[str, Any] | None) -> list[str]:
    """Selectors whose otherwise usable key is in testing mode (``t=y``, RFC 6376 3.6.1): their mail
    counts as unsigned, so none of them is a DKIM key for scoring, the risk level or the brief."""
    sels = (dkim or {}).get("selectors") or []
    return [s["selector"] for s in sels if _key_record(s) and s.get("testing")]


def dkim_state(dkim: Mapping[str, Any] | None) -> DkimState:
    """``key``: a selector publishes a key verifiers use (:func:`dkim_keys`; a key in testing mode
    is none). ``delegated``: a selector is a CNAME into the provider
    but no key stands behind it (in Microsoft 365 this means DKIM signing was never turned on); an
    alias to a name with no key that is no such delegation has a ``problem`` (``dkim-cname-dangling``,
    RFC 6376 6.1.2) and is not one, nor is an alias to a record that holds a key.
    ``none``: nothing was found at the selectors asked."""
    if dkim_keys(dkim):
        return "key"
    sels = (dkim or {}).get("selectors") or []
    if any(s.get("cname") and not s.get("key_type") and not s.get("problem") for s in sels):
        return "delegated"
    return "none"


def spf_first_all(terms: Sequence[str]) -> int | None:
    """The place of the record's first ``all`` mechanism among ``terms`` (the record's words after ``v=spf1``,
    ``SpfInfo.terms``), any qualifier; None when it has none. Only the first is ever tested (RFC 7208 5.1)."""
    return next((i for i, t in enumerate(terms) if t.lower().lstrip("+-~?") == "all"), None)


def spf_terms_after_all(terms: Sequence[str]) -> list[str] | None:
    """The terms written after the record's first ``all`` mechanism, as written ("mechanisms after 'all' will
    never be tested", RFC 7208 5.1); None when the record has no ``all``. ``terms``: the record's words after
    ``v=spf1`` (``SpfInfo.terms``)."""
    at = spf_first_all(terms)
    return None if at is None else list(terms[at + 1 :])


def spf_in_force(spf: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """``spf`` with ``includes`` and ``redirect`` as a receiver evaluates them (RFC 7208 5.1, 6.1:
    nothing after the first ``all``, no redirect beside an ``all``; 4.6.2: only ``+`` includes let
    senders pass): the same mapping when nothing
    is left out, else a copy. Results stored by earlier releases listed every include and the ignored
    redirect; newer ones already hold these (:func:`hunter_cli.dns.spf.in_force`)."""
    if not spf or not spf.get("record"):
        return spf
    terms = spf.get("terms") or []
    after = spf_terms_after_all(terms)
    # an include under -, ~ or ? lets nobody pass (RFC 7208 4.6.2); stored before 2026-12-01 as in force
    qualified = any(t[:1] in "-~?" and t[1:].lower().startswith("include:") for t in terms)
    if not qualified and (
        after is None or not (spf.get("redirect") or any(t.lower().startswith("include:") for t in after))
    ):
        return spf
    from .dns import spf as spf_mod

    includes, redirect = spf_mod.in_force(spf_mod.parse(spf["record"]))
    if includes == spf.get("includes") and redirect == spf.get("redirect"):
        return spf
    return {**spf, "includes": includes, "redirect": redirect}


def spf_result(spf: Mapping[str, Any] | None) -> SpfResult:
    """The SPF verdict (RFC 7208 2.6): ``none`` when no record is published."""
    if not spf:
        return "none"
    result = spf.get("result")
    if result in ("valid", "permerror", "temperror", "none"):
        return result
    return "valid" if spf.get("valid", True) else "permerror"


def dmarc_policy(dmarc: Mapping[str, Any] | None) -> str | None:
    """The policy receivers apply (none, quarantine, reject), or None when no DMARC policy applies.

    ``policy`` is the effective one (RFC 7489 6.6.3): an invalid ``p``/``sp`` with a
    valid ``rua`` is applied as ``none``, so an invalid record is never enforcement.
    Results stored before ``result`` existed fall back to ``valid``."""
    if not dmarc:
        return None
    if dmarc.get("result") is None and not dmarc.get("valid", True):
        return None
    policy = dmarc.get("policy")
    return policy if policy in ("none", "quarantine", "reject") else None


def is_parking_spf(record: str | None) -> bool:
    """``v=spf1 -all`` and nothing else: the domain says it sends no mail.

    RFC 7208 section 8.4 (a ``-all`` match fails every sender); M3AAWG's
    advice for parked domains publishes exactly this record."""
    return bool(record) and [t.lower() for t in (record or "").split()] == ["v=spf1", "-all"]


def domain_state(view: Mapping[str, Any]) -> DomainState:
    """``nxdomain``: the apex does not exist (a typo in the list or a closed company).
    ``parked``: the domain takes no mail and says so, with a null MX (RFC 7505) or no MX
    and ``v=spf1 -all``; receivers reject mail from it, so it is no spoofing risk.
    ``active``: anything else.

    ``nxdomain`` is only known from the scan (the ``state`` field); parked is also
    recognised in views stored before the field existed.
    """
    state = view.get("state")
    if state == "nxdomain":
        return "nxdomain"
    if view.get("null_mx"):
        return "parked"
    if (
        not view.get("mx")
        and view.get("provider") in ("none", None)
        and is_parking_spf((view.get("spf") or {}).get("record"))
    ):
        return "parked"
    return "active"


def failed_check(check: str | None, message: str | None = None) -> str:
    """The lookup a stored scan error is about, for people: a footprint error the MTA-STS policy fetch
    recorded (scan.py: ``MTA-STS policy: ...``, an HTTPS fetch, RFC 8461 3.3) is ``mta-sts``, not a DNS
    lookup of the Microsoft footprint; every other error is its ``check``."""
    if check == "footprint" and (message or "").startswith("MTA-STS policy"):
        return "mta-sts"
    return check or ""


def failure_part(check: str | None, kind: str | None, message: str | None = None) -> str:
    """One failed lookup in the message files' words (a :class:`~hunter_cli.said.Said`, said in the language of
    the sentence it goes into): the check (``cli.failure.check.*``: English keeps the code in capitals, ``MX``,
    ``FOOTPRINT``; Turkish names it, ``Microsoft kayıtları``) and the failure's kind (``cli.failure.kind.*``:
    ``timeout``, ``SERVFAIL``, ``zaman aşımı``), e.g. ``MX SERVFAIL``. ``check`` and ``message`` are a stored
    scan error's; an MTA-STS policy fetch the footprint recorded is named as such (:func:`failed_check`).
    The kind alone when there is no check; a kind without words is said as stored, a check without words
    in capitals."""
    from .said import Said

    check, kind = failed_check(check, message), kind or "error"
    word: str = Said(f"cli.failure.kind.{kind}") if _has(f"cli.failure.kind.{kind}") else kind
    if not check:
        return word
    name = Said(f"cli.failure.check.{check}") if _has(f"cli.failure.check.{check}") else check.upper()
    return Said("cli.failure.part", check=name, kind=word)


def failure_words(errors: Sequence[Mapping[str, Any]]) -> Said:
    """A failed attempt in a few words, each failed lookup once and at most three (:func:`failure_part`):
    ``MX SERVFAIL`` or ``MX timeout, DMARC timeout``; Turkish ``MX zaman aşımı``. ``errors``: the scan's stored
    errors (``check``, ``kind``, ``message``). What the brief, ``leads show``, ``sales-summary`` and ``prep``
    say of a failed scan: ``str()`` is the English, :func:`hunter_cli.said.in_lang` another language."""
    from .said import Said

    parts: list[str] = []
    for e in errors:
        part = failure_part(e.get("check"), e.get("kind"), e.get("message"))
        if part not in parts:
            parts.append(part)
    return Said("cli.list", items=parts[:3]) if parts else Said("cli.failure.unknown")


def _has(key: str) -> bool:
    """Whether the message files have ``key`` (every language has the same keys: tests/test_brief.py)."""
    from .brief.messages import load

    return key in load("en")


def long_date(iso: str | None) -> str:
    """``2026-11-20T...`` as ``20 November 2026`` (English month names; '' for None)."""
    from datetime import date

    if not iso:
        return ""
    try:
        d = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    return f"{d.day} {d.strftime('%B')} {d.year}"
