"""Sign-in state and Dynamics 365 runs: `hunter auth status`, `hunter crm status`, `crm push` and `crm pull`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .formats import Format, Output, formatter


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
        out.console.print(
            "Not signed in, and no application (client) id is set. Run: hunter auth login --client-id"
            " <application id> (or set HUNTER_CLIENT_ID first).",
            markup=False,
        )
    elif not info:
        out.console.print("Not signed in. Run: hunter auth login")
    elif info.get("source"):
        out.console.print("Using the token in HUNTER_PARTNER_TOKEN.")
    else:
        kept = "encrypted by the operating system" if info.get("encrypted") else "a file readable only by you"
        out.console.print(
            f"Signed in as {info['account']} (tenant {info['tenant']}); access token valid until"
            f" {info['access_token_expires'] or 'unknown'}.\nToken cache: {info['token_cache']} ({kept}).",
            markup=False,
            highlight=False,
        )


@dataclass
class CrmStatus:
    """Dynamics 365: the environment, who is signed in (``account``) and store.crm's ``counts``."""

    env: str
    account: dict | None
    counts: dict[str, Any]


@formatter("crm-status", Format.json)
def _crm_status_json(s: CrmStatus, out: Output) -> None:
    out.write(json.dumps({"environment": s.env, "signed_in": s.account, **s.counts}, ensure_ascii=False) + "\n")


@formatter("crm-status", Format.table)
def _crm_status_text(s: CrmStatus, out: Output) -> None:
    con, account, counts = out.console, s.account, s.counts
    con.print(f"Environment: {s.env}", markup=False)
    if not account:
        con.print("Not signed in. Run: hunter crm login")
    elif account.get("source"):
        con.print("Using the token in HUNTER_CRM_TOKEN.")
    elif account.get("error"):
        con.print(f"Sign-in state not known: {account['error']}", markup=False)
    else:
        con.print(f"Signed in as {account['account']} (tenant {account['tenant']}).", markup=False)
    from .words import say

    # pushed, pending and failed are apart and add up to the total (store/crm.py summary)
    con.print(
        say(
            "cli.crm.status_counts",
            total=counts["total"],
            pushed=counts["pushed"],
            pending=counts["pending"],
            failed=counts["failed"],
            in_dynamics=counts["failed_in_dynamics"],
            deleted=counts["deleted"],
            open=counts["open"],
            qualified=counts["qualified"],
            disqualified=counts["disqualified"],
        ),
        markup=False,
    )
    from ..timefmt import for_people

    last_push, last_pull = for_people(counts["last_push"]) or "never", for_people(counts["last_pull"]) or "never"
    con.print(f"Last push: {last_push}; last pull: {last_pull}.")
    for f in counts["failures"]:
        con.print(f"  failed {f['domain']}: {f['error']}", markup=False)


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
    data = r.summary.as_dict()
    if r.dry_run:
        for key in ("failed", "stopped", "not_sent", "requests", "throttled"):  # nothing was sent
            data.pop(key, None)
        data = {"dry_run": True, "counts": r.summary.counts(), **data, "requests": r.requests or []}
    out.write(json.dumps(data, ensure_ascii=False) + "\n")


@formatter("crm-push", Format.table)
def _push_text(r: PushReport, out: Output) -> None:
    summary = r.summary
    if r.dry_run:
        if not r.quiet:
            c = summary.counts()
            out.err.print(
                f"Dynamics 365, dry run (nothing sent): {c['created']} would be created, {c['updated']} updated,"
                f" {c['unchanged']} unchanged, {c['skipped']} skipped.",
                markup=False,
            )
            for d, reason in summary.skipped:
                out.err.print(f"  would skip {d}: {reason}", markup=False)
        return
    if not r.quiet:
        c = summary.counts()
        line = (
            f"Dynamics 365: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged,"
            f" {c['failed']} failed, {c['skipped']} skipped"
        )
        if summary.not_sent:
            line += f"; {summary.not_sent} not sent (the run stopped; run it again to finish)"
        if summary.throttled:
            line += f"; throttled {summary.throttled} times (service protection limits)"
        out.err.print(line + ".", markup=False)
        for d, reason in summary.skipped:
            out.err.print(f"  skipped {d}: {reason}", markup=False)
    for d, reason in summary.failed:
        out.err.print(f"  failed {d}: {reason}", markup=False)


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
        states = ", ".join(f"{n} {k}" for k, n in sorted(r.result.states.items())) or "no changes"
        out.err.print(
            f"Dynamics 365: asked about {r.result.asked} leads, {r.result.read} read ({states}).", markup=False
        )
    _pull_malformed(r, out)


def _pull_malformed(r: PullReport, out: Output) -> None:
    for line in r.result.malformed:
        out.err.print(f"skipped malformed lead {line}", markup=False)
