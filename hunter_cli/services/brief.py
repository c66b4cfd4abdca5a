"""The brief service: the stored call brief of one domain (no network), and prep's decisions around its rescan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from ..exits import ExitStatus

if TYPE_CHECKING:
    from ..brief.compose import Brief
    from ..scoring import Rules
    from ..store import Connection


class NoBrief(Exception):
    """There is no brief to show for the domain; the message says why and what to run (exit status 1)."""


def load_brief(conn: Connection, domain: str, lang: str, rules: Rules) -> Brief:
    """The brief of ``domain`` in ``lang`` from what ``conn`` stores; NoBrief when it has no good scan.

    Reads the lead's current view, history, latest change events, registration, notes, referrals
    and CRM status (store.brief_inputs) and composes the brief as of today.
    """
    from .. import store
    from ..brief.compose import CHANGES_SHOWN, compose
    from ..brief.localize import as_day
    from ..facts import failure_words
    from ..lead import Lead
    from ..said import Said
    from ..store import crm as crm_store

    data = store.brief_inputs(conn, domain, events=CHANGES_SHOWN)
    if data is None:
        attempts = store.history(conn, domain)
        if attempts:
            last = attempts[-1]
            day = as_day(last["scanned_at"]) or last["scanned_at"]
            raise NoBrief(Said("cli.brief.failed", domain=domain, why=failure_words(last["errors"]), date=day))
        raise NoBrief(Said("cli.brief.never", domain=domain))
    crm = crm_store.lead_crm(conn, domain)
    lead = Lead.from_view(data["view"], validate=False)  # one lead: no validator to build (lead/view.py)
    lead.tenant_known = data["tenant_known"]
    return compose(
        lead,
        lang=lang,
        history=data["history"],
        events=data["events"],
        events_total=data["events_total"],
        provider_events=data.get("provider_events"),
        registration=data["registration"],
        company=data["company"],
        today=date.today(),
        rules=rules,
        notes=data["notes"],
        referrals=data["referrals"],
        cosell=data["cosell"],
        crm=crm,
        tenant_asked=data.get("tenant_asked_at"),
    )


def attempts_since(conn: Connection, domain: str, started: str, after_id: int | None = None) -> list[dict]:
    """The scans of ``domain`` stored at or after ``started`` (ISO time, to the second), oldest first:
    what a rescan did. ``after_id``: the domain's newest scan id before the rescan; rows up to it are
    older attempts made in the same second, never the rescan's."""
    from .. import store

    return [
        h
        for h in store.history(conn, domain)
        if h["scanned_at"] >= started and (after_id is None or h["id"] > after_id)
    ]


def last_scan_id(conn: Connection, domain: str) -> int:
    """The id of the newest stored scan of ``domain``, 0 when there is none (for :func:`attempts_since`)."""
    from .. import store

    return max((h["id"] for h in store.history(conn, domain)), default=0)


class _Warnings:
    """Prep's warnings about the stored scan it shows, in the brief's language (messages ``prep.*``)."""

    def __init__(self, lang: str) -> None:
        from ..brief.messages import Messages

        self.m = Messages(lang)

    def __call__(self, key: str, last_good: str, **values: str) -> str:
        from ..brief.localize import as_day
        from ..facts import long_date
        from ..said import in_lang

        # English keeps its long date ("20 November 2026"); Turkish writes the day its own way
        day = long_date(last_good) if self.m.lang == "en" else as_day(last_good) or last_good
        return self.m(key, date=day, **{k: in_lang(v, self.m.lang) for k, v in values.items()})

    def undated(self, key: str, **values: object) -> str:
        """A warning that names no stored scan's date (``prep.partly_refreshed``: the brief is the rescan's)."""
        from ..said import in_lang

        return self.m(key, **{k: in_lang(v, self.m.lang) for k, v in values.items()})


@dataclass
class PrepStep:
    """What `hunter prep` does next.

    ``show``: print the stored brief (``warning`` first, on stderr), then exit with ``code``;
    ``rescan``: rescan the domain first; ``fail``: print ``message`` as an error (if any) and exit with ``code``.
    """

    action: Literal["show", "rescan", "fail"]
    code: int = ExitStatus.OK
    warning: str | None = None
    message: str | None = None


def before_rescan(
    name: str,
    path: object,
    *,
    last_good: str | None,
    read_only: bool,
    lock_free: Callable[[], bool],
    age: timedelta,
    since: str,
    lang: str = "en",
    lock_holder: Callable[[], object] | None = None,
    latest_ok: bool = True,
) -> PrepStep:
    """Whether prep rescans ``name`` first: its last good scan (ISO time) against ``--max-age`` (``age``,
    i.e. ``since``), whether its latest attempt was fully answered (``latest_ok``: a partial or failed one is
    never fresh, whatever its age, as for `scan --max-age` and `rescan`), a read-only store, and a bulk scan
    holding the lock (``lock_free()``, asked only when a rescan is due). ``--max-age 0s`` always rescans:
    times are stored to the second, so a scan made in the same second would otherwise count as fresh.
    Warnings are in ``lang`` (the brief's language) and name what holds the lock (``lock_holder()``, a
    :class:`hunter_cli.store.scanlock.Holder`; default a bulk scan)."""
    from ..said import Said

    warn = _Warnings(lang)
    if last_good and latest_ok and age.total_seconds() > 0 and last_good >= since:
        return PrepStep("show")
    if read_only:  # no rescan can be stored: show what is stored, if anything
        if last_good:
            return PrepStep("show", ExitStatus.STALE, warning=warn("prep.stale", last_good))
        return PrepStep(
            "fail",
            ExitStatus.FATAL,
            message=Said("cli.prep.read_only_no_scan", domain=name, path=str(path)),
        )
    if not lock_free():
        from ..store.scanlock import Holder

        held = lock_holder() if lock_holder is not None else None
        who = (held if isinstance(held, Holder) else Holder("scan")).said()
        if last_good:
            return PrepStep(
                "show",
                ExitStatus.STALE,
                warning=warn("prep.locked_by", last_good, path=str(path), holder=who),
            )
        return PrepStep(
            "fail",
            ExitStatus.FATAL,
            message=Said("cli.prep.locked_by_no_scan", domain=name, path=str(path), holder=who),
        )
    return PrepStep("rescan")


def after_rescan(
    name: str,
    *,
    code: int,
    attempts: list[dict],
    last_good: str | None,
    nameservers: tuple[str, ...],
    lang: str = "en",
) -> PrepStep:
    """What prep shows after its rescan ended with exit status ``code`` and stored ``attempts``
    (:func:`attempts_since`): the fresh brief (exit 0 only when the rescan was fully answered; a partial one
    shows its brief with exit 5 and a warning naming what was not refreshed), the stored one with why it is
    not fresh, or why there is none (DNS unreachable through ``nameservers``, or the last attempt's failure).
    Warnings are in ``lang``."""
    from ..facts import failure_words
    from ..said import Said

    warn = _Warnings(lang)
    last = attempts[-1] if attempts else None
    if code in (ExitStatus.INTERRUPTED, ExitStatus.TERMINATED):  # Ctrl-C or SIGTERM: stop, as the scan did
        return PrepStep("fail", code)
    if code == 0 and last is not None and last["status"] == "ok":
        return PrepStep("show")
    if code == 0 and last is not None and last["status"] == "partial":
        # the brief is the rescan's, but what failed is carried from an earlier scan or not known: a script
        # must not read it as fresh (exit 5, as when nothing could be refreshed), and the warning names it
        return PrepStep(
            "show",
            ExitStatus.STALE,
            warning=warn.undated("prep.partly_refreshed", why=failure_words(last["errors"])),
        )
    if code == ExitStatus.NO_DNS and last is None:  # no DNS answer before the scan began: the scan said so
        if last_good:
            return PrepStep("show", ExitStatus.STALE, warning=warn("prep.stale", last_good))
        return PrepStep("fail", ExitStatus.FATAL)
    why = failure_words(last["errors"]) if last else Said("cli.prep.exit_code", code=code)
    if last_good:
        return PrepStep(
            "show",
            ExitStatus.STALE,
            warning=warn("prep.not_refreshed", last_good, why=why),
        )
    if code == ExitStatus.NO_DNS:  # the scan said why (no domain got a DNS answer): not a second error
        return PrepStep("fail", ExitStatus.FATAL)
    if last and last["errors"] and all(e["kind"] in ("timeout", "unreachable") for e in last["errors"]):
        who = ", ".join(nameservers) or Said("cli.dns.system_resolver")
        return PrepStep(
            "fail", ExitStatus.FATAL, message=Said("cli.prep.dns_unreachable", domain=name, why=why, who=who)
        )
    if last:
        return PrepStep("fail", ExitStatus.FATAL, message=Said("cli.prep.no_good_scan", domain=name, why=why))
    return PrepStep("fail", code or ExitStatus.FATAL)
