"""Which scoring rules set a lead's score: a short digest of the rules, stored with every scored view
(``rules`` in the ``--json`` shape) and, for the whole database, in ``sync_state`` (``scored_with``).

Kept apart from :mod:`hunter_cli.scoring` (pydantic models) so that reading commands can tell
whether the stored priorities are the current rules' without importing them.
"""

from __future__ import annotations

import importlib
import json
from importlib import resources
from pathlib import Path

STATE_KEY = "scored_with"  # sync_state: the digest of the rules every stored score was set with


FACTS_REVISION = 6
"""How Hunter reads a scan into the facts the rules test (``scoring.facts_from``, ``facts.py``); bumped
when one of them changes meaning, so that a database scored before says its scores are stale and
`hunter rescore` sets them again. 2: a DKIM key in testing mode (``t=y``) counts as no key (RFC 6376
3.6.1), where it earned the DKIM points. 3: a valid SPF record that does not list the servers of their
mail provider (``lead.posture.spf_omits_provider``) counts as no SPF, where it earned the SPF points.
4: an SPF ``include:`` after ``all``, or a ``redirect=`` beside one, is not in force (RFC 7208 5.1, 6.1:
``facts.spf_in_force``), so it no longer lists their provider's servers. 5: an SPF record open to any
server (``+all``, ``ip4:0.0.0.0/0``, ...) or ending neutral (``?all``, no ``all``) counts as no SPF
(``lead.posture.spf_shortfall``; RFC 7208 8.2), and a security gateway that mail can go around
(``mx-gateway-bypass``) earns no gateway points. 6: an SPF include under the registrable domain of the
MX host that names their provider (Natro's ``spf.kurumsaleposta.com`` beside ``mx.kurumsaleposta.com``) lists
the provider's servers (``lead.posture.provider_domains``), where it counted as no SPF."""


def digest_of(data: object) -> str:
    """16 hex digits of SHA-256 over the rules as canonical JSON (sorted keys, no spaces), with
    :data:`FACTS_REVISION`: the same rules give the same digest however the file is laid out, and
    another digest once Hunter reads scans into facts differently."""
    data = {"facts_revision": FACTS_REVISION, "rules": data}  # (revision 1 digested the rules alone)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _sha256(text.encode())[:16]


def _sha256(data: bytes) -> str:
    """hashlib.sha256(data).hexdigest() through the interpreter's own module where there is one:
    importing hashlib loads OpenSSL (about 3 ms), which every reading command paid for this digest."""
    for name in ("_sha2", "_sha256"):  # Python 3.12 and later; 3.11
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        return str(module.sha256(data).hexdigest())
    import hashlib  # a build without them

    return hashlib.sha256(data).hexdigest()


def rules_digest(path: str | Path | None = None) -> str | None:
    """The digest of the rules file at ``path`` (None: the bundled rules); None when it cannot be
    read or parsed (the command that scores says why)."""
    try:
        if path:
            text = Path(path).read_text("utf-8")
        else:
            # through the top package: importing hunter_cli.scoring would load its pydantic models
            text = resources.files("hunter_cli").joinpath("scoring").joinpath("rules.json").read_text("utf-8")
        return digest_of(json.loads(text))
    except (OSError, ValueError):
        return None
