"""Sign-in state and Dynamics 365 runs: `hunter auth status`, `hunter crm status`, `crm push` and `crm pull`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .formats import Format, Output, formatter
from .words import lang, said


@dataclass
class AuthStatus:
    """Partner Center sign-in: the token cache's account ``info`` (None: nobody), and whether a client id is set."""

    info: dict | None
    configured: bool


@formatter("auth-status", Format.json)
def _auth_json(s: AuthStatus, out: Output) -> None:
    out.write(json.dumps(s.info) + "\n")


@formatter("auth-status", Format.table)
def _auth_text(s: AuthStatus, out: Output) -> None:
    info = s.info
    if not info and not s.configured:
        out.console.print(said("cli.auth.status.not_configured"), markup=False)
    elif not info:
        out.console.print(said("cli.auth.status.not_signed_in"), markup=False)
    elif info.get("source"):
        out.console.print(said("cli.auth.status.fixed_token"), markup=False)
    else:
        from ..said import Said

        kept = Said("cli.auth.kept.encrypted" if info.get("encrypted") else "cli.auth.kept.file")
        expires = info["access_token_expires"] or Said("cli.auth.status.unknown")
        text = said(
            "cli.auth.status.signed_in",
            account=info["account"],
            tenant=info["tenant"],
            expires=expires,
            cache=info["token_cache"],
            kept=kept,
        )
        out.console.print(text, markup=False, highlight=False)


@dataclass
class CrmStatus:
    """Dynamics 365: the environment, who is signed in (``account``) and store.crm's ``counts``."""

    env: str
    account: dict | None
    counts: dict[str, Any]


@formatter("crm-status", Format.json)
def _crm_status_json(s: CrmStatus, out: Output) -> None:
    from ..said import in_lang

    counts = dict(s.counts)  # each failure's reason in the command's language, as the text says it
    counts["failures"] = [{**f, "error": in_lang(f["error"], lang())} for f in counts.get("failures", [])]
    out.write(json.dumps({"environment": s.env, "signed_in": s.account, **counts}, ensure_ascii=False) + "\n")


@formatter("crm-status", Format.table)
def _crm_status_text(s: CrmStatus, out: Output) -> None:
    from ..said import Said

    con, account, counts = out.console, s.account, s.counts
    con.print(said("cli.crm.status.environment", env=s.env), markup=False)
    if not account:
        con.print(said("cli.crm.status.not_signed_in"), markup=False)
    elif account.get("source"):
        con.print(said("cli.crm.status.fixed_token"), markup=False)
    elif account.get("error"):
        con.print(said("cli.crm.status.unknown", error=account["error"]), markup=False)
    else:
        con.print(said("cli.crm.status.signed_in", account=account["account"], tenant=account["tenant"]), markup=False)
    # pushed, pending and failed are apart and add up to the total (store/crm.py summary)
    names = ("total", "pushed", "pending", "failed", "deleted", "open", "qualified", "disqualified")
    values = {n: counts[n] for n in names}
    con.print(said("cli.crm.status.counts", in_dynamics=counts["failed_in_dynamics"], **values), markup=False)
    from ..timefmt import for_people

    never = Said("cli.crm.status.never")
    last_push = for_people(counts["last_push"], lang()) or never
    last_pull = for_people(counts["last_pull"], lang()) or never
    con.print(said("cli.crm.status.last", push=last_push, pull=last_pull), markup=False)
    for f in counts["failures"]:
        con.print(said("cli.crm.failed_line", domain=f["domain"], reason=f["error"]), markup=False)


@dataclass
class PushReport:
    """crm.push's summary of a run; ``quiet`` leaves only the failures (on stderr).

    ``dry_run``: the summary is :func:`hunter_cli.crm.push.forecast`'s, what a run would do; JSON
    then carries ``"dry_run": true``, the ``counts`` and the ``requests`` that would be sent."""

    summary: Any
    quiet: bool = False
    dry_run: bool = False
    requests: list | None = None


@formatter("crm-push", Format.json)
def _push_json(r: PushReport, out: Output) -> None:
    from ..said import in_lang

    data = r.summary.as_dict()
    for key in ("failed", "skipped"):  # the reasons in the command's language, as the text says them
        data[key] = [{**f, "reason": in_lang(f["reason"], lang())} for f in data[key]]
    if data.get("stopped"):
        data["stopped"] = in_lang(data["stopped"], lang())
    if r.dry_run:
        for key in ("failed", "stopped", "not_sent", "unanswered", "requests", "throttled"):  # nothing was sent
            data.pop(key, None)
        data = {"dry_run": True, "counts": r.summary.counts(), **data, "requests": r.requests or []}
    out.write(json.dumps(data, ensure_ascii=False) + "\n")


@formatter("crm-push", Format.table)
def _push_text(r: PushReport, out: Output) -> None:
    summary = r.summary
    if r.dry_run:
        if not r.quiet:
            c = summary.counts()
            out.err.print(said("cli.crm.dry_run", **c), markup=False)
            for d, reason in summary.skipped:
                out.err.print(said("cli.crm.would_skip", domain=d, reason=reason), markup=False)
        return
    if not r.quiet:
        c = summary.counts()
        line = said("cli.crm.pushed", **c)
        if summary.not_sent:
            line += said("cli.crm.not_sent", n=summary.not_sent)
        if summary.unanswered:
            line += said("cli.crm.unanswered", n=summary.unanswered)
        if summary.throttled:
            line += said("cli.crm.throttled", n=summary.throttled)
        out.err.print(line + ".", markup=False)
        for d, reason in summary.skipped:
            out.err.print(said("cli.crm.skipped_line", domain=d, reason=reason), markup=False)
    for d, reason in summary.failed:
        out.err.print(said("cli.crm.failed_line", domain=d, reason=reason), markup=False)


@dataclass
class PullReport:
    """crm.pull's result and the run's counts (``stats``); ``quiet`` prints nothing on success."""

    result: Any
    stats: dict[str, Any]
    quiet: bool = False


@formatter("crm-pull", Format.json)
def _pull_json(r: PullReport, out: Output) -> None:
    out.write(json.dumps({**r.stats, "malformed": r.result.malformed}, ensure_ascii=False) + "\n")
    _pull_malformed(r, out)


@formatter("crm-pull", Format.table)
def _pull_text(r: PullReport, out: Output) -> None:
    if not r.quiet:
        from ..said import Said

        counted = [
            Said("cli.crm.state_count", n=n, state=Said(f"cli.crm.state.{k}"))
            for k, n in sorted(r.result.states.items())
        ]
        states = counted or Said("cli.crm.no_changes")
        out.err.print(said("cli.crm.pulled", asked=r.result.asked, read=r.result.read, states=states), markup=False)
    _pull_malformed(r, out)


def _pull_malformed(r: PullReport, out: Output) -> None:
    for line in r.result.malformed:
        out.err.print(said("cli.crm.malformed", item=line), markup=False)
