"""Trial 22: records receivers discard or read otherwise than they look, over real DNS
(tests/zones/verdict22.zone) and the CLI."""

from __future__ import annotations

import re

import pytest


def _flat(text: str) -> str:
    """The text with the panels' borders and line breaks taken out: one line of words."""
    return " ".join(text.replace("│", " ").split())


@pytest.fixture
def mailsec(hunter):
    h = hunter
    got = h.scan_json(
        "v22-rpt-iki.com.tr",
        "v22-rpt-kucuk.com.tr",
        "v22-rpt-bosluk.com.tr",
        "v22-rpt-esit.com.tr",
        "v22-rpt-noktali.com.tr",
        "v22-rpt-ftp.com.tr",
        "v22-rpt-ftpyalniz.com.tr",
        "v22-sts-kucuk.com.tr",
        "v22-sts-iki.com.tr",
        "v22-rpt-buyuk.com.tr",
        "v22-sts-esit.com.tr",
        "--no-tenant",
        "--no-whois",
    )
    return h, {d: r["microsoft"]["mail_security"] for d, r in got.items()}


def test_tls_rpt_version_is_case_sensitive_and_only_matching_records_count(mailsec):
    """RFC 8460 3: tlsrpt-version = %s"v=TLSRPTv1", records not starting with it are discarded; a valid
    record beside a discarded look-alike is the one record, and the look-alike is a warning."""
    _, sec = mailsec
    two = sec["v22-rpt-iki.com.tr"]["tls-rpt"]
    assert two["state"] == "published" and two["tags"]["rua"] == "mailto:a@v22-rpt-iki.com.tr"
    assert two["discarded"] == ["v=tlsrptv1; rua=mailto:b@v22-rpt-iki.com.tr"]
    assert "case-sensitive" in two["warnings"][0] and "discard" in two["warnings"][0]
    for domain, why in (
        ("v22-rpt-kucuk.com.tr", "case-sensitive"),
        ("v22-rpt-bosluk.com.tr", "nothing may come before it"),
        ("v22-rpt-esit.com.tr", "no space may stand around '='"),
    ):
        one = sec[domain]["tls-rpt"]
        assert one["state"] == "invalid", domain
        assert "does not start with v=TLSRPTv1" in one["evidence"][0] and why in one["evidence"][0], domain
    # spaces before ';' are the grammar's own (field-delim = *WSP ";" *WSP)
    assert sec["v22-rpt-noktali.com.tr"]["tls-rpt"]["state"] == "published"


def test_mta_sts_version_is_case_sensitive(mailsec):
    """RFC 8461 3.1: sts-version = %s"v=STSv1"; a lower-case record is discarded, so no policy is fetched."""
    _, sec = mailsec
    low = sec["v22-sts-kucuk.com.tr"]["mta-sts"]
    assert low["state"] == "invalid" and low["policy"] is None
    assert "does not start with v=STSv1 (the version is case-sensitive)" in low["evidence"][0]
    # one record starts with v=STSv1: it is the record, not "two records"; the look-alikes are warnings
    three = sec["v22-sts-iki.com.tr"]["mta-sts"]
    assert three["record"] == "v=STSv1; id=new"
    assert sorted(three["discarded"]) == ["V=STSv1; id=old", "v=STSv1id=bad"]
    assert not any("records at" in e for e in three["evidence"])


def test_mta_sts_and_tls_rpt_fields_are_read_as_the_grammar_writes_them(mailsec):
    """%s"rua=" and %s"id=" are case-sensitive, and no space stands around '=' (RFC 8460 3, RFC 8461 3.1)."""
    _, sec = mailsec
    upper = sec["v22-rpt-buyuk.com.tr"]["tls-rpt"]
    assert upper["state"] == "invalid" and "RUA= is not it: tag names are case-sensitive" in upper["evidence"][0]
    spaced = sec["v22-sts-esit.com.tr"]["mta-sts"]
    assert spaced["state"] == "invalid" and "no space may stand around '='" in spaced["evidence"][0]
    assert spaced["policy"] is None  # senders fetch no policy for a record they cannot read


def test_tls_rpt_one_usable_rua_is_published_with_a_warning(mailsec):
    """RFC 8460 3: tlsrpt-uri = URI, senders send to the schemes they support (mailto:, https:)."""
    h, sec = mailsec
    ftp = sec["v22-rpt-ftp.com.tr"]["tls-rpt"]
    assert ftp["state"] == "published"
    assert ftp["warnings"] == [
        "rua ftp://v22-rpt-ftp.com.tr/r is not a mailto: or https: address, so senders skip it (RFC 8460 3)"
    ]
    only = sec["v22-rpt-ftpyalniz.com.tr"]["tls-rpt"]
    assert only["state"] == "invalid" and "no mailto: or https: address" in only["evidence"][0]
    en = _flat(h("prep", "v22-rpt-ftp.com.tr").stdout)
    assert "SMTP TLS reporting: published but invalid" not in en
    assert "ftp://v22-rpt-ftp.com.tr/r is not a mailto: or https: address, so senders skip it" in en
    en = _flat(h("prep", "v22-rpt-iki.com.tr").stdout)
    assert "published but invalid" not in en
    assert "SMTP TLS reporting: beside the record in use there is another that senders discard" in en
    tr = _flat(h("prep", "v22-rpt-iki.com.tr", "--lang", "tr").stdout)
    assert "gönderen sunucuların yok saydığı bir kayıt daha var" in tr


def test_spf_lookalikes_receivers_discard_are_warned_and_said_as_malformed(hunter):
    """RFC 7208 4.5: the version section ends with a space or the end of the record; 3.3: the strings of a
    record are joined with no space added. The verdict stays none; the brief says the record is malformed
    and ignored, and what is wrong with it, not "There is no SPF record"."""
    got = hunter.scan_json(
        "v22-spf-sekme.com.tr",
        "v22-spf-parca.com.tr",
        "v22-spf-bitisik.com.tr",
        "v22-spf-on10.com.tr",
        "v22-spf-tirnak.com.tr",
        "v22-spf-aralik.com.tr",
        "--no-tenant",
        "--no-whois",
    )
    codes = {d: [f["code"] for f in r["spf_discarded"]] for d, r in got.items()}
    assert all(r["spf"] is None for r in got.values())
    assert codes == {
        "v22-spf-sekme.com.tr": ["spf-version-whitespace"],
        "v22-spf-parca.com.tr": ["spf-version-joined"],
        "v22-spf-bitisik.com.tr": ["spf-version-joined"],
        "v22-spf-on10.com.tr": [],  # v=spf10 is another version, not a look-alike
        "v22-spf-tirnak.com.tr": ["spf-quoted"],  # quote marks kept as text by a DNS panel
        "v22-spf-aralik.com.tr": ["spf-version-spaced"],  # "v= spf1"
    }
    quoted = _flat(hunter("prep", "v22-spf-tirnak.com.tr").stdout)
    assert "There is no SPF record" not in quoted
    assert 'wrapped in quote marks that are part of its text ("v=spf1 mx -all")' in quoted
    spaced = _flat(hunter("prep", "v22-spf-aralik.com.tr", "--lang", "tr").stdout)
    assert "SPF kaydı hatalı yazılmış" in spaced and "v=spf1'in içinde boşluk var" in spaced
    tab = _flat(hunter("prep", "v22-spf-sekme.com.tr").stdout)
    assert "There is no SPF record" not in tab
    assert "Their SPF record is malformed, so receivers ignore it" in tab
    assert 'a tab or another invisible character after v=spf1 instead of a space ("v=spf1<TAB>ip4:192.0.2.111' in tab
    joined = _flat(hunter("prep", "v22-spf-parca.com.tr").stdout)
    assert "There is no SPF record" not in joined
    assert "Their SPF record is malformed, so receivers ignore it as if there were none" in joined
    assert 'no space after v=spf1 ("v=spf1ip4:192.0.2.112 -all")' in joined
    tr = _flat(hunter("prep", "v22-spf-parca.com.tr", "--lang", "tr").stdout)
    assert "SPF kaydı yok;" not in tr and "SPF kaydı hatalı yazılmış" in tr
    show = _flat(hunter("leads", "show", "v22-spf-sekme.com.tr").stdout)
    assert "no SPF record in force: one is malformed and ignored (spf-version-whitespace)" in show
    # the version that goes on in digits is another version: no record, said as such
    assert "There is no SPF record" in _flat(hunter("prep", "v22-spf-on10.com.tr").stdout)


def test_an_mx_written_as_an_address_is_an_error_when_no_other_host_takes_mail(hunter):
    """RFC 5321 5.1: an MX names a host; most senders will not deliver to an address written there. As the
    only MX (or beside hosts that do not resolve) mail bounces: an error, as the brief and provider say; beside
    a working host it is a warning, worded with the same severity as the brief's."""
    got = hunter.scan_json(
        "v22-mx-ip.com.tr",
        "v22-mx-ip6.com.tr",
        "v22-mx-ip-nx.com.tr",
        "v22-mx-ip-iyi.com.tr",
        "--no-tenant",
        "--no-whois",
    )
    for domain in ("v22-mx-ip.com.tr", "v22-mx-ip6.com.tr", "v22-mx-ip-nx.com.tr"):
        r = got[domain]
        assert r["provider"] == "broken", domain
        assert "mx-ip-literal" in [f["code"] for f in r["mx_errors"]], domain
        assert "mx-ip-literal" not in [f["code"] for f in r["mx_warnings"]], domain
        assert (
            "mail to the domain bounces" in next(f for f in r["mx_errors"] if f["code"] == "mx-ip-literal")["message"]
        )
    good = got["v22-mx-ip-iyi.com.tr"]
    assert good["provider"] != "broken" and [f["code"] for f in good["mx_errors"]] == []
    warned = [f for f in good["mx_warnings"] if f["code"] == "mx-ip-literal"]
    assert warned and "most senders skip it" in warned[0]["message"]
    brief = _flat(hunter("prep", "v22-mx-ip.com.tr").stdout)
    assert "most mail servers will not deliver to an address written there" in brief
    beside = _flat(hunter("prep", "v22-mx-ip-iyi.com.tr").stdout)
    assert "most senders skip it and use their other MX hosts" in beside


def test_dmarc_is_said_as_written(hunter):
    """No p= is said as such (not "p=?"); BIMI evidence quotes the p= written, with the policy it is applied as
    (RFC 7489 6.6.4); tag mistakes receivers ignore (RFC 7489 6.3) are said in the brief and `leads show`."""
    got = hunter.scan_json(
        "v22-dmarc-nop.com.tr",
        "v22-bimi-sifir.com.tr",
        "v22-dmarc-pct.com.tr",
        "v22-dmarc-hizala.com.tr",
        "--no-tenant",
        "--no-whois",
    )
    nop = _flat(hunter("prep", "v22-dmarc-nop.com.tr").stdout)
    assert "p=?" not in nop and "Their DMARC record has no p= tag, so receivers treat it as p=none" in nop
    nop_tr = _flat(hunter("prep", "v22-dmarc-nop.com.tr", "--lang", "tr").stdout)
    assert "p=?" not in nop_tr and "DMARC kaydında p= etiketi yok" in nop_tr
    bimi = got["v22-bimi-sifir.com.tr"]["microsoft"]["mail_security"]["bimi"]
    assert bimi["state"] == "invalid"
    assert "the domain has p=reject, pct=0 (in effect quarantine for all failing mail" in bimi["evidence"][-1]
    assert got["v22-dmarc-pct.com.tr"]["dmarc"]["policy"] == "reject"  # pct=101 ignored: 100
    pct = _flat(hunter("prep", "v22-dmarc-pct.com.tr").stdout)
    assert "Their DMARC record also has a mistake receivers ignore: pct=101 (not 0 to 100" in pct
    both = _flat(hunter("prep", "v22-dmarc-hizala.com.tr").stdout)
    assert "also has mistakes receivers ignore: " in both
    assert "adkim=x (not a value the tag takes, so its default applies)" in both
    assert "rua= given twice (receivers differ on which one they keep)" in both
    tr = _flat(hunter("prep", "v22-dmarc-hizala.com.tr", "--lang", "tr").stdout)
    assert "DMARC kaydında alıcıların yok saydığı başka hatalar da var: rua= iki kez yazılmış" in tr
    show = _flat(hunter("leads", "show", "v22-dmarc-pct.com.tr").stdout)
    assert "also a mistake receivers ignore: pct=101 (not 0 to 100, so read as pct=100)" in show


def test_turkish_says_one_record_and_translates_the_policy(hunter):
    """One SPF or DMARC record is "kaydı", not "kayıtları" (which reads as if several were published, itself an
    error); the applied policy is said in Turkish as elsewhere ("karantina (p=quarantine)"); redirect named."""
    hunter.scan_json(
        "v22-bimi-sifir.com.tr", "v22-spf-yonlendir.com.tr", "v22-spf-ptr.com.tr", "--no-tenant", "--no-whois"
    )
    pct = _flat(hunter("prep", "v22-bimi-sifir.com.tr", "--lang", "tr").stdout)
    assert "DMARC kaydı p=reject diyor ama pct=0" in pct and "karantina (p=quarantine) uyguluyor" in pct
    redirect = _flat(hunter("prep", "v22-spf-yonlendir.com.tr", "--lang", "tr").stdout)
    assert "nx.v22-spf-yonlendir.com.tr adresine yönlendiriyor (redirect)" in redirect
    ptr = _flat(hunter("prep", "v22-spf-ptr.com.tr", "--lang", "tr").stdout)
    assert "SPF kaydında düzeltilmesi gereken bir şey daha var" in ptr
    from hunter_cli.brief.messages import Messages

    tr = Messages("tr")
    said = " ".join(str(tr.data[k]) for k in tr.data)
    # a list of record kinds ("DKIM ve SPF kayıtlarının hiçbiri") is plural; the one record is not
    assert re.findall(r"(?:SPF|DMARC) kayıtları(?:nda)?[ ,]", said) == []


def test_own_mail_that_cannot_pass_dmarc_is_said(hunter, dns):
    """RFC 7489 4.2, 6.6.2: with SPF permerror (a pass for nobody, RFC 7208 2.6.7) and no DKIM key, their own
    mail fails DMARC, so receivers honouring p=reject refuse it: said plainly, with a talking point. With a
    valid SPF the failure only hits mail from servers it does not list: said as a condition. A failed DKIM
    lookup leaves nothing certain: neither is said."""
    dns.faults[("default._domainkey.v22-kendi-dkim.com.tr", "TXT")] = "servfail"
    hunter.scan_json(
        "v22-kendi-bozuk.com.tr",
        "v22-kendi-liste.com.tr",
        "v22-kendi-dkim.com.tr",
        "v22-kendi-hic.com.tr",
        "--no-tenant",
        "--no-whois",
    )
    broken = _flat(hunter("prep", "v22-kendi-bozuk.com.tr").stdout)
    assert "With their SPF record broken (receivers ignore it) and no usable DKIM key" in broken
    assert "their own mail cannot pass DMARC: receivers that enforce their reject policy may refuse it" in broken
    assert "Your SPF record has an error, so mail servers ignore it, and we found no DKIM signing key" in broken
    tr = _flat(hunter("prep", "v22-kendi-bozuk.com.tr", "--lang", "tr").stdout)
    assert "kendi e-postaları DMARC'tan geçemiyor: reddetme (p=reject) politikasını uygulayan alıcılar" in tr
    assert "kendi e-postalarınız bugün DMARC denetiminden geçemiyor" in tr
    listed = _flat(hunter("prep", "v22-kendi-liste.com.tr").stdout)
    assert "if they send from a server their SPF record does not list" in listed
    assert "your own mail cannot pass your DMARC check" not in listed  # not certain: no talking point
    none_listed = _flat(hunter("prep", "v22-kendi-hic.com.tr").stdout)
    assert "Their SPF record lets no server send for them (v=spf1 -all)" in none_listed
    assert "if they send any mail from this domain, it cannot pass DMARC" in none_listed
    unknown = _flat(hunter("prep", "v22-kendi-dkim.com.tr").stdout)
    assert "cannot pass DMARC" not in unknown and "cannot pass your DMARC" not in unknown
    assert "does not list" not in unknown
