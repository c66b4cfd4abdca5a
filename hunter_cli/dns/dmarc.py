"""DMARC records (RFC 7489) read as receivers read them.

Pure functions, no I/O. The rules and where they come from:

* Record selection (6.6.3 steps 2-4): of the TXT records at ``_dmarc.<domain>``
  only those whose first tag is ``v=DMARC1`` count; the value ``DMARC1`` is
  case-sensitive (6.4: it is written ``%x44 %x4d %x41 %x52 %x43 %x31``), the tag
  name and every other quoted terminal is not. Records that look like DMARC but
  fail that test are discarded (reported as errors). Several selected records
  mean no DMARC policy at all.
* Policy (6.3, 6.6.3 step 6): a missing or invalid ``p``, or an invalid ``sp``,
  makes receivers act as ``p=none`` when ``rua`` holds at least one
  syntactically valid URI, and apply no DMARC processing otherwise.
* Other tags (6.3, 6.4): ``pct`` is 0-100, ``adkim``/``aspf`` are ``r``/``s``,
  ``fo`` is a colon list of ``0 1 d s``, ``rf`` a colon list of keywords
  (``afrf``), ``ri`` a 32-bit unsigned integer; an invalid value makes receivers
  ignore that tag (its default applies). Unknown tags are ignored (a warning:
  often a typo such as ``rau=``); ``np`` (RFC 9091 4.1), ``t`` and ``psd`` (DMARCbis)
  are not unknown but later than RFC 7489 (``dmarc-tag-not-rfc7489``, ``dmarc-testing``
  for ``t=y``).
* Report URIs (6.2): ``URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]``, separated
  by commas; receivers must support ``mailto``.
* External destinations (7.1): a report address whose organisational domain
  differs from the policy domain's needs an authorisation record at
  ``<domain>._report._dmarc.<destination-host>``. The scan looks it up; this
  module says which destinations need it (:func:`external_destinations`) and
  records the outcome (:func:`note_authorization`).

``errors`` hold what makes receivers ignore the record or a tag; ``warnings``
what is legal but worth fixing. Codes are listed in docs/json-schema.md.
"""

from __future__ import annotations

import re

from ..models import DmarcInfo, Finding

POLICIES = ("none", "quarantine", "reject")
_ALIGN = frozenset({"r", "s"})
_FO = frozenset({"0", "1", "d", "s"})
_KNOWN_TAGS = frozenset({"v", "p", "sp", "rua", "ruf", "pct", "adkim", "aspf", "fo", "rf", "ri"})
# Tags that later documents define and RFC 7489, which most receivers apply, does not: np (RFC 9091 4.1, the
# policy for non-existent subdomains; DMARCbis too), t and psd (DMARCbis, draft-ietf-dmarc-dmarcbis 5.3).
_LATER_TAGS = frozenset({"np", "t", "psd"})
_WSP = " \t"
_TAG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_KEYWORD = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
# RFC 3986 characters a URI may hold (unreserved, reserved, and "%" of pct-encoding)
_URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
_PCT_BAD = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SIZE = re.compile(r"^(.*)!([0-9]+)([kmgtKMGT]?)$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_LOCAL = re.compile(r"^[A-Za-z0-9!#$&'*+/=?^_`{|}~.\-%]+$")


def _strip(text: str) -> str:
    return text.strip(_WSP)


def _first_tag(txt: str) -> tuple[str, str] | None:
    """The record's first tag as (name, value), spaces around ``=`` removed; None when it has no ``=``."""
    head = txt.split(";", 1)[0]
    name, sep, value = head.partition("=")
    if not sep:
        return None
    return _strip(name), _strip(value)


def is_dmarc(txt: str) -> bool:
    """A DMARC policy record (RFC 7489 6.4): its first tag is ``v`` (any case) with the value ``DMARC1`` exactly."""
    first = _first_tag(txt.lstrip(_WSP))
    return first is not None and first[0].lower() == "v" and first[1] == "DMARC1"


def looks_like_dmarc(txt: str) -> bool:
    """A TXT record meant as DMARC: it carries a ``v=DMARC1`` tag in any case, anywhere."""
    for part in txt.split(";"):
        name, sep, value = part.partition("=")
        if sep and _strip(name).lower() == "v" and _strip(value).lower().startswith("dmarc"):
            return True
    return False


def _discard_reason(txt: str) -> Finding:
    first = _first_tag(txt.lstrip(_WSP))
    if first is not None and first[0].lower() == "v":
        if first[1].lower() == "dmarc1":
            return Finding(
                code="dmarc-version-invalid",
                message=f"version tag v={first[1]} is not DMARC1 as written (the value is case-sensitive); "
                "receivers discard the record",
                where=[txt],
            )
        return Finding(
            code="dmarc-version-invalid",
            message=f"version tag v={first[1]!r} is not DMARC1; receivers discard the record",
            where=[txt],
        )
    return Finding(
        code="dmarc-version-not-first",
        message="the v=DMARC1 tag is not the first tag; receivers discard the record",
        where=[txt],
    )


def _valid_host(host: str) -> bool:
    if not host or len(host) > 253:
        return False
    labels = host.rstrip(".").split(".")
    return len(labels) >= 2 and all(_LABEL.match(label) for label in labels)


def parse_uri(text: str) -> tuple[str, str | None, str | None]:
    """One DMARC URI (RFC 7489 6.2) -> (uri without size, mailto domain or None, error or None).

    ``mailto:d@example.com!10m`` -> ``("mailto:d@example.com", "example.com", None)``.
    The error is a short reason when the URI is not syntactically valid.
    """
    uri = _strip(text)
    if not uri:
        return uri, None, "empty URI"
    m = _SIZE.match(uri)
    if m:
        uri = m.group(1)
    if not _SCHEME.match(uri):
        return uri, None, "no URI scheme (a report address needs mailto:)"
    if not _URI_CHARS.match(uri) or _PCT_BAD.search(uri):
        return uri, None, "characters not allowed in a URI (spaces, or '%' not followed by two hex digits)"
    scheme, _, rest = uri.partition(":")
    if scheme.lower() != "mailto":
        return uri, None, None
    addr = rest.split("?", 1)[0]
    local, at, host = addr.rpartition("@")
    if not at or not local or not _LOCAL.match(local):
        return uri, None, "not a mail address after mailto:"
    if not _valid_host(host):
        return uri, None, f"{host!r} is not a valid domain name"
    return uri, host.lower().rstrip("."), None


def _tags(record: str, errors: list[Finding], warnings: list[Finding]) -> dict[str, str]:
    """Tag name (lower case) -> raw value, first occurrence wins; the version tag included."""
    tags: dict[str, str] = {}
    for part in record.split(";"):
        part = _strip(part)
        if not part:
            continue
        name, sep, value = part.partition("=")
        name = _strip(name)
        if not sep or not _TAG_NAME.match(name):
            errors.append(
                Finding(code="dmarc-tag-malformed", message=f"{part!r} is not a tag=value pair", where=[part])
            )
            continue
        key = name.lower()
        if key in tags:
            errors.append(
                Finding(code="dmarc-tag-duplicate", message=f"tag {key} is given more than once", where=[key])
            )
            continue
        if key in _LATER_TAGS:
            warnings.append(_later_tag(key, name, _strip(value)))
            continue
        if key not in _KNOWN_TAGS:
            warnings.append(
                Finding(
                    code="dmarc-tag-unknown",
                    message=f"unknown tag {name}={_strip(value)!r}; receivers ignore it",
                    where=[key],
                )
            )
            continue
        tags[key] = _strip(value)
    return tags


def _later_tag(key: str, name: str, value: str) -> Finding:
    """The warning for a tag RFC 7489 does not define but RFC 9091 or DMARCbis does (``_LATER_TAGS``).

    ``t=y`` is ``dmarc-testing``: DMARCbis (draft-ietf-dmarc-dmarcbis 5.3, "t") asks receivers that
    implement it to apply the policy one level below ``p`` (reject as quarantine, quarantine as none);
    receivers of RFC 7489 ignore it and apply ``p`` as written. The others are ``dmarc-tag-not-rfc7489``.
    """
    low = value.lower()
    if key == "t" and low == "y":
        return Finding(
            code="dmarc-testing",
            message="t=y is not part of RFC 7489, which most receivers apply as written; receivers that implement"
            " DMARCbis read it as testing and apply one level below p (reject as quarantine, quarantine as none)",
            where=[key],
        )
    if key == "np":
        meaning = "RFC 9091's policy for subdomains that do not exist (4.1)"
    elif key == "t":
        meaning = "DMARCbis's testing flag; t=n, its default, asks for the policy as written"
    else:
        meaning = "DMARCbis's public-suffix flag"
    return Finding(
        code="dmarc-tag-not-rfc7489",
        message=f"{name}={value!r} is not part of RFC 7489, which most receivers apply, so they ignore it;"
        f" it is {meaning}, read only by receivers that implement it",
        where=[key],
    )


def _uri_list(tag: str, value: str, errors: list[Finding], warnings: list[Finding]) -> tuple[list[str], list[str]]:
    """(every URI as written, the syntactically valid ones)."""
    written = [_strip(u) for u in value.split(",")]
    written = [u for u in written if u]
    valid: list[str] = []
    for raw in written:
        uri, _, problem = parse_uri(raw)
        if problem is not None:
            errors.append(
                Finding(
                    code="dmarc-uri-invalid",
                    message=f"{tag} URI {raw!r}: {problem}; receivers ignore it",
                    where=[tag, raw],
                )
            )
            continue
        if not uri.lower().startswith("mailto:"):
            warnings.append(
                Finding(
                    code="dmarc-uri-not-mailto",
                    message=f"{tag} URI {raw!r} is not mailto:, the one scheme receivers must support",
                    where=[tag, raw],
                )
            )
        valid.append(raw)
    if not written:
        errors.append(Finding(code="dmarc-tag-value-invalid", message=f"{tag}= is empty", where=[tag]))
    return written, valid


def parse_record(record: str) -> DmarcInfo:
    """One selected DMARC record (its first tag is ``v=DMARC1``) -> :class:`DmarcInfo` with the effective policy."""
    errors: list[Finding] = []
    warnings: list[Finding] = []
    info = DmarcInfo(record=record)
    tags = _tags(record, errors, warnings)

    info.rua, rua_valid = _uri_list("rua", tags["rua"], errors, warnings) if "rua" in tags else ([], [])
    info.ruf, _ = _uri_list("ruf", tags["ruf"], errors, warnings) if "ruf" in tags else ([], [])

    p_raw = tags.get("p")
    p = p_raw.lower() if p_raw is not None else None
    info.published_policy = p
    sp_raw = tags.get("sp")
    sp = sp_raw.lower() if sp_raw is not None else None
    p_ok = p in POLICIES
    sp_ok = sp is None or sp in POLICIES
    if p_raw is None:
        errors.append(Finding(code="dmarc-p-missing", message="no p= tag: the record states no policy", where=["p"]))
    elif not p_ok:
        errors.append(
            Finding(code="dmarc-p-invalid", message=f"p={p_raw!r} is not none, quarantine or reject", where=["p"])
        )
    if not sp_ok:
        errors.append(
            Finding(code="dmarc-sp-invalid", message=f"sp={sp_raw!r} is not none, quarantine or reject", where=["sp"])
        )
    if p_ok and sp_ok:
        info.result = "valid"
        info.policy = p
        info.subdomain_policy = sp or p
    else:
        info.result = "invalid"
        if rua_valid:
            # RFC 7489 6.6.3 step 6.1: act as if the record were "v=DMARC1; p=none".
            info.policy = info.subdomain_policy = "none"
            errors.append(
                Finding(
                    code="dmarc-policy-ignored",
                    message="receivers act as p=none because p or sp is not valid (RFC 7489 6.6.3)",
                    where=["p" if not p_ok else "sp"],
                )
            )
        else:
            info.policy = info.subdomain_policy = None
            errors.append(
                Finding(
                    code="dmarc-no-policy",
                    message="p or sp is not valid and rua holds no valid URI: receivers apply no DMARC policy "
                    "(RFC 7489 6.6.3)",
                    where=["p" if not p_ok else "sp"],
                )
            )

    if "pct" in tags:
        raw = tags["pct"]
        if raw.isdigit() and len(raw) <= 3 and int(raw) <= 100:
            info.pct = int(raw)
        else:
            errors.append(
                Finding(
                    code="dmarc-pct-invalid",
                    message=f"pct={raw!r} is not 0-100; receivers ignore it (100)",
                    where=["pct"],
                )
            )
    for key in ("adkim", "aspf"):
        if key in tags:
            v = tags[key].lower()
            if v in _ALIGN:
                setattr(info, key, v)
            else:
                errors.append(
                    Finding(
                        code="dmarc-tag-value-invalid",
                        message=f"{key}={tags[key]!r} is not r or s; receivers ignore it (r)",
                        where=[key],
                    )
                )
    if "fo" in tags and not all(_strip(x).lower() in _FO for x in tags["fo"].split(":")):
        errors.append(
            Finding(
                code="dmarc-tag-value-invalid",
                message=f"fo={tags['fo']!r} is not a colon list of 0, 1, d, s; receivers ignore it",
                where=["fo"],
            )
        )
    if "rf" in tags and not all(_KEYWORD.match(_strip(x)) for x in tags["rf"].split(":")):
        errors.append(
            Finding(
                code="dmarc-tag-value-invalid", message=f"rf={tags['rf']!r} is not a list of keywords", where=["rf"]
            )
        )
    if "ri" in tags and not (tags["ri"].isdigit() and int(tags["ri"]) < 2**32):
        errors.append(
            Finding(
                code="dmarc-tag-value-invalid",
                message=f"ri={tags['ri']!r} is not a number of seconds; receivers ignore it (86400)",
                where=["ri"],
            )
        )

    if info.policy == "none" and info.result == "valid":
        warnings.append(
            Finding(
                code="dmarc-policy-none",
                message="p=none: monitoring only, spoofed mail is still delivered",
                where=["p"],
            )
        )
    if info.policy in ("quarantine", "reject") and info.pct == 0:
        # RFC 7489 6.6.4: mail not selected by pct gets the next weaker policy; pct=0 selects none of it
        weaker = POLICIES[POLICIES.index(info.policy) - 1]
        warnings.append(
            Finding(
                code="dmarc-pct-zero",
                message=f"pct=0: no failing mail gets p={info.policy}; receivers apply {weaker} to all of it"
                " (RFC 7489 6.6.4)",
                where=["pct"],
            )
        )
        info.policy = weaker
        if info.subdomain_policy in ("quarantine", "reject"):
            info.subdomain_policy = POLICIES[POLICIES.index(info.subdomain_policy) - 1]
    elif info.policy in ("quarantine", "reject") and info.pct < 100:
        warnings.append(
            Finding(
                code="dmarc-pct-partial",
                message=f"the policy applies to only {info.pct}% of failing mail",
                where=["pct"],
            )
        )
    if (
        info.result == "valid"
        and info.policy is not None
        and info.subdomain_policy is not None
        and POLICIES.index(info.subdomain_policy) < POLICIES.index(info.policy)
    ):
        warnings.append(
            Finding(
                code="dmarc-sp-weaker",
                message=f"subdomains get the weaker sp={info.subdomain_policy}: spoofing a subdomain is easier",
                where=["sp"],
            )
        )
    if not rua_valid:
        warnings.append(
            Finding(
                code="dmarc-no-rua", message="no aggregate report address (rua): nobody sees who sends as the domain"
            )
        )
    info.errors = errors
    info.warnings = warnings
    _sync_compat(info)
    return info


# errors of a record receivers still apply: the tag is ignored (its default applies), the rest of the record holds
IGNORED_MISTAKES = (
    "dmarc-pct-invalid",
    "dmarc-tag-value-invalid",
    "dmarc-tag-duplicate",
    "dmarc-tag-malformed",
    "dmarc-uri-invalid",
)


def ignored_mistakes(info: DmarcInfo) -> list[tuple[str, str]]:
    """``(code, what is written)`` for each mistake in a record receivers apply all the same, ignoring the tag
    (RFC 7489 6.3: a tag with an invalid value takes its default; a repeated tag is read one way or another):
    ``("dmarc-pct-invalid", "pct=101")``, ``("dmarc-tag-duplicate", "rua")``, ``("dmarc-uri-invalid",
    "mailto:x")``. The policy's own errors (``p``/``sp`` missing or invalid) are not among them: they decide
    the policy itself and are said with it. One entry per tag, in the record's order."""
    out: list[tuple[str, str]] = []
    for f in info.errors:
        if f.code not in IGNORED_MISTAKES:
            continue
        if f.code == "dmarc-uri-invalid" and len(f.where) > 1:
            shown = f.where[1]
        elif f.code in ("dmarc-tag-duplicate", "dmarc-tag-malformed"):
            shown = (f.where or ["?"])[0]
        else:
            tag = (f.where or ["?"])[0]
            shown = next(
                (_strip(t) for t in (info.record or "").split(";") if _strip(t.partition("=")[0]).lower() == tag),
                f"{tag}=",
            )
        if (f.code, shown) not in out:
            out.append((f.code, shown))
    return out


def _sync_compat(info: DmarcInfo) -> None:
    """The older ``valid`` (some DMARC policy applies) and ``problems`` (every message) fields."""
    info.valid = info.policy is not None
    info.problems = [f.message for f in info.errors] + [f.message for f in info.warnings]


def parse_txt(txts: list[str]) -> DmarcInfo | None:
    """The DMARC policy from the TXT records at ``_dmarc.<domain>`` (RFC 7489 6.6.3).

    None when no record there is meant as DMARC."""
    selected = [t.strip(_WSP) for t in txts if is_dmarc(t)]
    discarded = [t.strip(_WSP) for t in txts if not is_dmarc(t) and looks_like_dmarc(t)]
    reasons = [_discard_reason(t) for t in discarded]
    if not selected and not discarded:
        return None
    if len(selected) == 1:
        info = parse_record(selected[0])
        for r in reasons:  # a look-alike beside the real record changes nothing for receivers
            info.warnings.append(Finding(code="dmarc-record-discarded", message=r.message, where=r.where))
        _sync_compat(info)
        return info
    info = DmarcInfo(result="invalid", record=(selected or discarded)[0], policy=None, subdomain_policy=None)
    if len(selected) > 1:
        info.errors.append(
            Finding(
                code="dmarc-multiple-records",
                message=f"{len(selected)} DMARC records published; receivers apply no DMARC policy (RFC 7489 6.6.3)",
                where=selected,
            )
        )
        info.published_policy = None
    info.errors.extend(reasons)
    _sync_compat(info)
    return info


def unfollowable(name: str, detail: str) -> DmarcInfo:
    """The DMARC result when ``_dmarc.<domain>`` is a CNAME chain no resolver can follow (a loop, or past
    16 hops): no record can be read there, so receivers apply no DMARC policy (RFC 7489 6.6.3).

    The zone's own fault, the same at every try: an error of the record, not a lookup to retry."""
    info = DmarcInfo(result="invalid", policy=None, subdomain_policy=None)
    info.errors.append(
        Finding(
            code="dmarc-cname-loop",
            message=f"{name} cannot be followed ({detail or 'CNAME loop'}): no DMARC record can be read there,"
            " so receivers apply no DMARC policy until the zone is fixed",
            where=[name],
        )
    )
    _sync_compat(info)
    return info


def external_destinations(info: DmarcInfo, domain: str) -> list[str]:
    """Report destination hosts (mailto domains of rua/ruf) outside ``domain``'s organisational domain.

    Each needs the authorisation record of RFC 7489 7.1 at
    ``<domain>._report._dmarc.<host>``; the list is de-duplicated, in record order.
    """
    from ..domains import is_within, organizational_domain

    out: list[str] = []
    own: str | None = None
    for raw in info.rua + info.ruf:
        _, host, problem = parse_uri(raw)
        if problem is not None or host is None or host in out or is_within(host, domain):
            continue  # a name at or below the domain shares its organisational domain
        if own is None:
            own = organizational_domain(domain)
        if organizational_domain(host) != own:
            out.append(host)
    return out


def authorization_name(domain: str, host: str) -> str:
    """Where RFC 7489 7.1 puts the destination's consent: ``<domain>._report._dmarc.<host>``."""
    return f"{domain}._report._dmarc.{host}"


def is_authorization(txts: list[str]) -> bool:
    """The destination agrees to receive reports (RFC 7489 7.1): a TXT record there starts with ``v=DMARC1``."""
    return any(is_dmarc(t) for t in txts)


def note_authorization(info: DmarcInfo, host: str, authorized: bool, domain: str) -> None:
    """Record the 7.1 lookup's outcome: a missing authorisation is a warning (receivers drop those reports)."""
    if authorized:
        return
    info.warnings.append(
        Finding(
            code="dmarc-report-authorization-missing",
            message=f"reports go to {host}, which publishes no authorisation at {authorization_name(domain, host)}; "
            "receivers will not send them (RFC 7489 7.1)",
            where=[host],
        )
    )
    _sync_compat(info)
