"""DKIM key records verifiers cannot use are not counted as keys (RFC 6376 3.6.1, RFC 8301, RFC 8463)."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from hunter_cli.dns.dkim import decode_base64, key_warnings, parse_key, rsa_key_bits


def _rsa(bits: int, form: str = "spki") -> str:
    """The base64 of an RSA public key whose modulus has exactly ``bits`` bits (SubjectPublicKeyInfo or bare)."""
    n = (1 << (bits - 1)) | (0x5DEECE66D << 8) | 1
    key = rsa.RSAPublicNumbers(65537, n).public_key()
    fmt = serialization.PublicFormat.SubjectPublicKeyInfo if form == "spki" else serialization.PublicFormat.PKCS1
    return base64.b64encode(key.public_bytes(serialization.Encoding.DER, fmt)).decode()


def _ed25519(raw: bool = True) -> str:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    if raw:
        data = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    else:
        data = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(data).decode()


KEY = _rsa(2048)
ED = _ed25519()


@pytest.mark.parametrize(
    ("txt", "key_type", "problem"),
    [
        (f"v=DKIM1; k=rsa; p={KEY}", "rsa", None),
        (f"p={KEY}", "rsa", None),  # v= and k= are optional
        (f"v=DKIM1; k=ed25519; p={ED}", "ed25519", None),
        (f"v=DKIM1; k=RSA; p={KEY}", "rsa", None),
        (f"v=DKIM2; p={KEY}", None, "v=DKIM2"),
        (f"v=dkim1; p={KEY}", None, "v=dkim1"),  # the value is "DKIM1" exactly
        (f"v=DKIM1; k=foo; p={KEY}", "foo", "k=foo"),
    ],
)
def test_a_key_record_is_judged_as_verifiers_read_it(txt, key_type, problem):
    sel = parse_key("s", [txt], None)
    assert sel is not None and sel.key_type == key_type
    assert (sel.problem is None) if problem is None else (problem in (sel.problem or ""))


def test_a_discarded_record_leaves_room_for_a_good_one_at_the_same_name():
    sel = parse_key("s", [f"v=DKIM2; p={KEY}", f"v=DKIM1; p={KEY}"], None)
    assert sel is not None and (sel.key_type, sel.problem) == ("rsa", None)


def test_scanned_unusable_keys_are_errors_and_not_keys(hunter):
    got = hunter.scan_json("dkim-v2.com.tr", "dkim-kfoo.com.tr", "dkim-karma.com.tr", "dkim-ed.com.tr",
                           "--no-tenant", "--no-whois")  # fmt: skip
    from hunter_cli.facts import dkim_state

    def codes(d):
        return [e["code"] for e in got[d]["dkim"]["errors"]]

    assert (dkim_state(got["dkim-v2.com.tr"]["dkim"]), codes("dkim-v2.com.tr")) == ("none", ["dkim-bad-version"])
    assert (dkim_state(got["dkim-kfoo.com.tr"]["dkim"]), codes("dkim-kfoo.com.tr")) == (
        "none",
        ["dkim-unknown-key-type"],
    )
    assert (dkim_state(got["dkim-karma.com.tr"]["dkim"]), codes("dkim-karma.com.tr")) == ("key", ["dkim-bad-version"])
    assert (dkim_state(got["dkim-ed.com.tr"]["dkim"]), codes("dkim-ed.com.tr")) == ("key", [])
    brief = hunter("sales-summary", "dkim-v2.com.tr")
    assert "DKIM keys are published" not in brief.stdout


@pytest.mark.parametrize(
    ("txt", "code"),
    [
        (f"v=DKIM1; p={KEY}", None),
        (f"v=DKIM1; p={_rsa(4096)}", None),
        (f"v=DKIM1; p={_rsa(1024)}", None),  # legal, a warning (below)
        (f"v=DKIM1; p={_rsa(1023)}", "dkim-rsa-under-1024"),  # RFC 8301 3.2: under 1024 bits never verifies
        (f"v=DKIM1; k=rsa; p={_rsa(512)}", "dkim-rsa-under-1024"),
        (f"v=DKIM1; p={_rsa(768, 'bare')}", "dkim-rsa-under-1024"),
        (f"v=DKIM1; p={KEY[:200]}", "dkim-bad-rsa-key"),  # truncated at a whole base64 group: DER runs short
        (f"v=DKIM1; p={KEY[:-8]}", "dkim-bad-rsa-key"),
        (f"v=DKIM1; p={KEY[:201]}", "dkim-bad-base64"),  # one character past a group of four
        (f"v=DKIM1; p={KEY[:40]}*{KEY[41:]}", "dkim-bad-base64"),
        (f"v=DKIM1; p={KEY[:40]}\u00a0{KEY[40:]}", "dkim-bad-base64"),  # no-break space is not folding whitespace
        (f"v=DKIM1; p={KEY[:-4]}=={KEY[-4:]}", "dkim-bad-base64"),  # padding in the middle
        (f"v=DKIM1; p={KEY[:60]} \t {KEY[60:120]}\r\n {KEY[120:]}", None),  # folding whitespace: RFC 6376 2.8
        (f"v=DKIM1; p={KEY.rstrip('=')}", None),  # the base64string grammar makes padding optional
        (f"v=DKIM1; p={_ed25519()}", "dkim-bad-rsa-key"),  # an Ed25519 key under k=rsa (the default)
        (f"v=DKIM1; k=rsa; p={_ed25519(raw=False)}", "dkim-bad-rsa-key"),
        (f"v=DKIM1; k=ed25519; p={ED}", None),
        (f"v=DKIM1; k=ed25519; p={base64.b64encode(base64.b64decode(ED)[:31]).decode()}", "dkim-bad-ed25519-key"),
        (f"v=DKIM1; k=ed25519; p={base64.b64encode(base64.b64decode(ED) + b'x').decode()}", "dkim-bad-ed25519-key"),
        (f"v=DKIM1; k=ed25519; p={_ed25519(raw=False)}", "dkim-bad-ed25519-key"),  # RFC 8463 4.2: the bare 32 bytes
        (f"v=DKIM1; k=ed25519; p={KEY}", "dkim-bad-ed25519-key"),
        (f"v=DKIM1; h=sha1; p={KEY}", "dkim-sha1-only"),  # RFC 8301 3.1
        (f"v=DKIM1; h=SHA1; p={KEY}", "dkim-sha1-only"),
        (f"v=DKIM1; h=sha1:sha256; p={KEY}", None),
        (f"v=DKIM1; h = sha256 : sha1 ; p={KEY}", None),
        (f"v=DKIM1; h=sha256:sha512; p={KEY}", None),
        (f"v=DKIM1; k=ed25519; h=sha1; p={ED}", "dkim-sha1-only"),
        (f"v=DKIM1; h=sha512; p={KEY}", "dkim-unknown-hash"),  # RFC 6376 6.1.2: the key is ignored
        (f"v=DKIM1; h=sha1:md5; p={KEY}", "dkim-sha1-only"),
        (f"v=DKIM1; h=; p={KEY}", "dkim-unknown-hash"),
        ("v=DKIM1; k=foo; h=sha1; p=!!", "dkim-unknown-key-type"),  # the first reason is given
    ],
)
def test_the_key_itself_is_judged_as_verifiers_use_it(txt, code):
    sel = parse_key("s", [txt], None)
    assert sel is not None and sel.problem_code == code, sel
    assert (sel.problem is None) == (code is None)


@pytest.mark.parametrize(
    ("txt", "codes"),
    [
        (f"v=DKIM1; p={KEY}", []),
        (f"v=DKIM1; p={_rsa(1024)}", ["dkim-rsa-under-2048"]),  # RFC 8301 3.2: signers SHOULD use 2048
        (f"v=DKIM1; p={_rsa(2047)}", ["dkim-rsa-under-2048"]),
        (f"v=DKIM1; t=y; p={KEY}", ["dkim-testing"]),  # RFC 6376 3.6.1: treated as unsigned
        (f"v=DKIM1; t=s:y; p={KEY}", ["dkim-testing"]),
        (f"v=DKIM1; t=Y; p={KEY}", ["dkim-testing"]),
        (f"v=DKIM1; t=s; p={KEY}", []),
        (f"v=DKIM1; t=x; p={KEY}", []),  # unknown flags are ignored
        (f"v=DKIM1; p={_rsa(2048, 'bare')}", ["dkim-rsa-bare-key"]),  # erratum 3017 allows it, OpenDKIM does not
        (f"v=DKIM1; t=y; p={_rsa(1024, 'bare')}", ["dkim-rsa-under-2048", "dkim-testing", "dkim-rsa-bare-key"]),
        (f"v=DKIM1; k=ed25519; t=y; p={ED}", ["dkim-testing"]),
        ("v=DKIM1; t=y; p=", []),  # a revoked key: nothing to fix
        (f"v=DKIM1; t=y; p={_rsa(512)}", []),  # unusable: an error, not warnings
    ],
)
def test_usable_keys_worth_fixing_are_warnings(txt, codes):
    sel = parse_key("s", [txt], None)
    assert sel is not None
    assert [w.code for w in key_warnings([sel])] == codes
    assert all(w.where == ["s"] for w in key_warnings([sel]))


def test_the_modulus_length_is_read_from_both_forms_rsa_keys_take():
    spki = base64.b64decode(_rsa(3072))
    bare = base64.b64decode(_rsa(3072, "bare"))
    assert rsa_key_bits(spki) == (3072, True)
    assert rsa_key_bits(bare) == (3072, False)
    assert rsa_key_bits(spki + b"\x00") is None  # trailing bytes
    assert rsa_key_bits(spki[:-1]) is None
    assert rsa_key_bits(b"") is None
    assert rsa_key_bits(b"\x30\x80" + spki[2:]) is None  # indefinite length is BER, not DER
    assert decode_base64("") == b""
    assert decode_base64("QQ") == b"A" and decode_base64("QQ==") == b"A"
    assert decode_base64("QQ=") is None and decode_base64("Q") is None and decode_base64("QQ===") is None
    sel = parse_key("s", [f"v=DKIM1; p={_rsa(512)}"], None)
    assert sel is not None and (sel.bits, sel.spki) == (512, True)  # kept for the report even when unusable


def test_scanned_key_contents_give_errors_and_warnings(hunter):
    domains = {
        "dkim-rsa2048.com.tr": ("key", [], []),
        "dkim-rsa1024.com.tr": ("key", [], ["dkim-rsa-under-2048"]),
        "dkim-rsa512.com.tr": ("none", ["dkim-rsa-under-1024"], []),
        "dkim-kesik.com.tr": ("none", ["dkim-bad-rsa-key"], []),
        "dkim-harf.com.tr": ("none", ["dkim-bad-base64"], []),
        "dkim-katlama.com.tr": ("key", [], []),
        "dkim-ed31.com.tr": ("none", ["dkim-bad-ed25519-key"], []),
        "dkim-edspki.com.tr": ("none", ["dkim-bad-ed25519-key"], []),
        "dkim-sha1.com.tr": ("none", ["dkim-sha1-only"], []),
        "dkim-sha1-256.com.tr": ("key", [], []),
        "dkim-sha512.com.tr": ("none", ["dkim-unknown-hash"], []),
        "dkim-test-y.com.tr": ("none", [], ["dkim-testing"]),  # t=y: its mail counts as unsigned (RFC 6376 3.6.1)
        "dkim-test-s.com.tr": ("key", [], []),
        "dkim-yalin.com.tr": ("key", [], ["dkim-rsa-bare-key"]),
    }
    got = hunter.scan_json(*domains, "--no-tenant", "--no-whois")
    from hunter_cli.facts import dkim_state

    for domain, want in domains.items():
        dkim = got[domain]["dkim"]
        seen = (dkim_state(dkim), [e["code"] for e in dkim["errors"]], [w["code"] for w in dkim["warnings"]])
        assert seen == want, domain
        assert got[domain]["status"] == "ok", domain  # a finding about the record, not a failed lookup
    assert got["dkim-rsa1024.com.tr"]["dkim"]["selectors"][0]["bits"] == 1024
    assert got["dkim-rsa512.com.tr"]["dkim"]["selectors"][0]["bits"] == 512


def test_the_brief_says_why_a_key_fails_or_falls_short(hunter):
    hunter.scan_json("dkim-kesik.com.tr", "dkim-rsa1024.com.tr", "dkim-test-y.com.tr", "--no-tenant", "--no-whois")
    cut = hunter("sales-summary", "dkim-kesik.com.tr")
    assert "The DKIM record at selector1 cannot be used: the key (p=) is not a whole RSA key" in cut.stdout
    assert "DKIM keys are published" not in cut.stdout
    cut_tr = hunter("sales-summary", "dkim-kesik.com.tr", "--lang", "tr")
    assert (
        "selector1 seçicisindeki DKIM kaydı kullanılamıyor: anahtar (p=) eksiksiz bir RSA anahtarı değil"
        in cut_tr.stdout
    )
    weak = hunter("sales-summary", "dkim-rsa1024.com.tr")
    assert "DKIM keys are published (google)." in weak.stdout
    assert "The DKIM key at google works, but the RSA key is shorter than 2048 bits" in weak.stdout
    testing = hunter("sales-summary", "dkim-test-y.com.tr", "--lang", "tr")
    text = " ".join(testing.stdout.replace("│", " ").split())
    assert "mail seçicisinde bir DKIM anahtarı yayımlanmış, ancak anahtar test modunda işaretli (t=y)" in text
    assert "DKIM anahtarı çalışıyor" not in text  # a key receivers ignore does not "work, but"
