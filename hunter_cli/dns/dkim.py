"""DKIM key records (RFC 6376) and the selectors worth asking for.

Nobody can list a domain's selectors, so the scan probes common ones. It first
asks for ``_domainkey.<domain>``: NXDOMAIN there proves no selector exists below
it (RFC 8020), which saves the whole probe for most domains without DKIM.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..models import DkimSelector, Finding

if TYPE_CHECKING:
    from ..catalog import Catalog

E_CNAME_LOOP = "dkim-cname-loop"
E_BAD_VERSION = "dkim-bad-version"
E_UNKNOWN_KEY_TYPE = "dkim-unknown-key-type"
# A key record verifiers cannot use (the selector's ``problem``): errors, mail signed with it fails DKIM.
E_BAD_BASE64 = "dkim-bad-base64"  # p= is not base64 (RFC 6376 2.8, 3.6.1)
E_BAD_RSA_KEY = "dkim-bad-rsa-key"  # p= is no DER RSA public key (RFC 6376 3.6.1 k=rsa, errata 3017)
E_BAD_ED25519_KEY = "dkim-bad-ed25519-key"  # p= is not 32 bytes (RFC 8463 4.2)
E_RSA_UNDER_1024 = "dkim-rsa-under-1024"  # RFC 8301 3.2: verifiers MUST NOT accept such signatures
E_SHA1_ONLY = "dkim-sha1-only"  # h=sha1: RFC 8301 3.1, verifiers MUST NOT accept rsa-sha1
E_UNKNOWN_HASH = "dkim-unknown-hash"  # h= names no hash verifiers know (RFC 6376 3.6.1, 6.1.2)
E_OTHER_SERVICE = "dkim-other-service"  # s= names neither email nor * (RFC 6376 3.6.1): mail verifiers ignore it
# The selector is a CNAME to a name with no key record (RFC 6376 6.1.2: no key, PERMFAIL): in their own domain,
# or in another registered domain, whose holder (or whoever registers it) could publish a key there.
E_CNAME_DANGLING = "dkim-cname-dangling"
E_CNAME_DANGLING_FOREIGN = "dkim-cname-dangling-foreign"
# Several key records at one selector, one of them withdrawn or unusable: RFC 6376 3.6.2.2 leaves the result
# undefined, so a verifier may pick that one and fail the signature.
E_MULTIPLE_RECORDS_UNUSABLE = "dkim-multiple-records-unusable"
# A usable key worth fixing: warnings.
W_RSA_UNDER_2048 = "dkim-rsa-under-2048"  # RFC 8301 3.2: signers SHOULD use at least 2048 bits
W_TESTING = "dkim-testing"  # t=y (RFC 6376 3.6.1): verifiers treat its mail as unsigned
W_BARE_RSA_KEY = "dkim-rsa-bare-key"  # an RSAPublicKey without SubjectPublicKeyInfo: OpenDKIM cannot read it
W_VERSION_NOT_FIRST = "dkim-version-not-first"  # v= MUST be the first tag (RFC 6376 3.6.1)
W_MULTIPLE_RECORDS = "dkim-multiple-records"  # RFC 6376 3.6.2.2: TXT RRs MUST be unique for a selector
W_ED25519_ONLY = "dkim-ed25519-only"  # only Ed25519 keys (RFC 8463): many receivers verify none of them
KEY_TYPES = frozenset({"rsa", "ed25519"})  # RFC 6376 3.6.1 (k=, default rsa), RFC 8463 (ed25519)

# Microsoft 365's selectors, a CNAME into the tenant: asked for that CNAME beside a usable key too when
# Microsoft is hinted, so the tenant's name is seen even though no key stands behind it.
CNAME_SELECTORS = frozenset({"selector1", "selector2"})

DEFAULT_SELECTORS: tuple[str, ...] = (
    "selector1",  # Microsoft 365
    "selector2",  # Microsoft 365
    "google",  # Google Workspace
    "default",  # cPanel, Plesk and most hosting panels
    "k1",  # Mailchimp / Mandrill
    "s1",
    "s2",
    "zmail",  # Zoho
    "dkim",
    "mail",
)


def selectors_shown(txts: list[str], mx_hosts: Sequence[str] = (), catalog: Catalog | None = None) -> tuple[str, ...]:
    """Selectors a service the domain shows has its customers publish (``zendesk1`` beside an
    ``include:mail.zendesk.com``), from the apex TXT strings alone: the services catalog's tokens and the
    include and redirect targets written in the SPF record (RFC 7208 5.2, 6.1), not the ones below them,
    so the DKIM probe can ask them in its one wave. Each service's selectors are ``dkim_selectors`` in
    hunter_cli/catalog/services.json. Then the selectors the mailbox provider hands out (Proton's
    ``protonmail``..``protonmail3``, IONOS's ``s1-ionos``, ``s2-ionos``: ``dkim_selectors`` in
    hunter_cli/catalog/providers.json, ``catalog``, else the bundled or configured one) when one of
    ``mx_hosts`` (the MX exchanges, by name) or one of those SPF targets names the provider. A domain that
    shows none gets only the default list.
    """
    from ..footprint.services import dkim_selectors_shown
    from . import spf as spf_mod

    targets: list[str] = []
    for record in spf_mod.spf_records(txts):
        parsed = spf_mod.parse(record)
        terms = [t for t in parsed.mechanisms if t.name == "include"]
        terms += [parsed.redirect] if parsed.redirect is not None else []
        targets += [s for t in terms if (s := spf_mod.spec_text(t.domain)) and "%" not in s]
    out: dict[str, None] = {}
    if targets or txts:
        out.update((s, None) for s in dkim_selectors_shown(txts, targets))
    if mx_hosts or targets:
        from ..catalog import load_catalog

        out.update((s, None) for s in (catalog or load_catalog()).provider_selectors(mx_hosts, targets))
    return tuple(out)


def parse_selectors(text: str) -> tuple[str, ...]:
    """``"selector1, google"`` -> ``("selector1", "google")``; rejects names that cannot be DNS labels."""
    out: list[str] = []
    for part in text.replace(";", ",").split(","):
        s = part.strip().lower()
        if not s:
            continue
        if len(s) > 63 or not all(c.isalnum() or c in "-_." for c in s):
            from ..said import Said

            raise ValueError(Said("cli.dkim.selector", value=repr(part.strip())))
        if s not in out:
            out.append(s)
    if not out:
        from ..said import Said

        raise ValueError(Said("cli.dkim.no_selector"))
    return tuple(out)


def is_key_record(txt: str) -> bool:
    """A DKIM key record: has a ``p=`` tag (``v=DKIM1`` and ``k=`` are optional)."""
    return any(part.strip().lower().startswith("p=") for part in txt.split(";"))


def _tags(txt: str) -> list[tuple[str, str]]:
    out = []
    for part in txt.split(";"):
        k, sep, v = part.partition("=")
        if sep:
            out.append((k.strip().lower(), v.strip()))
    return out


_FWS = re.compile(r"[ \t\r\n]+")  # folding whitespace (RFC 6376 2.8, RFC 5322 3.2.2); no other spaces
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_RSA_OID = bytes.fromhex("2a864886f70d010101")  # rsaEncryption, 1.2.840.113549.1.1.1 (RFC 3279 2.3.1)


def decode_base64(value: str) -> bytes | None:
    """The bytes of a DKIM ``base64string`` (RFC 6376 2.8), or None when it is not one.

    Folding whitespace (space, tab, CR, LF) may stand anywhere between the characters and is removed;
    any other character outside the base64 alphabet, padding other than one or two ``=`` at the end,
    or a length no base64 text can have (one character past a group of four) makes it not base64.
    The grammar makes padding optional, so a text that only lacks its ``=`` is read as padded.
    """
    text = _FWS.sub("", value)
    if not _BASE64.fullmatch(text):
        return None
    body = text.rstrip("=")
    pad = len(text) - len(body)
    if len(body) % 4 == 1 or (pad and (len(body) + pad) % 4):
        return None
    try:
        return base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
    except binascii.Error:
        return None


def _der(data: bytes, pos: int, tag: int) -> tuple[int, int]:
    """The (start, end) of the content of the DER element with ``tag`` at ``pos`` (X.690 8.1, 10.1).

    Raises ValueError when another tag stands there or the length is not a definite DER length inside
    ``data``.
    """
    if pos + 2 > len(data) or data[pos] != tag:
        raise ValueError("unexpected tag")
    first = data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        n = first & 0x7F
        if n == 0 or n > 4 or pos + n > len(data) or data[pos] == 0:  # indefinite, huge or not minimal
            raise ValueError("bad length")
        length = int.from_bytes(data[pos : pos + n], "big")
        if length < 0x80:
            raise ValueError("bad length")
        pos += n
    if pos + length > len(data):
        raise ValueError("truncated")
    return pos, pos + length


def _positive_integer(data: bytes, pos: int) -> tuple[int, int]:
    """The value of the DER INTEGER at ``pos`` and the position after it; ValueError unless positive."""
    start, end = _der(data, pos, 0x02)
    content = data[start:end]
    if not content or content[0] & 0x80 or (len(content) > 1 and content[0] == 0 and not content[1] & 0x80):
        raise ValueError("not a positive DER integer")
    return int.from_bytes(content, "big"), end


def _rsa_public_key(data: bytes, pos: int, end: int) -> int:
    """The modulus length in bits of the RSAPublicKey filling ``data[pos:end]`` (RFC 8017 A.1.1)."""
    start, seq_end = _der(data, pos, 0x30)
    if seq_end != end:
        raise ValueError("trailing data")
    modulus, pos = _positive_integer(data, start)
    exponent, pos = _positive_integer(data, pos)
    if pos != seq_end or not 3 <= exponent < modulus:  # RFC 8017 3.1: 3 <= e <= n - 1
        raise ValueError("not an RSA public key")
    return modulus.bit_length()


def rsa_key_bits(der: bytes) -> tuple[int, bool] | None:
    """``(modulus bits, wrapped)`` of a DKIM RSA key, or None when ``der`` is no RSA public key.

    RFC 6376 3.6.1 (k=rsa) names a DER RSAPublicKey, "which MAY be contained in a SubjectPublicKeyInfo"
    (erratum 3017); ``wrapped`` is True for the SubjectPublicKeyInfo with the rsaEncryption algorithm
    (RFC 5280 4.1.2.7, RFC 3279 2.3.1) that every signer publishes, False for the bare RSAPublicKey.
    """
    try:
        if der[:1] != b"\x30":
            return None
        start, end = _der(der, 0, 0x30)
        if end != len(der):
            return None
        if der[start : start + 1] == b"\x02":  # a bare RSAPublicKey: the modulus comes first
            return _rsa_public_key(der, 0, len(der)), False
        alg_start, alg_end = _der(der, start, 0x30)
        oid_start, oid_end = _der(der, alg_start, 0x06)
        if der[oid_start:oid_end] != _RSA_OID or der[oid_end:alg_end] not in (b"", b"\x05\x00"):
            return None
        bits_start, bits_end = _der(der, alg_end, 0x03)
        if bits_end != end or bits_start == bits_end or der[bits_start] != 0:  # no unused bits
            return None
        return _rsa_public_key(der, bits_start + 1, bits_end), True
    except ValueError:
        return None


def serves_email(services: str | None) -> bool:
    """True when an ``s=`` tag's value (None: no tag) lets the key verify mail: a colon list that names
    ``email`` or ``*`` (RFC 6376 3.6.1, case-insensitive; the default is ``*``). ``s=tlsrpt`` (RFC 8460 3)
    or any other list without them restricts the key to other services."""
    if services is None or not _FWS.sub("", services):  # no tag, or an empty one: the default, "*"
        return True
    names = {_FWS.sub("", n).lower() for n in services.split(":")}
    return bool(names & {"email", "*"})


def key_problem(tags: dict[str, str]) -> tuple[str, str] | None:
    """``(code, why)`` when the key record's tags make it unusable, or None (RFC 6376 3.6.1, RFC 8301, RFC 8463).

    ``tags`` are the record's tags (names lower case, values stripped) with a non-empty ``p=``. In order:
    a ``k=`` verifiers do not know; an ``s=`` service list that names neither ``email`` nor ``*`` ("Verifiers
    for a given service type MUST ignore this record if the appropriate type is not listed"); an ``h=`` that
    lists no hash verifiers accept (only ``sha1``, which RFC 8301 3.1 forbids, or none they know: RFC 6376
    6.1.2 ignores the key then); a ``p=`` that is not base64;
    an RSA key that is not a DER RSA public key or has fewer than 1024 bits (RFC 8301 3.2); an Ed25519 key
    that is not 32 bytes (RFC 8463 4.2).
    """
    key_type = tags.get("k", "rsa").lower() or "rsa"
    if key_type not in KEY_TYPES:
        return E_UNKNOWN_KEY_TYPE, f"k={key_type} is not a key type verifiers know (rsa, ed25519)"
    if not serves_email(tags.get("s")):
        return (
            E_OTHER_SERVICE,
            f"s={tags['s']} restricts the key to another service than email, so mail verifiers ignore it"
            " (RFC 6376 3.6.1)",
        )
    if "h" in tags:
        hashes = {h.strip().lower() for h in tags["h"].split(":")}
        if "sha256" not in hashes:
            if "sha1" in hashes:
                return E_SHA1_ONLY, "h= allows only sha1, which verifiers no longer accept (RFC 8301 3.1)"
            return E_UNKNOWN_HASH, f"h={tags['h']} names no hash verifiers know (sha256)"
    der = decode_base64(tags.get("p", ""))
    if der is None:
        return E_BAD_BASE64, "p= is not valid base64"
    if key_type == "ed25519":
        if len(der) != 32:
            return E_BAD_ED25519_KEY, f"p= holds {len(der)} bytes, not the 32 of an Ed25519 key (RFC 8463 4.2)"
        return None
    parsed = rsa_key_bits(der)
    if parsed is None:
        return E_BAD_RSA_KEY, "p= is not an RSA public key (truncated or corrupt)"
    if parsed[0] < 1024:
        return E_RSA_UNDER_1024, f"the RSA key has {parsed[0]} bits; verifiers reject keys under 1024 (RFC 8301 3.2)"
    return None


def parse_key(selector: str, txts: list[str], cname: str | None) -> DkimSelector | None:
    """The selector's key from its TXT strings (RFC 6376 3.6.1), or None when none is a key record.

    A record that begins with ``v=`` other than ``DKIM1`` is discarded, as verifiers must; when no
    other record is a key, the selector is returned with ``problem`` saying why no key stands there.
    A ``k=`` type verifiers do not know (neither ``rsa`` nor ``ed25519``, RFC 8463) is kept with its
    ``problem``: signatures made with it fail (PERMFAIL, RFC 6376 6.1.2), as do those of a key
    :func:`key_problem` finds unusable (``problem_code`` says which). A usable key has no problem; its
    ``bits`` (RSA), ``spki`` and ``testing`` (``t=y``) feed :func:`key_warnings`. An empty ``p=`` is a
    revoked key (RFC 6376 3.6.1), no problem.

    Several key records at one name ("TXT RRs MUST be unique for a particular selector name", RFC 6376
    3.6.2.2: the result is undefined): the first usable one is returned, else the first; ``key_records``
    counts them and ``unusable_records`` those withdrawn or unusable, which a verifier may pick instead.
    """
    discarded: str | None = None
    keys: list[DkimSelector] = []
    for txt in txts:
        if not is_key_record(txt):
            continue
        pairs = _tags(txt)
        tags: dict[str, str] = {}
        for k, v in pairs:
            tags.setdefault(k, v)
        if pairs and pairs[0][0] == "v" and pairs[0][1] != "DKIM1":
            discarded = discarded or f"the record says v={pairs[0][1]}, not DKIM1, so verifiers discard it"
            continue
        version_late = "v" in tags and pairs[0][0] != "v"  # "MUST be the first tag" (RFC 6376 3.6.1)
        if version_late and tags["v"] != "DKIM1":  # "If specified, this tag MUST be set to DKIM1"
            discarded = discarded or f"the record says v={tags['v']}, not DKIM1, so verifiers discard it"
            continue
        keys.append(_one_key(selector, tags, cname, version_late))
    if keys:
        usable = [k for k in keys if not k.revoked and not k.problem]
        sel = usable[0] if usable else keys[0]
        if len(keys) > 1:
            sel.key_records = len(keys)
            sel.unusable_records = len(keys) - len(usable)
        return sel
    if discarded is not None:
        return DkimSelector(selector=selector, cname=cname, key_type=None, problem=discarded)
    return None


def _one_key(selector: str, tags: dict[str, str], cname: str | None, version_late: bool) -> DkimSelector:
    """One kept key record's selector (see :func:`parse_key`)."""
    key = _FWS.sub("", tags.get("p", ""))
    key_type = tags.get("k", "rsa").lower() or "rsa"
    sel = DkimSelector(selector=selector, cname=cname, key_type=key_type, revoked=not key)
    if not key:
        return sel
    der = decode_base64(key)
    parsed = rsa_key_bits(der) if key_type == "rsa" and der is not None else None
    if parsed is not None:
        sel.bits, sel.spki = parsed
    flags = {f.strip().lower() for f in tags.get("t", "").split(":")}
    sel.testing = "y" in flags  # RFC 6376 3.6.1 t=; unknown flags are ignored
    sel.version_not_first = version_late
    found = key_problem(tags)
    if found is not None:
        sel.problem_code, sel.problem = found
    return sel


def dangling_selector(selector: str, target: str, domain: str, exists: bool) -> DkimSelector:
    """A selector that is a CNAME to ``target``, where no key record stands (``exists``: the name exists
    but holds no key; False: NXDOMAIN). A verifier finds no key and the signature fails (PERMFAIL, RFC
    6376 6.1.2), so it is a ``problem``: ``dkim-cname-dangling`` when ``target`` is in the company's own
    registered domain, ``dkim-cname-dangling-foreign`` when it is in another one, whose holder (or, when
    nobody holds it, whoever registers it) could publish a key there and sign mail as them.

    Not for Microsoft 365's own CNAMEs into the tenant (``*.onmicrosoft.com``, ``*.dkim.mail.microsoft``,
    :func:`tenant_from_cname`): no key stands behind them until signing is turned on, the ``delegated``
    state of :func:`hunter_cli.facts.dkim_state`; those come back without a problem.
    """
    from ..domains import organizational_domain

    sel = DkimSelector(selector=selector, cname=target, key_type=None)
    if tenant_from_cname(target):
        return sel
    where = "holds no DKIM key" if exists else "does not exist"
    if organizational_domain(target) == organizational_domain(domain):
        sel.problem_code = E_CNAME_DANGLING
        sel.problem = f"it is an alias (CNAME) for {target}, which {where}, so no key can be fetched"
    else:
        sel.problem_code = E_CNAME_DANGLING_FOREIGN
        sel.problem = (
            f"it is an alias (CNAME) for {target}, which {where}, so no key can be fetched; that name is in"
            f" {organizational_domain(target)}, another domain, whose holder (or whoever registers it) could"
            " publish a key there and sign mail as them"
        )
    return sel


def key_findings(selectors: list[DkimSelector]) -> list[Finding]:
    """An error for each selector whose record cannot verify mail (its ``problem``, RFC 6376 3.6.1; a CNAME
    to no key, 6.1.2), and for each usable key beside which a withdrawn or unusable key record stands at
    the same name (RFC 6376 3.6.2.2: the result is undefined, a verifier may pick that one)."""
    out = []
    for s in selectors:
        if s.problem:
            code = s.problem_code or (E_BAD_VERSION if s.key_type is None else E_UNKNOWN_KEY_TYPE)
            rfc = "RFC 6376 6.1.2" if code in (E_CNAME_DANGLING, E_CNAME_DANGLING_FOREIGN) else "RFC 6376 3.6.1"
            out.append(
                Finding(
                    code=code,
                    message=f"selector {s.selector}: {s.problem}; mail signed with it fails DKIM ({rfc})",
                    where=[s.selector],
                )
            )
        elif s.unusable_records and not s.revoked:
            out.append(
                Finding(
                    code=E_MULTIPLE_RECORDS_UNUSABLE,
                    message=f"selector {s.selector}: {s.key_records} key records stand at the selector and"
                    f" {s.unusable_records} of them is withdrawn or unusable; the result is undefined (RFC 6376"
                    " 3.6.2.2), so a verifier may pick that one and fail the signature",
                    where=[s.selector],
                )
            )
    return out


def key_warnings(selectors: list[DkimSelector]) -> list[Finding]:
    """Warnings about usable keys (legal, but worth fixing), one per selector and reason.

    An RSA key of 1024 to 2047 bits (RFC 8301 3.2: signers SHOULD use 2048); ``t=y``, testing mode
    (RFC 6376 3.6.1: verifiers MUST NOT treat its signed mail differently from unsigned mail); a bare
    RSAPublicKey, which RFC 6376 3.6.1 allows but OpenDKIM (it reads SubjectPublicKeyInfo only) rejects;
    several key records at the selector, all usable (RFC 6376 3.6.2.2: TXT RRs MUST be unique for a
    selector); and, when every usable key is Ed25519 (RFC 8463), one warning per such selector: many
    receivers do not verify ed25519-sha256 signatures yet, so mail signed only so counts there as unsigned.
    """
    out = []
    usable = [s for s in selectors if not s.problem and not s.revoked and s.key_type and not s.testing]
    ed_only = bool(usable) and all(s.key_type == "ed25519" for s in usable)
    for s in selectors:
        if s.problem or s.revoked or not s.key_type:
            continue
        said: list[tuple[str, str]] = []
        if s.bits is not None and s.bits < 2048:
            said.append(
                (W_RSA_UNDER_2048, f"the RSA key has {s.bits} bits; signers should use at least 2048 (RFC 8301 3.2)")
            )
        if s.testing:
            said.append(
                (
                    W_TESTING,
                    "t=y marks the key as testing, so receivers treat mail signed with it as unsigned (RFC 6376 3.6.1)",
                )
            )
        if s.version_not_first:
            said.append(
                (
                    W_VERSION_NOT_FIRST,
                    "v=DKIM1 is not the first tag of the record, which RFC 6376 3.6.1 requires; strict verifiers"
                    " may discard it",
                )
            )
        if s.key_records and not s.unusable_records:
            said.append(
                (
                    W_MULTIPLE_RECORDS,
                    f"{s.key_records} key records stand at the selector, where RFC 6376 3.6.2.2 allows one;"
                    " which one a verifier uses is undefined",
                )
            )
        if ed_only and s in usable:
            said.append(
                (
                    W_ED25519_ONLY,
                    "the key is Ed25519 and no RSA key is published; many receivers do not verify Ed25519"
                    " signatures (RFC 8463), so sign with an RSA key too",
                )
            )
        if s.spki is False:
            said.append(
                (
                    W_BARE_RSA_KEY,
                    "the key is a bare RSAPublicKey, not the SubjectPublicKeyInfo signers publish; some verifiers"
                    " (OpenDKIM) cannot read it (RFC 6376 3.6.1, erratum 3017)",
                )
            )
        out += [Finding(code=c, message=f"selector {s.selector}: {why}", where=[s.selector]) for c, why in said]
    return out


def broken_key_name(selector: str, name: str, detail: str) -> Finding:
    """The error for a selector whose name no resolver can follow (a CNAME loop or an endless chain).

    It publishes no key: a verifier's key query fails at every try (RFC 6376
    6.1.2), so mail signed with this selector never verifies until the zone is
    fixed. A finding about the record, not a lookup to retry.
    """
    return Finding(
        code=E_CNAME_LOOP,
        message=f"selector {selector}: {name} cannot be followed ({detail or 'CNAME loop'}); no key can be"
        " fetched there, so mail signed with it never passes DKIM until the zone is fixed",
        where=[name],
    )


def tenant_from_cname(target: str | None) -> str | None:
    """The tenant's initial domain named by a Microsoft 365 DKIM CNAME target, or None.

    ``selector1-acme-com._domainkey.acme.onmicrosoft.com`` and
    ``selector1-acme-com._domainkey.acme.r-v1.dkim.mail.microsoft`` both name
    ``acme.onmicrosoft.com``; the national clouds' forms give their own suffix
    (``acme.partner.onmschina.cn``, ``acme.onmicrosoft.us``). The forms are data:
    ``tenant_dkim`` in the catalog (hunter_cli/catalog/providers.json).
    """
    from ..catalog import load_catalog

    return load_catalog().initial_domain(target)
