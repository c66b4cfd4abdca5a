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

from .localize import as_day
from .messages import Messages


@functools.cache
def messages(lang: str) -> Messages:
    """The message file of ``lang``, loaded once (`hunter changes` words thousands of events)."""
    return Messages(lang)


def _provider(m: Messages, pid: str | None) -> str:
    """A mail provider id as the brief names it (``provider.*``), else the catalog's name."""
    pid = pid or "none"
    if pid == "hosting":  # an event keeps the id only, not the hosting firm's name
        return m("provider.hosting_unnamed")
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

    return next((s.name for s in services_catalog().services if s.id == value), value)


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


def spf_terms(record: str | None) -> list[str]:
    """The mechanisms and modifiers of an SPF record (RFC 7208 section 4.6.1), without the version."""
    return [t for t in (record or "").split() if not t.lower().startswith("v=spf1")]


def _term(t: str) -> str:
    """``include:spf.protection.outlook.com`` -> ``include spf.protection.outlook.com`` (easier to read)."""
    name, sep, value = t.partition(":")
    if not sep:
        name, sep, value = t.partition("=")
    return f"{name} {value}" if sep else t


def _spf(m: Messages, old: str | None, new: str | None) -> str:
    """What changed between two SPF records: terms added and removed, then the ``all`` mechanism."""
    if not old:
        return m("event.spf_published")
    if not new:
        return m("event.spf_removed")
    a, b = spf_terms(old), spf_terms(new)
    alls = [t for t in a if t.lower().endswith("all")], [t for t in b if t.lower().endswith("all")]
    parts = [m("event.spf.added", term=_term(t)) for t in b if t not in a and t not in alls[1]]
    parts += [m("event.spf.removed", term=_term(t)) for t in a if t not in b and t not in alls[0]]
    if alls[0] != alls[1]:
        no_all = m("event.spf.no_all")
        parts.append(m("event.spf.all", old=" ".join(alls[0]) or no_all, new=" ".join(alls[1]) or no_all))
    return m("event.spf_changed", parts="; ".join(parts) if parts else m("event.spf.reordered"))


def event_text(m: Messages, kind: str, old: str | None, new: str | None) -> str:
    """One line saying what changed, from what to what, in ``m``'s language (no date, no full stop).

    ``kind``, ``old`` and ``new`` are an ``events`` row's columns as the store writer and
    :func:`hunter_cli.lead.posture.changes` record them (docs/database.md, docs/cli.md); an
    unknown kind is still told, with its raw values.
    """
    if kind == "provider_changed":
        return m("event.provider_changed", old=_provider(m, old), new=_provider(m, new))
    if kind in ("gateway_added", "gateway_removed", "gateway_changed"):
        return m(f"event.{kind}", old=_gateway(old), new=_gateway(new))
    if kind == "tenant_appeared":
        return m("event.tenant_appeared", new=new) if new else m("event.tenant_appeared_no_id")
    if kind == "dmarc_added" and new == "invalid":  # posture.changes: a record without a valid policy
        return m("event.dmarc_added_invalid")
    if kind in ("dmarc_added", "dmarc_removed", "dmarc_policy_changed"):
        return m(
            f"event.{kind}",
            old=m.label("dmarc.policy", old or "?"),
            new=m.label("dmarc.policy", new or "?"),
        )
    if kind == "spf_changed":
        return _spf(m, old, new)
    if kind == "category_changed":
        return m("event.category_changed", old=old or "?", new=new or "?")
    if kind in ("workload_added", "workload_removed", "workload_changed"):
        wid, a = _workload(old)
        wid2, b = _workload(new)
        return m("event.workload", name=workload_name(m, wid or wid2), old=_state(m, a), new=_state(m, b))
    if kind == "service_added":
        return m("event.service_added", new=_service(new))
    if kind == "service_removed":
        return m("event.service_removed", old=_service(old))
    if kind == "expires_soon":
        day = as_day(new or old)
        return m("event.expires_soon", date=day) if day else m("event.expires_soon_no_date")
    return m("event.other", kind=kind.replace("_", " "), old=old or "-", new=new or "-")
