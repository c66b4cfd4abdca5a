"""The MTA-STS policy file: parsing it and judging it against the domain's MX hosts (RFC 8461).

Pure: the scan fetches ``https://mta-sts.<domain>/.well-known/mta-sts.txt``
(hunter_cli/mta_sts_fetch.py) and hands the outcome here as plain data; nothing here
does I/O. The ``_mta-sts`` TXT record itself is read in :mod:`.microsoft`.

What counts as what:

- ``errors``: faults that make sending servers ignore the policy (it is then as if the
  domain had no MTA-STS, RFC 8461 section 5), or that make them refuse to deliver
  (an MX host that an ``enforce`` policy does not list, section 4.1 and 5).
- ``warnings``: legal, but worth fixing (a policy in ``testing`` mode that does not
  list an MX host, a very short ``max_age``, a ``Content-Type`` other than
  ``text/plain``, which section 3.3 says senders SHOULD check).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from ..modelbase import BaseModel, ConfigDict, Field
from .hosts import norm_host

PolicyState = Literal["valid", "invalid", "unknown"]
PolicyMode = Literal["enforce", "testing", "none"]

MAX_AGE_LIMIT = 31557600  # seconds, about a year: RFC 8461 3.2 "MUST be less than or equal to"
CACHE_LIMIT = 7 * 86400  # seconds: a stored policy is fetched again after this, or after its max_age if sooner
SHORT_MAX_AGE = 86400  # seconds: under a day, senders fetch the policy again for nearly every message
WELL_KNOWN_PATH = "/.well-known/mta-sts.txt"  # RFC 8461 3.2
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")  # sts-policy-ext-name (RFC 8461 3.2)
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


class StsPolicy(BaseModel):
    """What the policy file said, and what is wrong with it.

    ``state``: ``valid`` (fetched and parsed; ``errors`` may still list MX hosts it
    leaves out), ``invalid`` (fetched, or definitely not fetchable, and unusable:
    senders ignore it), ``unknown`` (the fetch failed on the way, a timeout or a
    refused connection: not a verdict, asked again at the next scan).
    """

    model_config = ConfigDict(defer_build=True)

    state: PolicyState
    host: str  # mta-sts.<domain>, the policy host
    mode: PolicyMode | None = None
    mx: list[str] = Field(default_factory=list)  # the mx patterns, in file order
    max_age: int | None = None  # seconds
    errors: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    uncovered: list[str] = Field(default_factory=list)  # MX hosts no mx pattern matches
    failed: str | None = None  # why the fetch did not finish (state unknown)
    body: str | None = None  # the file as fetched (HTTP 200), at most 64 KiB
    content_type: str | None = None  # its Content-Type header
    fetched_at: str | None = None  # ISO time of the fetch that gave ``body``
    cached: bool = False  # judged from the body an earlier scan fetched (:func:`reuse`), not fetched again
    # why an ``invalid`` policy cannot be used, for words in each language: host-missing, redirect, http-status,
    # too-large, certificate, unparsable (None: a valid policy, or one stored before this field existed)
    invalid_kind: str | None = None
    failure_kind: str | None = Field(
        default=None, exclude=True
    )  # timeout, unreachable, servfail, ...: the scan's error kind


class PolicyError(ValueError):
    """The policy file cannot be used; the message says why, citing RFC 8461."""


def parse_policy(body: str) -> tuple[PolicyMode, list[str], int, list[str]]:
    """``(mode, mx patterns, max_age seconds, warnings)`` from a policy file's text (RFC 8461 3.2).

    Lines end in LF or CRLF and are ``key: value``; keys and the values of
    ``version`` and ``mode`` are case-sensitive (the grammar's ``%s`` strings);
    unknown keys are ignored; ``mx`` may repeat, other keys count once (the first).
    Raises :class:`PolicyError` for a file senders cannot use: a line that is not
    ``key: value``, ``version`` other than ``STSv1``, a missing or unknown ``mode``,
    ``max_age`` missing, not digits or above 31557600, or no ``mx`` line while
    ``mode`` is not ``none``.
    """
    fields: dict[str, str] = {}
    mx: list[str] = []
    warnings: list[str] = []
    for number, raw in enumerate(body.split("\n"), 1):
        line = raw[:-1] if raw.endswith("\r") else raw
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep or not _KEY.match(key):
            raise PolicyError(f"line {number} is not 'key: value' ({_short(line)!r}; RFC 8461 3.2)")
        value = value.strip(" \t")
        if key == "mx":
            mx.append(value)
        elif key in fields:
            if fields[key] != value:
                warnings.append(f"{key} is given twice; the first ({fields[key]!r}) counts")
        else:
            fields[key] = value
    version = fields.get("version")
    if version != "STSv1":
        raise PolicyError(
            "no version line" if version is None else f"version is {version!r}, not 'STSv1'"
        )  # RFC 8461 3.2
    mode = fields.get("mode")
    if mode not in ("enforce", "testing", "none"):
        raise PolicyError(
            "no mode line" if mode is None else f"mode is {mode!r}, not enforce, testing or none (RFC 8461 3.2)"
        )
    age = fields.get("max_age")
    if age is None:
        raise PolicyError("no max_age line (RFC 8461 3.2)")
    if not age.isascii() or not age.isdigit() or len(age) > 10:
        raise PolicyError(f"max_age is {age!r}, not a number of seconds (RFC 8461 3.2)")
    max_age = int(age)
    if max_age > MAX_AGE_LIMIT:
        raise PolicyError(f"max_age {max_age} is more than {MAX_AGE_LIMIT} seconds, about a year (RFC 8461 3.2)")
    if not mx and mode != "none":
        raise PolicyError(f"mode {mode} without an mx line: no MX host can be valid (RFC 8461 3.2)")
    for pattern in mx:
        if _pattern_labels(pattern) is None:
            warnings.append(f"mx {pattern!r} is neither a host name nor '*.' and a host name (RFC 8461 4.1)")
    if mode != "none" and max_age < SHORT_MAX_AGE:
        warnings.append(f"max_age is {max_age} seconds: under a day, the policy protects little between fetches")
    return mode, mx, max_age, warnings  # type: ignore[return-value]  # mode checked against the three values


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pattern_labels(pattern: str) -> list[str] | None:
    """The labels of an mx pattern, lower case, or None when it is not a name or ``*.`` a name."""
    labels = pattern.strip().rstrip(".").lower().split(".")
    wild = labels[0] == "*"
    body = labels[1:] if wild else labels
    if not body or (wild and len(body) < 2):  # "*" alone or "*.com" names no one's hosts
        return None
    if not all(_LABEL.match(label) for label in body):
        return None
    return labels


def mx_matches(pattern: str, host: str) -> bool:
    """Whether MX host ``host`` is valid under mx ``pattern`` (RFC 8461 4.1, RFC 6125 6.4).

    Case-insensitive, trailing dots ignored. ``*`` may only be the whole left-most
    label and stands for exactly one label: ``*.example.com`` matches
    ``mail.example.com`` but neither ``example.com`` nor ``a.b.example.com``.
    """
    labels = _pattern_labels(pattern)
    if labels is None:
        return False
    name = norm_host(host).split(".")
    if len(name) != len(labels):
        return False
    return all(p == "*" and i == 0 or p == n for i, (p, n) in enumerate(zip(labels, name, strict=True)))


def judge(
    host: str,
    body: str,
    mx_hosts: Sequence[str] | None,
    *,
    content_type: str | None = "text/plain",
) -> StsPolicy:
    """The :class:`StsPolicy` for a policy file fetched from ``host`` with status 200.

    ``mx_hosts``: the domain's MX hosts (None when the MX lookup failed: nothing is
    said about coverage). An MX host no pattern matches is an error under ``enforce``
    (senders that honour the policy will not deliver to it, RFC 8461 5) and a warning
    under ``testing`` (they only report it); ``none`` asks nothing of senders.
    ``content_type`` is the response's header (None when it had none).
    """
    try:
        mode, mx, max_age, warnings = parse_policy(body)
    except PolicyError as exc:
        return StsPolicy(
            state="invalid",
            host=host,
            errors=[f"the policy at https://{host}{WELL_KNOWN_PATH} cannot be used: {exc}"],
            invalid_kind="unparsable",
        )
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media != "text/plain":
        shown = media or "no Content-Type"
        warnings.append(f"served as {shown}, not text/plain: senders that check the type ignore it (RFC 8461 3.3)")
    errors: list[str] = []
    uncovered: list[str] = []
    hosts = [h for h in dict.fromkeys(norm_host(h) for h in mx_hosts or ()) if h and h != "."]  # "." is a null MX
    if hosts and mode != "none":
        uncovered = [h for h in hosts if not any(mx_matches(p, h) for p in mx)]
        if uncovered and mode == "enforce":
            everything = len(uncovered) == len(hosts)
            errors.append(
                f"the enforce policy does not list {', '.join(uncovered)}: senders that honour MTA-STS "
                + ("deliver no mail at all" if everything else "will not deliver there")
                + " (RFC 8461 4.1)"
            )
        elif uncovered:
            warnings.append(
                f"the testing policy does not list {', '.join(uncovered)}: TLS reports show it failing, "
                "and switching to enforce would stop mail to it"
            )
    return StsPolicy(
        state="valid",
        host=host,
        mode=mode,
        mx=mx,
        max_age=max_age,
        errors=errors,
        warnings=warnings,
        uncovered=uncovered,
    )


def reuse(
    stored: Mapping[str, Any] | None, record: str | None, mx_hosts: Sequence[str] | None, now: datetime
) -> StsPolicy | None:
    """The policy an earlier scan fetched, judged again against today's MX hosts, or None to fetch it anew.

    ``stored`` is the ``mta-sts`` entry of the stored view's ``microsoft.mail_security`` (JSON form).
    A policy is reused while the ``_mta-sts`` record is the same text (its ``id`` says whether the
    policy changed, RFC 8461 3.1) and it was fetched less than its ``max_age`` and
    :data:`CACHE_LIMIT` ago: what a sending server caches (section 5.1), checked weekly at least.
    """
    old = (stored or {}).get("policy") or {}
    body, fetched = old.get("body"), old.get("fetched_at")
    if not record or not body or not fetched or (stored or {}).get("record") != record:
        return None
    try:
        age = (now - datetime.fromisoformat(fetched)).total_seconds()
    except (TypeError, ValueError):
        return None
    limit = min(CACHE_LIMIT, old.get("max_age") or CACHE_LIMIT)
    if not 0 <= age < limit:
        return None
    policy = judge(old.get("host") or "", body, mx_hosts, content_type=old.get("content_type"))
    policy.body, policy.content_type, policy.fetched_at, policy.cached = body, old.get("content_type"), fetched, True
    return policy
