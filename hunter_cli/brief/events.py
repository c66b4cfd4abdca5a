"""Change events in words: one line per stored event (the ``events`` table, kinds in
docs/database.md), in each language of the message files.

The brief's "What changed" and `hunter changes` (English) both word an event here, from the
``event.*`` messages, so the two never tell a change differently. Ids become names on the way:
providers and gateways from the provider catalog (``catalog/providers.json``) or the brief's
provider words, Microsoft workloads from ``fp.workload.*`` (else ``catalog/microsoft.json``),
their states from ``fp.state.*``, services from ``catalog/services.json``, DMARC policies from
``dmarc.policy.*``. Pure: no I/O beyond the bundled catalogs.
"""

from __future__ import annotations

import functools
import json
import re

from .localize import as_day
from .messages import Messages


@functools.cache
def messages(lang: str) -> Messages:
    """The message file of ``lang``, loaded once (`hunter changes` words thousands of events)."""
    return Messages(lang)


def _provider(m: Messages, pid: str | None, name: str | None = None) -> str:
    """A mail provider id as the brief names it (``provider.*``), else the catalog's name; a hosting firm
    by its ``name`` when the event kept it (``Natro (shared hosting)``)."""
    pid = pid or "none"
    if pid == "hosting":  # events stored before the firm's name was kept (no detail) say only the kind
        return m("event.provider.hosting_named", name=name) if name else m("provider.hosting_unnamed")
    if m.has(f"provider.{pid}"):
        return m(f"provider.{pid}")
    from ..catalog import load_catalog

    return load_catalog().names.get(pid, pid)


def _gateway(gid: str | None) -> str:
    from ..catalog import load_catalog

    return load_catalog().names.get(gid, gid) if gid else "?"


def _service(value: str | None) -> str:
    """The service's name; events store it already, but an id (a view without a name) is looked up."""
    if not value:
        return "?"
    from ..footprint.schema import services_catalog

    return services_catalog().name_of(value) or value


def _workload(value: str | None) -> tuple[str, str]:
    """``"exchange: on_premises"`` (how events store a workload's state) -> its workload id and state."""
    wid, _, state = (value or "").partition(": ")
    return wid, state


def workload_name(m: Messages, wid: str) -> str:
    """A Microsoft workload's display name in ``m``'s language (``fp.workload.*``, else the catalog's)."""
    if m.has(f"fp.workload.{wid}"):
        return m(f"fp.workload.{wid}")
    from ..footprint.schema import microsoft_catalog

    return next((w.name for w in microsoft_catalog().workloads if w.id == wid), wid)


def _state(m: Messages, state: str | None) -> str:
    """A workload state (online, on_premises, hybrid, other, absent) in words; a missing one is absent."""
    state = state or "absent"
    return m(f"fp.state.{state}") if m.has(f"fp.state.{state}") else state


def _sec_state(m: Messages, state: str) -> str:
    """A mail-security record's state (published, invalid, absent) in words."""
    return m(f"event.mailsec_state.{state}") if m.has(f"event.mailsec_state.{state}") else state


def spf_terms(record: str | None) -> list[str]:
    """The mechanisms and modifiers of an SPF record (RFC 7208 section 4.6.1), without the version."""
    return [t for t in (record or "").split() if not t.lower().startswith("v=spf1")]


_MODIFIER = re.compile(r"[a-z][a-z0-9_.-]*=", re.I)  # RFC 7208 4.6.1: name "=" macro-string


def _term_change(m: Messages, t: str, how: str) -> str:
    """One SPF term added or removed, named as what it is: ``mechanism `mx` removed``, ``modifier
    `redirect=_spf.x.com` added`` (RFC 7208 5 mechanisms, 6 modifiers). A bare ``mx`` or ``a`` read as
    "the MX was removed" (trial 30); the term is quoted as the record writes it. ``how``: added, removed."""
    kind = "modifier" if _MODIFIER.match(t) else "mechanism"
    return m(f"event.spf.{kind}_{how}", term=t)


def _all_of(m: Messages, terms: list[str], alls: list[str]) -> str:
    """A record's ``all`` in words: its own, else the redirect target's (RFC 7208 6.1), else none."""
    if alls:
        return " ".join(alls)
    if any(t.lower().startswith("redirect=") for t in terms):
        return m("event.spf.redirect_all")
    return m("event.spf.no_all")


def _spf(m: Messages, old: str | None, new: str | None, detail: str | None = None) -> str:
    """What changed between two SPF records: terms added and removed, then the ``all`` mechanism. ``detail``
    (:func:`hunter_cli.lead.posture.change_detail`) ``{"discarded": code}``: the record in force became a
    look-alike receivers discard (RFC 7208 4.5), told as malformed, not removed."""
    if not old:
        return m("event.spf_published")
    if not new:
        try:
            malformed = bool(json.loads(detail or "null").get("discarded"))
        except (ValueError, TypeError, AttributeError):
            malformed = False
        return m("event.spf_malformed" if malformed else "event.spf_removed")
    a, b = spf_terms(old), spf_terms(new)
    alls = [t for t in a if t.lower().endswith("all")], [t for t in b if t.lower().endswith("all")]
    parts = [_term_change(m, t, "added") for t in b if t not in a and t not in alls[1]]
    parts += [_term_change(m, t, "removed") for t in a if t not in b and t not in alls[0]]
    if alls[0] != alls[1]:
        parts.append(m("event.spf.all", old=_all_of(m, a, alls[0]), new=_all_of(m, b, alls[1])))
    return m("event.spf_changed", parts="; ".join(parts) if parts else m("event.spf.reordered"))


def _provider_names(detail: str | None) -> tuple[str | None, str | None]:
    """``events.detail`` of a provider event (:func:`hunter_cli.lead.posture.change_detail`): the hosting
    firm's name of the old and the new side, each None when absent or unreadable."""
    try:
        got = json.loads(detail or "null")["name"]
    except (ValueError, TypeError, KeyError):
        return None, None
    if not isinstance(got, list) or len(got) != 2:
        return None, None
    old, new = (n if isinstance(n, str) and n else None for n in got)
    return old, new


def _dmarc_detail(detail: str | None) -> tuple[list, list] | None:
    """``events.detail`` of a DMARC event (:func:`hunter_cli.lead.posture.change_detail`): the published
    ``p`` and the ``pct`` of the old and the new record, or None when absent or unreadable."""
    try:
        got = json.loads(detail or "null")
        p, pct = got["p"], got["pct"]
    except (ValueError, TypeError, KeyError):
        return None
    ok = isinstance(p, list) and isinstance(pct, list) and len(p) == len(pct) == 2
    return (p, pct) if ok else None


def _dmarc_side(m: Messages, policy: str | None, published: str | None, pct: object) -> str:
    """A DMARC record's policy as applied, saying why when it is not the ``p=`` written (RFC 7489 6.6.3, 6.6.4)."""
    label = m.label("dmarc.policy", policy or "?")
    if not published or policy == published:
        return m("event.dmarc.side", policy=label)
    wrote = m.label("dmarc.policy", published)
    if policy is None:
        return m("event.dmarc.side_invalid", published=wrote)
    if pct == 0:
        return m("event.dmarc.side_pct0", published=wrote, policy=label)
    return m("event.dmarc.side_ignored", published=wrote, policy=label)


def _dmarc(m: Messages, kind: str, old: str | None, new: str | None, detail: str | None) -> str | None:
    """A DMARC event whose policies are not the ones published, told as what changed; None for the plain words.

    The event records effective policies: ``p=reject`` with ``pct=0`` is recorded as ``quarantine``
    (RFC 7489 6.6.4), which read as "p=reject → p=quarantine" says the published policy changed.
    """
    got = _dmarc_detail(detail)
    if got is None:
        return None
    (p_old, p_new), (pct_old, pct_new) = got
    if kind == "dmarc_added":
        return m("event.dmarc_added_applied", new=_dmarc_side(m, new, p_new, pct_new))
    if kind == "dmarc_removed":
        return m("event.dmarc_removed_applied", old=_dmarc_side(m, old, p_old, pct_old))
    if p_old and p_old == p_new and pct_old != pct_new and old and new:
        wrote = m.label("dmarc.policy", p_new)
        if pct_new == 0 and old == p_old:  # only pct changed, to 0: the next weaker policy applies
            return m("event.dmarc_pct_zero", published=wrote, new=m.label("dmarc.policy", new))
        if pct_old == 0 and new == p_new:  # pct no longer 0: the published policy applies again
            return m("event.dmarc_pct_restored", published=wrote, pct=pct_new, old=m.label("dmarc.policy", old))
    return m(
        "event.dmarc_applied_changed",
        old=_dmarc_side(m, old, p_old, pct_old),
        new=_dmarc_side(m, new, p_new, pct_new),
    )


def _by_txt(detail: str | None) -> bool:
    """Whether a service event's ``events.detail`` (:func:`hunter_cli.lead.posture.change_detail`) says the
    service was known only by a domain verification token, ``{"by": "txt"}``."""
    if not detail:
        return False
    try:
        data = json.loads(detail)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("by") == "txt"


def event_text(m: Messages, kind: str, old: str | None, new: str | None, detail: str | None = None) -> str:
    """One line saying what changed, from what to what, in ``m``'s language (no date, no full stop).

    ``kind``, ``old``, ``new`` and ``detail`` are an ``events`` row's columns as the store writer and
    :func:`hunter_cli.lead.posture.changes` record them (docs/database.md, docs/cli.md); an
    unknown kind is still told, with its raw values. A DMARC event's ``detail`` says which ``p=`` and
    ``pct`` stood behind the effective policies, so a change of ``pct`` is not told as a change of ``p``.
    """
    if kind == "provider_changed":
        names = _provider_names(detail)
        return m("event.provider_changed", old=_provider(m, old, names[0]), new=_provider(m, new, names[1]))
    if kind in ("gateway_added", "gateway_removed", "gateway_changed"):
        return m(f"event.{kind}", old=_gateway(old), new=_gateway(new))
    if kind == "tenant_appeared":
        return m("event.tenant_appeared", new=new) if new else m("event.tenant_appeared_no_id")
    if kind == "dmarc_added" and new == "invalid":  # posture.changes: a record without a valid policy
        return m("event.dmarc_added_invalid")
    if kind in ("dmarc_added", "dmarc_removed", "dmarc_policy_changed"):
        told = _dmarc(m, kind, old, new, detail)
        if told is not None:
            return told
        if kind == "dmarc_policy_changed" and new is None:  # a record still there, unreadable: no policy applies
            return m("event.dmarc_malformed", old=m.label("dmarc.policy", old or "?"))
        return m(
            f"event.{kind}",
            old=m.label("dmarc.policy", old or "?"),
            new=m.label("dmarc.policy", new or "?"),
        )
    if kind == "spf_changed":
        return _spf(m, old, new, detail)
    if kind == "category_changed":
        return m("event.category_changed", old=old or "?", new=new or "?")
    if kind in ("workload_added", "workload_removed", "workload_changed"):
        wid, a = _workload(old)
        wid2, b = _workload(new)
        return m("event.workload", name=workload_name(m, wid or wid2), old=_state(m, a), new=_state(m, b))
    if kind == "mail_security_changed":
        sid, a = _workload(old)
        sid2, b = _workload(new)
        name = sid or sid2
        shown = m(f"fp.mailsec.name.{name}") if m.has(f"fp.mailsec.name.{name}") else name
        return m("event.mail_security", name=shown, old=_sec_state(m, a), new=_sec_state(m, b))
    if kind in ("service_added", "service_removed"):
        # found only by a verification token (posture.change_detail {"by": "txt"}): a record, not use
        key = f"event.{kind}.verification" if _by_txt(detail) else f"event.{kind}"
        return m(key, new=_service(new)) if kind == "service_added" else m(key, old=_service(old))
    if kind == "state_changed":
        return m("event.state_changed", old=m.label("event.state", old), new=m.label("event.state", new))
    if kind == "expires_soon":
        day = as_day(new or old)
        return m("event.expires_soon", date=day) if day else m("event.expires_soon_no_date")
    return m("event.other", kind=kind.replace("_", " "), old=old or "-", new=new or "-")
