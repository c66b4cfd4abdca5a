"""RDAP: the IANA bootstrap registry (RFC 9224) and the domain object (RFC 9083).

The bootstrap file is bundled as ``hunter_cli/data/rdap_dns.json`` (a verbatim copy of
https://data.iana.org/rdap/dns.json) and is never fetched during a scan. An explicit
``hunter data update`` calls :func:`refresh_bootstrap`, which stores a fresh copy in the
user data directory; :func:`load_bootstrap` prefers that copy when it exists and is valid.
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from hunter_cli.models import Registration

BOOTSTRAP_URL = "https://data.iana.org/rdap/dns.json"
BOOTSTRAP_FILENAME = "rdap_dns.json"
_DATA_PACKAGE = "hunter_cli.data"


class BootstrapError(ValueError):
    """The bootstrap file is missing, not JSON, or not in the RFC 9224 shape."""


# --------------------------------------------------------------------------- bootstrap


@dataclass(frozen=True)
class Bootstrap:
    """The DNS bootstrap registry: TLD label sequences -> RDAP base URLs."""

    services: dict[str, tuple[str, ...]]  # "com" / "co.uk" (lower case, no dots at ends) -> URLs
    publication: str | None = None
    description: str | None = None
    version: str | None = None
    source: str = "bundled"  # "bundled" or the path of the file read
    _max_labels: int = field(default=1, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any, source: str = "bundled") -> Bootstrap:
        """Validate an RFC 9224 document (already decoded) and index it."""
        if not isinstance(data, dict):
            raise BootstrapError("the bootstrap file is not a JSON object")
        raw_services = data.get("services")
        if not isinstance(raw_services, list) or not raw_services:
            raise BootstrapError('the bootstrap file has no "services" list')
        services: dict[str, tuple[str, ...]] = {}
        for i, entry in enumerate(raw_services):
            if (
                not isinstance(entry, list)
                or len(entry) < 2
                or not isinstance(entry[0], list)
                or not isinstance(entry[1], list)
                or not all(isinstance(x, str) for x in entry[0])
                or not all(isinstance(x, str) for x in entry[1])
            ):
                raise BootstrapError(f"service entry {i} is not [[labels...], [urls...]]")
            urls = tuple(u for u in entry[1] if u.lower().startswith(("https://", "http://")))
            if not urls:
                continue
            for key in entry[0]:
                k = key.strip().strip(".").lower()
                if k and k not in services:  # RFC 9224 forbids duplicates; keep the first
                    services[k] = urls
        if not services:
            raise BootstrapError("the bootstrap file names no RDAP service")
        max_labels = max(k.count(".") + 1 for k in services)

        def _str(name: str) -> str | None:
            v = data.get(name)
            return v if isinstance(v, str) else None

        return cls(
            services=services,
            publication=_str("publication"),
            description=_str("description"),
            version=_str("version"),
            source=source,
            _max_labels=max_labels,
        )

    @classmethod
    def from_bytes(cls, raw: bytes, source: str = "bundled") -> Bootstrap:
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise BootstrapError(f"the bootstrap file is not valid JSON ({exc})") from None
        return cls.from_json(data, source)

    def __contains__(self, tld: str) -> bool:
        return tld.strip(".").lower() in self.services

    def urls(self, domain: str) -> tuple[str, ...]:
        """All base URLs for ``domain`` by the longest label-wise match (RFC 9224 section 4)."""
        name = domain.strip().rstrip(".").lower()
        if not name:
            return ()
        labels = name.split(".")
        start = max(0, len(labels) - self._max_labels)
        for i in range(start, len(labels)):  # longest suffix first
            urls = self.services.get(".".join(labels[i:]))
            if urls:
                return urls
        return ()

    def base_url(self, domain: str) -> str | None:
        """The RDAP base URL for ``domain`` (https preferred, always ending in "/"), or None."""
        urls = self.urls(domain)
        if not urls:
            return None
        https = [u for u in urls if u.lower().startswith("https://")]
        url = (https or list(urls))[0]
        return url if url.endswith("/") else url + "/"


def user_bootstrap_path() -> Path:
    """Where ``hunter data update`` keeps the refreshed bootstrap file."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("hunter", appauthor=False)) / BOOTSTRAP_FILENAME


def _bundled() -> Bootstrap:
    raw = resources.files(_DATA_PACKAGE).joinpath(BOOTSTRAP_FILENAME).read_bytes()
    return Bootstrap.from_bytes(raw, source="bundled")


@functools.lru_cache(maxsize=8)
def load_bootstrap(path: str | None = None) -> Bootstrap:
    """The bootstrap registry, read once per process.

    ``path`` given: that file, and errors are raised as :class:`BootstrapError`.
    Otherwise the user's refreshed copy (:func:`user_bootstrap_path`) when it exists and
    is valid, else the copy bundled with the package. A damaged user copy never stops a
    scan: it is skipped in favour of the bundled one.
    """
    if path is not None:
        p = Path(path)
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise BootstrapError(f"cannot read {p}: {exc.strerror or exc}") from None
        return Bootstrap.from_bytes(raw, source=str(p))
    user = user_bootstrap_path()
    try:
        if user.is_file():
            return Bootstrap.from_bytes(user.read_bytes(), source=str(user))
    except (OSError, BootstrapError):
        pass
    return _bundled()


async def refresh_bootstrap(client, url: str = BOOTSTRAP_URL, dest: str | os.PathLike | None = None) -> Path:
    """Download the IANA DNS bootstrap file, validate it and store it atomically.

    ``client`` is an ``httpx.AsyncClient``. The file is written byte for byte as served
    to ``dest`` (default :func:`user_bootstrap_path`) through a temporary file and
    ``os.replace``, so a reader never sees half a file. Raises :class:`BootstrapError`
    when the download fails or the content is not a usable bootstrap registry (the
    existing copy is then left untouched). Clears :func:`load_bootstrap`'s cache.
    """
    import httpx

    try:
        resp = await client.get(url, headers={"Accept": "application/json"}, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise BootstrapError(f"cannot download {url}: {exc.__class__.__name__}: {exc}") from exc
    if resp.status_code != 200:
        raise BootstrapError(f"cannot download {url}: HTTP {resp.status_code}")
    raw = resp.content
    boot = Bootstrap.from_bytes(raw, source=url)
    if "com" not in boot:
        raise BootstrapError(f"{url} does not look like the DNS bootstrap file (no .com service)")
    from ..datafiles import atomic_write

    target = atomic_write(Path(dest) if dest is not None else user_bootstrap_path(), raw)
    load_bootstrap.cache_clear()
    return target


# --------------------------------------------------------------------------- domain object

_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


def rdap_date(value: Any) -> str | None:
    """``YYYY-MM-DD`` from an RFC 3339 eventDate, as the registry wrote the calendar date."""
    if not isinstance(value, str):
        return None
    m = _ISO_DATE.match(value)
    if not m:
        return None
    try:
        return datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=timezone.utc).date().isoformat()
    except ValueError:
        return None


def _vcard_prop(entity: dict, name: str) -> str | None:
    vcard = entity.get("vcardArray")
    if not (isinstance(vcard, list) and len(vcard) >= 2 and isinstance(vcard[1], list)):
        return None
    for prop in vcard[1]:
        if isinstance(prop, list) and len(prop) >= 4 and isinstance(prop[0], str) and prop[0].lower() == name:
            value = prop[3]
            if isinstance(value, list):  # structured values (org can be a list)
                value = " ".join(str(v) for v in value if isinstance(v, str) and v.strip())
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def _roles(entity: dict) -> list[str]:
    roles = entity.get("roles")
    if not isinstance(roles, list):
        return []
    return [r.lower() for r in roles if isinstance(r, str)]


def _entities(obj: dict) -> list[dict]:
    ents = obj.get("entities")
    return [e for e in ents if isinstance(e, dict)] if isinstance(ents, list) else []


def _registrar_name(entity: dict) -> str | None:
    name = _vcard_prop(entity, "fn") or _vcard_prop(entity, "org")
    if name:
        return name
    handle = entity.get("handle")
    if isinstance(handle, str) and handle.strip():
        return handle.strip()
    ids = entity.get("publicIds")
    if isinstance(ids, list):
        for pid in ids:
            if isinstance(pid, dict) and isinstance(pid.get("identifier"), str) and pid["identifier"].strip():
                kind = pid.get("type") if isinstance(pid.get("type"), str) else ""
                return f"{kind} {pid['identifier'].strip()}".strip()
    return None


def _find_registrar(obj: dict) -> str | None:
    # Top-level entities first; registries sometimes nest the registrar one level down.
    level = _entities(obj)
    for _depth in range(3):
        for ent in level:
            if "registrar" in _roles(ent):
                name = _registrar_name(ent)
                if name:
                    return name
        level = [child for ent in level for child in _entities(ent)]
    return None


def _nameservers(obj: dict) -> list[str]:
    out: list[str] = []
    items = obj.get("nameservers")
    if not isinstance(items, list):
        return out
    for ns in items:
        if not isinstance(ns, dict):
            continue
        name = ns.get("ldhName")
        if not (isinstance(name, str) and name.strip()):
            name = ns.get("unicodeName")
        if isinstance(name, str) and name.strip():
            host = name.strip().rstrip(".").lower()
            if host and host not in out:
                out.append(host)
    return out


def _event_dates(obj: dict) -> dict[str, str]:
    found: dict[str, str] = {}
    events = obj.get("events")
    if not isinstance(events, list):
        return found
    for ev in events:
        if not isinstance(ev, dict):
            continue
        action = ev.get("eventAction")
        if not isinstance(action, str):
            continue
        action = action.strip().lower()
        if action in ("registration", "expiration") and action not in found:
            date = rdap_date(ev.get("eventDate"))
            if date:
                found[action] = date
    return found


def _error_text(obj: dict) -> str:
    parts = []
    if isinstance(obj.get("title"), str):
        parts.append(obj["title"].strip())
    desc = obj.get("description")
    if isinstance(desc, list):
        parts.extend(d.strip() for d in desc if isinstance(d, str) and d.strip())
    from ..redact import summary

    return summary("; ".join(p for p in parts if p), 200)


def parse_rdap(data: Any) -> Registration:
    """A :class:`Registration` from an RFC 9083 domain object; never raises."""
    try:
        if not isinstance(data, dict):
            return Registration(status="unavailable", source="rdap", note="the RDAP answer was not a domain object")
        if "errorCode" in data and "ldhName" not in data and "events" not in data:
            text = _error_text(data)
            note = f"the registry answered with an RDAP error {data.get('errorCode')}"
            return Registration(status="unavailable", source="rdap", note=f"{note}: {text}" if text else note)
        dates = _event_dates(data)
        reg = Registration(
            source="rdap",
            registrar=_find_registrar(data),
            created=dates.get("registration"),
            expires=dates.get("expiration"),
            nameservers=_nameservers(data),
        )
        if not (reg.registrar or reg.created or reg.expires or reg.nameservers):
            return Registration(
                status="unavailable", source="rdap", note="the RDAP answer had no registrar, dates or nameservers"
            )
        return reg
    except Exception as exc:  # odd input must never break a scan
        return Registration(
            status="unavailable", source="rdap", note=f"unparsable RDAP answer ({exc.__class__.__name__})"
        )


__all__ = [
    "BOOTSTRAP_URL",
    "Bootstrap",
    "BootstrapError",
    "load_bootstrap",
    "parse_rdap",
    "rdap_date",
    "refresh_bootstrap",
    "user_bootstrap_path",
]
