"""Port-43 WHOIS (RFC 3912) for TLDs without RDAP: server table, client, parser.

The parser is table-driven: the field names, section names, date formats and the
phrases registries use for "no such domain" / "slow down" are data at the top of this
module, so supporting another registry is usually one more entry, not more code.

Shapes it understands (all seen in real registry output):

- ``Key: value`` lines, with any amount of padding (``Created on..............: 2001-Sep-11.``,
  ``Domain Name............: x.kz``) and ``**``-prefixed keys (TRABIS, .tr);
- sections: a header line with no value (``** Registrar:``, ``Name servers:``, ``[Registrar]``,
  or a bare ``Registrar`` / ``Nameservers`` line) followed by its body up to the next blank
  line; the body is either ``Key: value`` lines (``Organization Name : ...``) or bare values
  (one nameserver per line, a registrar name, a date).

The TRABIS (.tr) answer looks like this (whois.trabis.gov.tr, 2025)::

    ** Domain Name: google.tr
    Domain Status: Active
    ...
    ** Registrar:
    NIC Handle              : ogv40
    Organization Name       : ODTÜ GELİŞTİRME VAKFI BİLGİ TEKNOLOJİLERİ SAN. VE TİC. A.Ş.
    ...
    ** Domain Servers:
    ns1.googledomains.com
    ...
    ** Additional Info:
    Created on..............: 2024-Aug-26.
    Expires on..............: 2025-Aug-25.

and ``No match found for <domain>`` when the name is not registered.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import json
import re
import socket
from contextlib import suppress
from datetime import date
from importlib import resources

from hunter_cli.models import Registration
from hunter_cli.registration import RegistrationFailure

WHOIS_PORT = 43
MAX_WHOIS_BYTES = 256 * 1024

# ---------------------------------------------------------------------------- data tables

# Query line per server when the plain "<domain>" query gives too little. DENIC answers a
# plain query with the status only; "-T dn,ace" adds the nameservers.
QUERY_TEMPLATES: dict[str, str] = {
    "whois.denic.de": "-T dn,ace {domain}",
}

# Normalised keys (lower case, padding dots and "**" removed) per field, in priority order.
FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "registrar": (
        "registrar",
        "sponsoring registrar",
        "registrar name",
        "registrar-name",
        "current registrar",
        "current registar",  # sic, .kz
        "registration service provider",
    ),
    "created": (
        "creation date",
        "created",
        "created on",
        "created date",
        "domain created",
        "registered",
        "registered on",
        "registered date",
        "registration date",
        "registration time",
        "domain registration date",
        "record created",
        "first registration date",
        "domain record activated",
    ),
    "expires": (
        "registry expiry date",
        "registrar registration expiration date",
        "expiry date",
        "expiration date",
        "expiration time",
        "domain expiration date",
        "expires",
        "expires on",
        "expire",
        "expire date",
        "expiry",
        "paid-till",
        "valid until",
        "validity",
        "renewal date",
    ),
    "nameservers": (
        "name server",
        "name servers",
        "nameserver",
        "nameservers",
        "nserver",
        "domain servers",
        "domain nameservers",
        "dns servers",
        "primary server",
        "secondary server",
        "name server information",
    ),
}

# Extra keys that only mean a field for one TLD (elsewhere they mean something else:
# .dk's "DNS:" line is the domain itself, .rs's lists the nameservers).
TLD_FIELD_KEYS: dict[str, dict[str, tuple[str, ...]]] = {
    "rs": {"nameservers": ("dns",)},
}

# Inside a registrar section, the registrar's name is under one of these keys.
REGISTRAR_SECTION_KEYS = ("organization name", "organization", "organisation", "registrar name", "name")
# Inside a nameserver section, host names may come as "Key: host" lines.
NAMESERVER_SECTION_KEYS = ("hostname", "host name", "nserver", "name server", "nameserver", "name")
# Bare (colon-less) lines that open a section even when the body is not indented.
BARE_SECTION_NAMES = ("registrar", "nameservers", "name servers", "registrant", "holder")

# Values that stand for "nothing".
EMPTY_VALUES = frozenset(
    {"", "-", "--", "n/a", "na", "none", "null", "not available", "not disclosed", "not disclosed!", "redacted"}
)

# Phrases, searched case-insensitively per line, consulted only when nothing was parsed.
QUOTA_PATTERNS = (
    r"quota exceeded",
    r"limit exceeded",
    r"exceeded (?:the )?(?:maximum|allowed|query|request)",
    r"too many (?:requests|queries|connections)",
    r"rate limit",
    r"query limit",
    r"excessive (?:querying|queries|requests)",
    r"temporarily (?:blocked|denied|unavailable)",
    r"try again later",
)
REFUSED_PATTERNS = (
    r"requests of this client are not permitted",  # .ch/.li outside Switzerland
    r"access will only be enabled for\s+ip\s+addresses\s+authori[sz]ed",  # .es without accreditation
    r"not authori[sz]ed to (?:query|access|use)",
)
NOT_FOUND_PATTERNS = (
    r"^\s*no match",
    r"no match(?:ing record)? for",
    r"\bnot found\b",
    r"no entries found",
    r"no data found",
    r"no object found",
    r"object does not exist",
    r"domain (?:name )?(?:is )?not (?:found|known|registered)",
    r"^\s*status:\s*(?:free|available|not registered)\b",
    r"is available for registration",
    r"nothing found",
    r"no information (?:available|was found)",
    r"does not exist in (?:the )?database",
    r"no such domain",
)

_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
# Tried in order with re.match at the start of the value; day-first for slashes and dashes
# (the registries that use them are European).
DATE_PATTERNS = (
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)",  # 2001-09-11, 2001-09-11T04:00:00Z
    r"(?P<y>\d{4})-(?P<mon>[a-z]{3})-(?P<d>\d{1,2})(?!\d)",  # 2001-Sep-11 (TRABIS)
    r"(?P<d>\d{1,2})-(?P<mon>[a-z]{3})[a-z]*-(?P<y>\d{4})",  # 11-Sep-2001
    r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})",  # 11.09.2001
    r"(?P<y>\d{4})\.(?P<m>\d{1,2})\.(?P<d>\d{1,2})(?!\d)",  # 2001.09.11
    r"(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?!\d)",  # 2001/09/11
    r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})",  # 11/09/2001
    r"(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})",  # 11-09-2001
    r"(?P<d>\d{1,2})\s+(?P<mon>[a-z]{3})[a-z]*\.?,?\s+(?P<y>\d{4})",  # 11 Sep 2001
    r"(?P<mon>[a-z]{3})[a-z]*\.?\s+(?P<d>\d{1,2}),?\s+(?:\d{1,2}:\d{2}(?::\d{2})?\s+)?(?:[a-z]{2,5}\s+)?(?P<y>\d{4})",
    r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?!\d)",  # 20010911
)

QUOTA_NOTE = "quota exceeded"
NOT_FOUND_NOTE = "not found in the registry"

# ---------------------------------------------------------------------------- compiled forms


class _Patterns:
    """The parser's regular expressions, each compiled the first time a WHOIS answer needs it: compiled at
    import they cost about 7 ms of CPU at every start of a command that imports this module (`prep`,
    `scan`), whether a WHOIS answer comes or not."""

    @functools.cached_property
    def dates(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in DATE_PATTERNS)

    @functools.cached_property
    def quota(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in QUOTA_PATTERNS)

    @functools.cached_property
    def refused(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in REFUSED_PATTERNS)

    @functools.cached_property
    def not_found(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in NOT_FOUND_PATTERNS)

    @functools.cached_property
    def weekday(self) -> re.Pattern[str]:
        return re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)

    @functools.cached_property
    def kv(self) -> re.Pattern[str]:
        return re.compile(r"^\s*(?:\*+\s*)?(?P<key>[^:\s][^:]{0,60}?)[\s.]*:(?:\s+(?P<value>.*)|(?P<empty>\s*))$")

    @functools.cached_property
    def bracket_header(self) -> re.Pattern[str]:
        return re.compile(r"^\s*\[\s*(?P<key>[^\]]{1,60}?)\s*\]\s*$")

    @functools.cached_property
    def bare_header(self) -> re.Pattern[str]:
        return re.compile(r"^(?:\*+\s*)?(?P<key>[A-Za-z][A-Za-z /-]{1,40})$")

    @functools.cached_property
    def host(self) -> re.Pattern[str]:
        return re.compile(r"^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")

    @functools.cached_property
    def registrar_tail(self) -> re.Pattern[str]:
        return re.compile(r"\s*(?:\[[^\]]*\]|\(\s*(?:https?://|www\.)[^)]*\))\s*$", re.IGNORECASE)


_RX = _Patterns()


def _norm_key(key: str) -> str:
    key = key.strip().lstrip("*").strip().rstrip(".").strip()
    return re.sub(r"\s+", " ", key).lower()


# ---------------------------------------------------------------------------- server table


@functools.lru_cache(maxsize=1)
def _bundled_servers() -> dict[str, str]:
    raw = resources.files("hunter_cli.data").joinpath("whois_servers.json").read_text("utf-8")
    data = json.loads(raw)
    return {str(k).lower(): str(v) for k, v in data.items() if isinstance(v, str) and v}


def whois_server(tld: str, servers: dict | None = None) -> str | None:
    """The port-43 server for ``tld`` ("tr"; a domain such as "x.com.tr" also works)."""
    table = _bundled_servers() if servers is None else servers
    key = tld.strip().rstrip(".").lower().rsplit(".", 1)[-1]
    host = table.get(key)
    return host if isinstance(host, str) and host else None


def whois_query(domain: str, server: str) -> str:
    """The query line (without CRLF) that ``server`` wants for ``domain``."""
    template = QUERY_TEMPLATES.get(server.lower(), "{domain}")
    return template.format(domain=domain)


# ---------------------------------------------------------------------------- client


def decode_whois(raw: bytes) -> str:
    """UTF-8, else Windows-1254 (Turkish registries), else Latin-1 (never fails)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for encoding in ("utf-8", "cp1254"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


async def query_whois(
    domain: str,
    server: str,
    port: int = WHOIS_PORT,
    timeout: float = 10,
    *,
    query: str | None = None,
    address: tuple[str, int] | None = None,
) -> str:
    """Send one query to ``server:port`` and return the answer text.

    Sends ``query`` (default: the domain) followed by CRLF and reads to EOF, at most
    :data:`MAX_WHOIS_BYTES`. The whole exchange is bounded by ``timeout`` seconds. ``address``: the
    ``(ip, port)`` to connect to, when the caller resolved ``server`` already.
    Raises :class:`RegistrationFailure` (``timeout`` or ``unreachable``).
    """
    line = (query if query is not None else domain).strip() + "\r\n"

    async def exchange() -> bytes:
        reader, writer = await asyncio.open_connection(*(address or (server, port)))
        chunks: list[bytes] = []
        total = 0
        try:
            writer.write(line.encode("utf-8"))
            await writer.drain()
            while total < MAX_WHOIS_BYTES:
                try:
                    chunk = await reader.read(min(65536, MAX_WHOIS_BYTES - total))
                except (ConnectionResetError, BrokenPipeError):
                    if chunks:  # some servers reset instead of closing after the answer
                        break
                    raise
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
        finally:
            writer.close()
            with suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1)
        return b"".join(chunks)

    where = f"{server}:{port}"
    try:
        raw = await asyncio.wait_for(exchange(), timeout)
    except (asyncio.TimeoutError, TimeoutError):
        raise RegistrationFailure("timeout", f"WHOIS server {where} did not answer within {timeout:g} s") from None
    except socket.gaierror as exc:
        raise RegistrationFailure(
            "unreachable", f"cannot resolve WHOIS server {server}: {exc.strerror or exc}"
        ) from None
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise RegistrationFailure("unreachable", f"WHOIS server {where}: {reason}") from None
    return decode_whois(raw)


# ---------------------------------------------------------------------------- parser


def whois_date(value: str) -> str | None:
    """ISO date from a WHOIS date value in any format of :data:`DATE_PATTERNS`, else None."""
    text = _RX.weekday.sub("", value.strip())
    for rx in _RX.dates:
        m = rx.match(text)
        if not m:
            continue
        parts = m.groupdict()
        try:
            year = int(parts["y"])
            day = int(parts["d"])
            if parts.get("mon"):
                month = _MONTHS.get(parts["mon"][:3].lower())
                if month is None:
                    continue
            else:
                month = int(parts["m"])
                if month > 12 and day <= 12:  # month-first after all
                    month, day = day, month
            return date(year, month, day).isoformat()
        except (ValueError, TypeError):
            continue
    return None


def _host(value: str) -> str | None:
    token = value.strip().split()[0] if value.strip() else ""
    token = token.strip(",;").rstrip(".").lower()
    if not token or not _RX.host.match(token):
        return None
    with suppress(ValueError):
        ipaddress.ip_address(token)
        return None
    return token


def _clean_registrar(value: str) -> str | None:
    v = _RX.registrar_tail.sub("", value.strip()).strip()
    if v.lower().rstrip(".") in EMPTY_VALUES or v.lower() in EMPTY_VALUES:
        return None
    return v


class _Parsed:
    def __init__(self) -> None:
        self.pairs: list[tuple[str, str]] = []  # every "key: value" line, in order
        self.sections: list[tuple[str, list[str]]] = []  # header key -> raw body lines


def _scan(text: str) -> _Parsed:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out = _Parsed()
    current: list[str] | None = None
    for i, raw in enumerate(lines):
        line = raw.rstrip()
        if not line.strip():
            current = None
            continue
        if line.lstrip().startswith(("%", "#", ">>>")):
            continue
        header: str | None = None
        kv = _RX.kv.match(line)
        if kv:
            key = _norm_key(kv.group("key"))
            value = (kv.group("value") or "").strip()
            if value:
                out.pairs.append((key, value))
                if current is not None:
                    current.append(line)
                continue
            header = key
        else:
            br = _RX.bracket_header.match(line)
            bare = _RX.bare_header.match(line) if not line[:1].isspace() else None
            if br:
                header = _norm_key(br.group("key"))
            elif bare:
                nxt = lines[i + 1] if i + 1 < len(lines) else ""
                key = _norm_key(bare.group("key"))
                if key in BARE_SECTION_NAMES or (nxt[:1].isspace() and nxt.strip()):
                    header = key
        if header is not None:
            current = []
            out.sections.append((header, current))
        elif current is not None:
            current.append(line)
    return out


def _section_value(body: list[str], keys: tuple[str, ...]) -> str | None:
    pairs = []
    bare = []
    for line in body:
        kv = _RX.kv.match(line)
        if kv and (kv.group("value") or "").strip():
            pairs.append((_norm_key(kv.group("key")), kv.group("value").strip()))
        elif line.strip():
            bare.append(line.strip())
    for key in keys:
        for k, v in pairs:
            if k == key:
                return v
    return bare[0] if bare else None


def _first_line(body: list[str]) -> str | None:
    for line in body:
        if line.strip():
            return line.strip()
    return None


def _matching_line(text: str, patterns) -> str | None:
    for line in text.splitlines():
        if any(rx.search(line) for rx in patterns):
            return line.strip()
    return None


def parse_whois(text: str, tld: str) -> Registration:
    """A :class:`Registration` (source "whois") from a port-43 answer; pure, never raises."""
    try:
        return _parse_whois(text if isinstance(text, str) else "", tld or "")
    except Exception as exc:  # odd input must never break a scan
        return Registration(
            status="unavailable", source="whois", note=f"unparsable WHOIS answer ({exc.__class__.__name__})"
        )


def _parse_whois(text: str, tld: str) -> Registration:
    tld = tld.strip().rstrip(".").lower().rsplit(".", 1)[-1]
    keys = {field: list(names) for field, names in FIELD_KEYS.items()}
    for field, extra in TLD_FIELD_KEYS.get(tld, {}).items():
        keys[field].extend(extra)
    scanned = _scan(text)

    values: dict[str, list[str]] = {field: [] for field in keys}
    for field, names in keys.items():
        for name in names:  # priority order of keys, then order of lines
            values[field].extend(v for k, v in scanned.pairs if k == name)

    nameservers: list[str] = []

    def add_ns(value: str) -> None:
        host = _host(value)
        if host and host not in nameservers:
            nameservers.append(host)

    for value in values["nameservers"]:
        add_ns(value)

    registrar_candidates: list[str] = []
    date_candidates: dict[str, list[str]] = {"created": [], "expires": []}
    for header, body in scanned.sections:
        if header in keys["nameservers"]:
            for line in body:
                kv = _RX.kv.match(line)
                if kv and (kv.group("value") or "").strip():
                    if _norm_key(kv.group("key")) in NAMESERVER_SECTION_KEYS:
                        add_ns(kv.group("value"))
                else:
                    add_ns(line)
        elif header in keys["registrar"]:
            v = _section_value(body, REGISTRAR_SECTION_KEYS)
            if v:
                registrar_candidates.append(v)
        elif header in keys["created"] or header in keys["expires"]:
            v = _first_line(body)
            if v:
                date_candidates["created" if header in keys["created"] else "expires"].append(v)

    registrar = None
    for v in values["registrar"] + registrar_candidates:
        registrar = _clean_registrar(v)
        if registrar:
            break

    def first_date(field: str) -> str | None:
        for v in values[field] + date_candidates[field]:
            d = whois_date(v)
            if d:
                return d
        return None

    reg = Registration(
        source="whois",
        registrar=registrar,
        created=first_date("created"),
        expires=first_date("expires"),
        nameservers=nameservers,
    )
    if reg.registrar or reg.created or reg.expires or reg.nameservers:
        return reg

    if not text.strip():
        return Registration(status="unavailable", source="whois", note="empty WHOIS answer")
    quota = _matching_line(text, _RX.quota)
    if quota:
        return Registration(status="unavailable", source="whois", note=f"{QUOTA_NOTE}: {quota[:160]}")
    refused = _matching_line(text, _RX.refused)
    if refused:
        return Registration(
            status="unavailable",
            source="whois",
            note=f"the WHOIS server does not answer queries from this client: {refused[:160]}",
        )
    if _matching_line(text, _RX.not_found):
        return Registration(status="unavailable", source="whois", note=NOT_FOUND_NOTE)
    return Registration(status="unavailable", source="whois", note="no registration data in the WHOIS answer")


__all__ = [
    "MAX_WHOIS_BYTES",
    "QUOTA_NOTE",
    "decode_whois",
    "parse_whois",
    "query_whois",
    "whois_date",
    "whois_query",
    "whois_server",
]
