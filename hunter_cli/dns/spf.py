"""SPF records (RFC 7208): pick the record, parse it strictly, expand ``%{d}`` macros.

Pure functions only, no DNS. :func:`parse` checks a record against the ABNF of
RFC 7208 section 12 (terms of section 4.6.1, mechanisms of section 5,
modifiers of section 6, macros of section 7) and returns its terms with every
syntax error found; a syntax error makes receivers return permerror. Following
include and redirect targets is the evaluator's job
(:mod:`hunter_cli.dns.spf_eval`).

Error codes (stable, documented in docs/json-schema.md) are module constants.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..models import Finding, SpfInfo

LOOKUP_LIMIT = 10  # DNS-querying terms per evaluation, RFC 7208 4.6.4
VOID_LOOKUP_LIMIT = 2  # RFC 7208 4.6.4 (SHOULD, default 2)
MX_LIMIT = 10  # MX records per "mx" mechanism, RFC 7208 4.6.4

# Terms that make a receiver query DNS (RFC 7208 4.6.4); redirect is counted too.
LOOKUP_MECHANISMS = frozenset({"include", "a", "mx", "ptr", "exists"})
MECHANISMS = frozenset({"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"})

# Syntax error codes (each is a permerror, RFC 7208 4.6 and 12).
E_MULTIPLE = "spf-multiple-records"
E_CHARACTER = "spf-invalid-character"
E_UNKNOWN_MECHANISM = "spf-unknown-mechanism"
E_MISSING_ARGUMENT = "spf-missing-argument"
E_UNEXPECTED_ARGUMENT = "spf-unexpected-argument"
E_CIDR = "spf-invalid-cidr"
E_IP = "spf-invalid-ip"
E_DOMAIN = "spf-invalid-domain"
E_MACRO = "spf-invalid-macro"
E_MODIFIER = "spf-invalid-modifier"
E_DUPLICATE_MODIFIER = "spf-duplicate-modifier"

_MODIFIER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9\-_.]*\Z")
_QNUM = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])"
_IP4 = re.compile(rf"{_QNUM}\.{_QNUM}\.{_QNUM}\.{_QNUM}\Z")
_CIDR_NUMBER = re.compile(r"(?:0|[1-9][0-9]*)\Z")
_ALNUM = re.compile(r"[A-Za-z0-9]+\Z")
_TOPLABEL = re.compile(r"(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])\Z")
_MACRO_LETTERS = frozenset("slodiphcrtv")
_EXP_ONLY_LETTERS = frozenset("crt")  # RFC 7208 7.2: allowed only in "exp" text
_DELIMITERS = frozenset(".-+,/_=")
_QUERYABLE = re.compile(r"[A-Za-z0-9_\-]{1,63}\Z")


W_NOT_AT_START = "spf-not-at-start"  # a TXT record with v=spf1 after leading spaces: discarded (RFC 7208 4.5)


def is_spf(txt: str) -> bool:
    """True for a ``v=spf1`` record: one that begins with exactly ``v=spf1`` (case-insensitive, RFC 5234
    2.3), then a space or the end (RFC 7208 4.5: "discard records that do not begin with a version
    section of exactly 'v=spf1'"; "the version section is terminated by either an SP character or the
    end of the record"). A record that begins with spaces is no SPF record; trailing spaces are allowed
    (``record = version terms *SP``, RFC 7208 12)."""
    t = txt[:7].lower()
    return t == "v=spf1" or t.startswith("v=spf1 ")


def spf_records(txts: list[str]) -> list[str]:
    """The ``v=spf1`` records among a name's TXT strings (RFC 7208 4.5), trailing spaces removed."""
    return [t.rstrip() for t in txts if is_spf(t)]


W_VERSION_WHITESPACE = "spf-version-whitespace"  # v=spf1 then a tab (or other whitespace), not SP: discarded (4.5)
W_VERSION_JOINED = "spf-version-joined"  # v=spf1 then a term with no space ("v=spf1ip4:..."): discarded (4.5, 3.3)
W_VERSION_SPACED = "spf-version-spaced"  # spaces inside the version ("v= spf1", "v =spf1"): discarded (4.5)
W_QUOTED = "spf-quoted"  # quote marks kept as part of the record ('"v=spf1 -all"'): discarded (4.5)

_SPACED_VERSION = re.compile(r"v\s*=\s*spf1", re.IGNORECASE)
_QUOTES = "\"'\u201c\u201d\u2018\u2019"  # straight and typographic quote marks a DNS panel may keep


def discarded_records(txts: list[str]) -> list[Finding]:
    """A warning for each TXT string that would be an SPF record but for the whitespace or quote marks around
    or inside ``v=spf1``: receivers discard it (RFC 7208 4.5: the record must begin with exactly ``v=spf1``,
    and "the version section is terminated by either an SP character or the end of the record"), so unless
    another record is published they see none (result ``none``, RFC 7208 2.6.1), which the record's author
    surely did not mean.

    Codes: ``spf-not-at-start`` (whitespace before ``v=spf1``), ``spf-quoted`` (quote marks around it, kept
    as part of the text), ``spf-version-spaced`` (spaces inside it: ``v= spf1``), ``spf-version-whitespace``
    (a tab or other whitespace after it instead of a space), ``spf-version-joined`` (a term right after it,
    ``v=spf1ip4:...``: what a record split into strings gives, since they are joined with no space added,
    RFC 7208 3.3). ``where`` is the record. A version that goes on in digits (``v=spf10``) is another
    version: not warned.
    """
    out: list[Finding] = []
    for t in txts:
        if is_spf(t):
            continue
        body = t.lstrip()
        quoted = body[:1] in _QUOTES and len(body) > 1
        if quoted:
            body = body.lstrip(_QUOTES + " \t")
        spaced = _SPACED_VERSION.match(body)
        if spaced is None:
            continue
        after = body[spaced.end() : spaced.end() + 1]
        if after.isdigit():
            continue  # v=spf10: another version
        if quoted:
            code, message = W_QUOTED, "is wrapped in quote marks that are part of its text"
        elif spaced.end() != 6:
            code, message = W_VERSION_SPACED, "has spaces inside v=spf1"
        elif len(body) != len(t) and (not after or after == " "):
            code, message = W_NOT_AT_START, "does not begin with v=spf1 (whitespace comes first)"
        elif after.isspace():
            code, message = W_VERSION_WHITESPACE, f"has {_whitespace_name(after)} after v=spf1 where a space must be"
        elif after and not after.isalnum():  # v=spf1;ip4:..., v=spf1-all: a mark where the space belongs
            code = W_VERSION_JOINED
            message = f"has {body[6:30]!r} right after v=spf1 with no space"
        elif after:
            code = W_VERSION_JOINED
            message = (
                f"has {body[6:30]!r} right after v=spf1 with no space (strings a record is split into are joined"
                " without one, RFC 7208 3.3)"
            )
        else:
            continue
        out.append(
            Finding(
                code=code,
                message=f"the TXT record {t!r} {message}, so receivers discard it as no SPF record (RFC 7208 4.5)",
                where=[t],
            )
        )
    return out


_SHOWN = {"\t": "<TAB>", "\r": "<CR>", "\n": "<LF>", "\u00a0": "<NBSP>"}


def readable(text: str) -> str:
    """``text`` with every character that prints as nothing or moves the cursor shown by name, for a record
    quoted in a sentence or a table: ``"v=spf1\\tip4:..."`` -> ``"v=spf1<TAB>ip4:..."``; a carriage return
    ``<CR>``, a line feed ``<LF>``, a no-break space ``<NBSP>``, any other whitespace or control character
    ``<U+XXXX>``. A plain space stays."""
    return "".join(
        c if c == " " or (c.isprintable() and not c.isspace()) else _SHOWN.get(c, f"<U+{ord(c):04X}>") for c in text
    )


def _whitespace_name(ch: str) -> str:
    """``"a tab"`` for ``\\t``; other whitespace by its code point (``U+00A0``)."""
    return {"\t": "a tab", "\n": "a line break", "\r": "a line break"}.get(ch, f"the character U+{ord(ch):04X}")


@dataclass(frozen=True, slots=True)
class Macro:
    """One ``%{...}`` expansion: letter (lower case), rightmost parts kept (None = all), reversed, delimiters."""

    letter: str
    keep: int | None = None
    reverse: bool = False
    delimiters: str = ""


# A parsed macro-string: literal text and Macro parts in order.
MacroString = tuple[str | Macro, ...]


@dataclass(frozen=True, slots=True)
class Term:
    """One directive or modifier of a record (RFC 7208 4.6.1).

    ``name`` is lower case; ``qualifier`` is ``+ - ~ ?`` for mechanisms and ``""``
    for modifiers; ``domain`` is the parsed domain-spec (or None when the term
    has none and defaults to the current domain); ``cidr4``/``cidr6`` are the
    dual-cidr lengths of ``a``/``mx`` and the prefix of ``ip4``/``ip6``.
    """

    text: str
    kind: str  # "mechanism" or "modifier"
    name: str
    qualifier: str = ""
    domain: MacroString | None = None
    network: str | None = None
    cidr4: int | None = None
    cidr6: int | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """A parsed ``v=spf1`` record: its terms and its syntax errors as ``(code, message)``."""

    text: str
    terms: tuple[Term, ...] = ()
    errors: tuple[tuple[str, str], ...] = ()
    mechanisms: tuple[Term, ...] = field(default=())
    redirect: Term | None = None
    exp: Term | None = None

    @property
    def all(self) -> Term | None:
        """The first ``all`` mechanism, if any."""
        return next((t for t in self.mechanisms if t.name == "all"), None)


class _SyntaxError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# -- macros (RFC 7208 7.1) ------------------------------------------------------------
def parse_macro_string(text: str, *, exp: bool = False) -> MacroString:
    """Split a macro-string into literals and :class:`Macro` parts (RFC 7208 7.1).

    Raises ``_SyntaxError`` (code ``spf-invalid-macro``) on a ``%`` not followed by
    ``{``, ``%``, ``_`` or ``-``, an unknown macro letter, a zero digit transformer,
    a missing ``}``, or ``c``/``r``/``t`` outside ``exp`` text (RFC 7208 7.2).
    """
    parts: list[str | Macro] = []
    literal: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch != "%":
            literal.append(ch)
            i += 1
            continue
        nxt = text[i + 1 : i + 2]
        if nxt in ("%", "_", "-"):
            literal.append({"%": "%", "_": " ", "-": "%20"}[nxt])
            i += 2
            continue
        if nxt != "{":
            raise _SyntaxError(E_MACRO, f"'%' must be followed by '{{', '%', '_' or '-' in {text!r}")
        end = text.find("}", i + 2)
        if end < 0:
            raise _SyntaxError(E_MACRO, f"macro without a closing '}}' in {text!r}")
        body = text[i + 2 : end]
        m = re.fullmatch(r"([A-Za-z])([0-9]*)([rR]?)([.\-+,/_=]*)", body)
        if m is None or m.group(1).lower() not in _MACRO_LETTERS:
            raise _SyntaxError(E_MACRO, f"malformed macro %{{{body}}}")
        letter, digits, rev, delims = m.group(1).lower(), m.group(2), m.group(3), m.group(4)
        if digits and int(digits) == 0:
            raise _SyntaxError(E_MACRO, f"macro %{{{body}}} keeps zero parts (RFC 7208 7.3)")
        if letter in _EXP_ONLY_LETTERS and not exp:
            raise _SyntaxError(E_MACRO, f"macro %{{{body}}} is allowed only in exp text (RFC 7208 7.2)")
        if literal:
            parts.append("".join(literal))
            literal = []
        parts.append(Macro(letter, int(digits) if digits else None, bool(rev), delims))
        i = end + 1
    if literal:
        parts.append("".join(literal))
    return tuple(parts)


def _parse_domain_spec(text: str) -> MacroString:
    """A domain-spec (RFC 7208 7.1): a macro-string ending in ``.toplabel`` or a macro."""
    if not text:
        raise _SyntaxError(E_MISSING_ARGUMENT, "empty domain")
    spec = parse_macro_string(text)
    last = spec[-1]
    if isinstance(last, str):
        # domain-end = "." toplabel [ "." ]; the literal tail after the last macro
        tail = last[:-1] if last.endswith(".") else last
        head, dot, top = tail.rpartition(".")
        if not dot or not _TOPLABEL.match(top):
            raise _SyntaxError(E_DOMAIN, f"{text!r} does not end in a valid top-level label")
    for part in spec:
        if isinstance(part, str) and ".." in part:
            raise _SyntaxError(E_DOMAIN, f"{text!r} has an empty label")
    if isinstance(spec[0], str) and spec[0].startswith("."):
        raise _SyntaxError(E_DOMAIN, f"{text!r} has an empty label")
    if all(isinstance(p, str) for p in spec):
        name = "".join(spec).rstrip(".")  # type: ignore[arg-type]  # all parts are str here
        if len(name) > 253 or any(len(label) > 63 for label in name.split(".")):
            raise _SyntaxError(E_DOMAIN, f"{text!r} is longer than DNS allows")
    return spec


def sender_dependent(spec: MacroString) -> bool:
    """True when the domain-spec uses a macro other than ``%{d}`` (it needs a sender to expand)."""
    return any(isinstance(p, Macro) and p.letter != "d" for p in spec)


def _transform(value: str, macro: Macro) -> str:
    delims = macro.delimiters or "."
    parts = re.split("[" + re.escape(delims) + "]", value)
    if macro.reverse:
        parts.reverse()
    if macro.keep is not None:
        parts = parts[-macro.keep :]
    return ".".join(parts)


def expand(spec: MacroString, domain: str) -> str | None:
    """Expand a domain-spec for ``<domain>`` (RFC 7208 7.3); None when it needs the sender.

    The result is lower case without a trailing dot, truncated on the left to
    253 characters as section 7.3 says.
    """
    if sender_dependent(spec):
        return None
    out = "".join(p if isinstance(p, str) else _transform(domain, p) for p in spec).rstrip(".").lower()
    while len(out) > 253 and "." in out:
        out = out.split(".", 1)[1]
    return out


@lru_cache(maxsize=8192)
def queryable(name: str) -> bool:
    """A name a resolver can ask: 2+ labels of letters, digits, ``-`` or ``_``, at most 253 chars (RFC 7208 4.3)."""
    labels = name.split(".")
    return 1 < len(labels) and len(name) <= 253 and all(_QUERYABLE.match(label) for label in labels)


# -- terms (RFC 7208 4.6.1, 5, 6) -----------------------------------------------------
def _cidr(text: str, *, dual: bool, v6: bool = False) -> tuple[int | None, int | None]:
    """``/n``, ``//n`` or ``/n//m`` (dual-cidr-length, RFC 7208 5.6); lengths within 32 and 128."""
    c4 = c6 = None
    rest = text
    if dual and "//" in rest:
        rest, _, six = rest.partition("//")
        if not _CIDR_NUMBER.match(six) or int(six) > 128:
            raise _SyntaxError(E_CIDR, f"IPv6 prefix length '/{six}' out of range 0-128")
        c6 = int(six)
    if rest:
        if not rest.startswith("/") or not _CIDR_NUMBER.match(rest[1:]):
            raise _SyntaxError(E_CIDR, f"malformed prefix length {text!r}")
        value = int(rest[1:])
        limit = 128 if v6 else 32
        if value > limit:
            raise _SyntaxError(E_CIDR, f"prefix length '/{value}' out of range 0-{limit}")
        if v6:
            c6 = value
        else:
            c4 = value
    return c4, c6


def _split_cidr(arg: str) -> tuple[str, str]:
    """Domain-spec and cidr suffix: the suffix starts at the first '/' after the last macro."""
    start = arg.rfind("}") + 1
    slash = arg.find("/", start)
    return (arg, "") if slash < 0 else (arg[:slash], arg[slash:])


def _mechanism(token: str) -> Term:
    qualifier = "+"
    body = token
    if body[:1] in "+-~?":
        qualifier, body = body[0], body[1:]
    m = re.match(r"[A-Za-z0-9_.\-]*", body)
    name = m.group(0).lower() if m else ""
    rest = body[len(name) :]
    if name not in MECHANISMS:
        raise _SyntaxError(E_UNKNOWN_MECHANISM, f"unknown mechanism {token!r}")
    if name == "all":
        if rest:
            raise _SyntaxError(E_UNEXPECTED_ARGUMENT, f"'all' takes no argument: {token!r}")
        return Term(token, "mechanism", name, qualifier)
    if name in ("include", "exists"):
        if not rest or rest == ":":
            raise _SyntaxError(E_MISSING_ARGUMENT, f"{name!r} needs a domain: {token!r}")
        if not rest.startswith(":"):
            raise _SyntaxError(E_UNEXPECTED_ARGUMENT, f"{name!r} takes ':domain' only: {token!r}")
        return Term(token, "mechanism", name, qualifier, domain=_parse_domain_spec(rest[1:]))
    if name in ("a", "mx", "ptr"):
        spec: MacroString | None = None
        cidr_text = rest
        if rest.startswith(":"):
            domain_text, cidr_text = _split_cidr(rest[1:])
            if not domain_text:
                raise _SyntaxError(E_MISSING_ARGUMENT, f"empty domain after ':' in {token!r}")
            spec = _parse_domain_spec(domain_text)
        if name == "ptr":
            if cidr_text:
                raise _SyntaxError(E_UNEXPECTED_ARGUMENT, f"'ptr' takes no prefix length: {token!r}")
            return Term(token, "mechanism", name, qualifier, domain=spec)
        if cidr_text and not cidr_text.startswith("/"):
            raise _SyntaxError(E_UNEXPECTED_ARGUMENT, f"unexpected text after {name!r}: {token!r}")
        c4, c6 = _cidr(cidr_text, dual=True)
        return Term(token, "mechanism", name, qualifier, domain=spec, cidr4=c4, cidr6=c6)
    # ip4 / ip6
    if not rest or rest == ":":
        raise _SyntaxError(E_MISSING_ARGUMENT, f"{name!r} needs a network: {token!r}")
    if not rest.startswith(":"):
        raise _SyntaxError(E_UNEXPECTED_ARGUMENT, f"{name!r} takes ':network' only: {token!r}")
    network, slash, length = rest[1:].partition("/")
    if name == "ip4":
        if not _IP4.match(network):
            raise _SyntaxError(E_IP, f"malformed IPv4 network {network!r}")
        c4, _ = _cidr(slash + length, dual=False)
        return Term(token, "mechanism", name, qualifier, network=network, cidr4=c4)
    try:
        if not network or "%" in network:
            raise ValueError(network)
        ipaddress.IPv6Address(network)
    except ValueError:
        raise _SyntaxError(E_IP, f"malformed IPv6 network {network!r}") from None
    _, c6 = _cidr(slash + length, dual=False, v6=True)
    return Term(token, "mechanism", name, qualifier, network=network, cidr6=c6)


def _modifier(token: str) -> Term:
    name, _, value = token.partition("=")
    if not _MODIFIER_NAME.match(name):
        raise _SyntaxError(E_MODIFIER, f"{name!r} is not a modifier name: {token!r}")
    lname = name.lower()
    if lname in ("redirect", "exp"):
        if not value:
            raise _SyntaxError(E_MISSING_ARGUMENT, f"{lname}= needs a domain: {token!r}")
        return Term(token, "modifier", lname, domain=_parse_domain_spec(value))
    parse_macro_string(value, exp=True)  # unknown-modifier = name "=" macro-string
    return Term(token, "modifier", lname)


def _is_modifier(token: str) -> bool:
    """A modifier is ``name=...``; the '=' comes before any ':' or '/' (RFC 7208 4.6.1)."""
    eq = token.find("=")
    if eq < 0 or token[:1] in "+-~?":
        return False
    return not any(c in token[:eq] for c in ":/")


@lru_cache(maxsize=4096)
def parse(text: str) -> Record:
    """Parse one ``v=spf1`` record strictly (RFC 7208 4.6, 12); syntax errors are collected, not raised.

    Records are short and shared providers' records repeat, so results are cached.
    """
    errors: list[tuple[str, str]] = []
    bad = sorted({c for c in text if not (" " <= c <= "~")})
    if bad:
        shown = ", ".join(repr(c) for c in bad[:3])
        errors.append((E_CHARACTER, f"control or non-ASCII characters in the record: {shown}"))
    tokens = text.split(" ")[1:]
    terms: list[Term] = []
    mechanisms: list[Term] = []
    redirect = exp = None
    for token in tokens:
        if not token:
            continue
        try:
            term = _modifier(token) if _is_modifier(token) else _mechanism(token)
        except _SyntaxError as exc:
            errors.append((exc.code, exc.message))
            continue
        terms.append(term)
        if term.kind == "mechanism":
            mechanisms.append(term)
        elif term.name == "redirect":
            if redirect is not None:
                errors.append((E_DUPLICATE_MODIFIER, "redirect= given more than once (RFC 7208 6)"))
            redirect = redirect or term
        elif term.name == "exp":
            if exp is not None:
                errors.append((E_DUPLICATE_MODIFIER, "exp= given more than once (RFC 7208 6)"))
            exp = exp or term
    return Record(text, tuple(terms), tuple(errors), tuple(mechanisms), redirect, exp)


def spec_text(spec: MacroString | None) -> str | None:
    """The domain-spec as published (lower case, no trailing dot), macros written back out."""
    if spec is None:
        return None
    out = []
    for p in spec:
        if isinstance(p, str):
            out.append(p.replace("%", "%%").replace(" ", "%_"))
        else:
            keep = str(p.keep) if p.keep else ""
            out.append("%{" + p.letter + keep + ("r" if p.reverse else "") + p.delimiters + "}")
    return "".join(out).rstrip(".").lower()


def in_force(parsed: Record) -> tuple[list[str], str | None]:
    """The include targets that let senders pass and the redirect a receiver evaluates: the ``include``
    mechanisms with the ``+`` qualifier (written or not) before the first ``all`` ("mechanisms after 'all'
    will never be tested", RFC 7208 5.1; ``-include:x`` refuses what x passes, 4.6.2) and the ``redirect``
    only when the record has no ``all`` (RFC 7208 6.1). Targets as :func:`spec_text` gives them; the
    ``spf-terms-after-all`` and ``spf-redirect-ignored`` warnings say what is left out."""
    includes: list[str] = []
    for t in parsed.mechanisms:
        if t.name == "all":
            break
        if t.name == "include" and t.qualifier == "+" and (target := spec_text(t.domain)):
            includes.append(target)
    redirect = None
    if parsed.redirect is not None and parsed.all is None:
        redirect = spec_text(parsed.redirect.domain)
    return includes, redirect


def describe(record: str, **evaluated: Any) -> SpfInfo:
    """The record's own fields (all, the includes and redirect in force: :func:`in_force`, terms), before
    evaluation.

    ``lookups`` counts only this record's DNS-querying terms; the evaluator
    (:func:`hunter_cli.dns.spf_eval.evaluate`) fills in the verdict. Its fields
    (``result``, ``lookups``, ``errors``, ...) may be given as ``evaluated``: they
    override the record's own, and the model is built once.
    """
    parsed = parse(record)
    first_all = parsed.all
    includes, redirect = in_force(parsed)
    fields: dict[str, Any] = {
        "record": record,
        "terms": record.split()[1:],
        "all": (first_all.qualifier + "all") if first_all is not None else None,
        "includes": includes,
        "redirect": redirect,
        "lookups": sum(1 for t in parsed.mechanisms if t.name in LOOKUP_MECHANISMS) + (parsed.redirect is not None),
    }
    fields.update(evaluated)
    return SpfInfo(**fields)
