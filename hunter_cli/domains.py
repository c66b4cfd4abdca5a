"""Turn whatever a rep pastes (domain, URL, e-mail address) into one registrable domain.

Pure functions, no I/O beyond loading bundled data once. The result is the
registrable domain (public-suffix aware) as lower-case ASCII (IDNA 2008 A-labels),
or a :class:`Rejected` value that says in plain words why the text is not a lead.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit

_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://", re.IGNORECASE)
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f]")  # C0 controls but the tab
_IP_LIKE = re.compile(r"^[\d.]+$|:")  # what ipaddress.ip_address could take: dotted digits, or IPv6
# A number as a spreadsheet cell holds one (12345, 123.45, 9.05551112233E+11, 12,345) or a phone number as people
# write it (+90 555 111 22 33, (0212) 555-11-22): digits and their punctuation, no letter but an exponent's E.
_NUMBER = re.compile(r"[+\-]?\(?\d[\d\s().,/\-]*(?:[eE][+\-]?\d+)?")
# Cells people type when they have no website; never a domain.
_PLACEHOLDERS = frozenset(
    {"nan", "n/a", "na", "none", "null", "-", "yok", "web", "website", "web sitesi", "http", "https", "www"}
)
MAX_INPUT_LENGTH = 512
# Why a user's refreshed data file was passed over (said once in the summary, never fatal).
DATA_PROBLEMS: list[str] = []


@dataclass(frozen=True, slots=True)
class Rejected:
    """Why a piece of input is not a lead. ``reason`` is a short phrase for the summary."""

    reason: str
    consumer: bool = False
    platform: bool = False  # a social-media or site-builder page (data/site_platforms.txt)

    @property
    def telling(self) -> bool:
        """Whether the text named a host, just not a company's own (a free mailbox, a page on a platform):
        such a reason says more about a row than "contains spaces" does."""
        return self.consumer or self.platform


@functools.cache
def _psl():
    """The public suffix list: the copy from `hunter data update` if any, else the bundled one.

    Parsing the list takes about 110 ms; the parsed form is kept in the user
    cache folder, keyed by the list's own hash, and loads in about 4 ms.
    """
    import publicsuffixlist

    from .datafiles import cached_parse, user_psl

    try:
        path = user_psl()
    except OSError as exc:  # an unreadable user data folder: the bundled list is still right
        DATA_PROBLEMS.append(
            f"cannot look in the user data folder ({exc.strerror or exc}); using the bundled public suffix list"
        )
        path = None
    if path is not None:
        try:
            return cached_parse(path, lambda fh: publicsuffixlist.PublicSuffixList(source=fh))
        except (OSError, ValueError):
            pass
    return cached_parse(publicsuffixlist.PSLFILE, lambda fh: publicsuffixlist.PublicSuffixList(source=fh))


@functools.cache
def consumer_domains() -> frozenset[str]:
    """Free-mail domains (gmail.com, hotmail.com.tr, ...) that are people, not companies."""
    text = resources.files("hunter_cli.data").joinpath("consumer_domains.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@functools.cache
def site_platforms() -> frozenset[str]:
    """Hosts of social networks, link-in-bio services and site builders (instagram.com, linktr.ee,
    wixsite.com, sites.google.com, ...): a page there is not the company's own domain. A listed host
    covers the names below it (``firma.wixsite.com``). Source: hunter_cli/data/site_platforms.txt."""
    text = resources.files("hunter_cli.data").joinpath("site_platforms.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def on_site_platform(host: str) -> bool:
    """Whether the ASCII host ``host`` is a listed platform host or a name below one
    (``www.instagram.com``, ``firma.wixsite.com``). Pure but for loading the list once."""
    platforms = site_platforms()
    labels = host.lower().rstrip(".").split(".")
    return any(".".join(labels[i:]) in platforms for i in range(len(labels) - 1))


def _dotted_i(s: str) -> str:
    """Turkish capital dotted I (``İ``), and the ``i`` plus combining dot above that lower-casing it the
    Unicode way makes (Python's ``str.lower``, UTS 46, ``urlsplit().hostname``), become ``i``: a member
    list typed in capitals (``ÇİÇEK.COM.TR``) names ``çiçek.com.tr``, and no .tr name can hold U+0307."""
    return s.replace("İ", "i").replace("i\u0307", "i")


def extract_host(text: str) -> str | None:
    """The host part of a domain, URL or e-mail address, or None when there is none."""
    s = _dotted_i(text.strip().strip("\"'").strip())
    if not s:
        return None
    if "<" in s and ">" in s:  # Name <x@acme.com>
        s = s[s.rfind("<") + 1 : s.rfind(">")].strip()
    if s.lower().startswith("mailto:"):
        s = s[7:].split("?", 1)[0]
    if "@" in s and not _SCHEME.match(s):
        s = s.rsplit("@", 1)[1]
    try:
        if _SCHEME.match(s):
            host = urlsplit(s).hostname
        elif any(c in s for c in "/?#:"):
            host = urlsplit("//" + s).hostname
        else:
            host = s
    except ValueError:  # "http://[x", "a.com]:80": a URL urlsplit cannot read (RFC 3986 §3.2.2 brackets)
        return None
    if not host:
        return None
    return host.strip().rstrip(".")


_PORT = re.compile(r":\d{1,5}")


def ip_literal(text: str) -> bool:
    """Whether ``text`` is an IP address, bare or as people write one: ``2001:db8::1``, ``[2001:db8::1]``
    and ``[2001:db8::1]:25`` (RFC 3986 3.2.2), ``::ffff:192.0.2.1`` (IPv4-mapped, RFC 4291 2.5.5.2),
    ``fe80::1%eth0`` (a zone, RFC 6874), ``192.0.2.1:25``, and an e-mail address literal
    ``x@[IPv6:2001:db8::1]`` or ``x@[192.0.2.1]`` (RFC 5321 4.1.3). Pure."""
    s = text.strip().strip("\"'").strip()
    if s.lower().startswith("mailto:"):
        s = s[7:].split("?", 1)[0]
    if "@" in s and not _SCHEME.match(s):
        s = s.rsplit("@", 1)[1].rstrip(">").strip()
    if s.startswith("["):
        inner, closed, rest = s[1:].partition("]")
        if not closed or (rest and not _PORT.fullmatch(rest)):
            return False
        s = inner[5:] if inner[:5].lower() == "ipv6:" else inner
    elif s.count(":") == 1:  # 192.0.2.1:25
        host, _, port = s.partition(":")
        if _PORT.fullmatch(":" + port):
            s = host
    try:
        ipaddress.ip_address(s)
    except ValueError:
        return False
    return True


def _to_ascii(host: str) -> str | Rejected:
    host = _dotted_i(host).replace("I", "i")
    if host.isascii():
        return host.lower()
    for label in host.lower().split("."):  # an A-label among U-labels: its own reason, not idna's English
        if label.isascii() and label.startswith("xn--") and _LABEL.match(label):
            if (fault := _alabel_fault(label)) is not None:
                return fault
    import idna

    try:
        return idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError as exc:
        return Rejected(f"not a valid international domain name ({exc})")
    except UnicodeError:
        return Rejected("not a valid international domain name")


def _alabel_fault(label: str) -> Rejected | None:
    """Why an ASCII label that starts ``xn--`` (lower-case) is not an A-label, or None when it is one.

    RFC 5890 2.3.2.1 and RFC 5891 5.4: an A-label must be Punycode (RFC 3492) that decodes to a valid
    U-label (IDNA 2008 code points, NFC, the hyphen, joiner and bidi rules of RFC 5891 4.2 and RFC 5893),
    and must be the one Punycode spelling of that U-label. ``xn--zz`` is no Punycode; ``xn---bbk`` is a
    second spelling of ``xn--bbk``; ``xn--ls8h`` decodes to an emoji, a code point IDNA 2008 disallows.
    (One that decodes to plain ASCII, ``xn--abc-``, ends with a hyphen: :data:`_LABEL` refuses it first.)
    """
    import idna

    try:
        idna.ulabel(label)
    except idna.IDNAError as exc:
        code = getattr(exc, "code", "")  # idna >= 3.11 names the rule; older ones say only the message
        shown = repr(label[:40])
        if code == "non_canonical_alabel":
            return Rejected(f"invalid A-label {shown}: not the standard Punycode spelling of its name")
        if code in ("disallowed_codepoint", "unknown_codepoint", "invalid_ascii") or "not allowed" in str(exc):
            return Rejected(f"invalid A-label {shown}: decodes to characters a domain name may not hold")
        if code == "invalid_alabel" or not code:
            return Rejected(f"invalid A-label {shown}: not valid Punycode")
        return Rejected(f"invalid A-label {shown}: decodes to a name the IDNA 2008 rules do not allow")
    except UnicodeError:
        return Rejected(f"invalid A-label {label[:40]!r}: not valid Punycode")
    return None


# Names no company owns (RFC 2606 sections 2 and 3, RFC 6761 section 6): the top-level domains for tests,
# examples, invalid names and the local host, and the second-level names kept for documentation.
RESERVED_TLDS = frozenset({"test", "example", "invalid", "localhost"})
RESERVED_DOMAINS = frozenset({"example.com", "example.net", "example.org"})


def normalize(text: str) -> str | Rejected:
    """Registrable domain for ``text`` (``https://www.Acme.com.tr/x`` -> ``acme.com.tr``)."""
    if len(text) > MAX_INPUT_LENGTH:
        return Rejected("line too long to be a domain")
    if text.strip().strip("\"'").lower() in _PLACEHOLDERS:
        return Rejected("placeholder, not a domain")
    if _CONTROL.search(text):
        return Rejected("contains control characters")
    if ip_literal(text):  # before the host is looked for: "2001:db8::1" would read as host "2001", port 8
        return Rejected("an IP address, not a domain")
    if _NUMBER.fullmatch(text.strip().strip("\"'").strip()):  # 123.45 is no host under a ".45"
        return Rejected("a number, not a domain")
    host = extract_host(text)
    if not host:
        return Rejected("no domain found")
    if " " in host or "\t" in host:
        return Rejected("contains spaces")
    if _IP_LIKE.search(host):  # a name with a letter and no colon is never an address
        try:
            ipaddress.ip_address(host.strip("[]"))
            return Rejected("an IP address, not a domain")
        except ValueError:
            pass
    ascii_host = _to_ascii(host)
    if isinstance(ascii_host, Rejected):
        return ascii_host
    if len(ascii_host) > 253:
        return Rejected("name longer than 253 characters")
    labels = ascii_host.split(".")
    if len(labels) < 2:
        return Rejected("a single name with no dot, not a domain")
    for label in labels:
        if not label:
            return Rejected("empty label (two dots in a row)")
        if not _LABEL.match(label):
            return Rejected(f"invalid label {label[:40]!r}")
        if label.startswith("xn--") and (fault := _alabel_fault(label)) is not None:
            return fault
    if labels[-1] in RESERVED_TLDS or ".".join(labels[-2:]) in RESERVED_DOMAINS:
        return Rejected("a name reserved for examples and tests (RFC 2606, RFC 6761), not a company domain")
    psl = _psl()
    registrable = psl.privatesuffix(ascii_host, accept_unknown=False)  # one pass of the list for most lines
    if registrable is None:
        if psl.publicsuffix(ascii_host, accept_unknown=False) is None:
            return Rejected(f"unknown top-level domain .{labels[-1]}")
        return Rejected("a public suffix, not a company domain")
    if on_site_platform(ascii_host):
        return Rejected("a social-media or site-builder page, not the company's own domain", platform=True)
    if registrable in consumer_domains():
        return Rejected("consumer mailbox domain, not a company", consumer=True)
    return registrable


def to_unicode(domain: str) -> str:
    """Readable form of an A-label domain for people (``xn--...`` -> ``çiçekçi...``)."""
    if "xn--" not in domain:
        return domain
    import idna

    try:
        return idna.decode(domain)
    except (idna.IDNAError, UnicodeError):
        return domain


def is_within(host: str, domain: str) -> bool:
    """True when ``host`` is ``domain`` or a name below it."""
    host = host.lower().rstrip(".")
    return host == domain or host.endswith("." + domain)


def organizational_domain(name: str) -> str:
    """The Organizational Domain of RFC 7489 3.2: the public suffix plus one label (``a.b.acme.com.tr`` ->
    ``acme.com.tr``); the name itself when the list knows no suffix for it."""
    host = name.lower().rstrip(".")
    return _psl().privatesuffix(host) or host
