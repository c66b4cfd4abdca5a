"""The services catalog: every entry found from its own examples, and only that entry."""

from __future__ import annotations

import pytest

from hunter_cli.catalog import load_catalog
from hunter_cli.footprint import find_services
from hunter_cli.footprint.schema import services_catalog
from hunter_cli.footprint.services import identity_service_for

CATALOG = services_catalog()
LISTED = [s for s in CATALOG.services if s.listed]


def evidence_of(svc) -> dict:
    """The service's own examples as find_services arguments."""
    return {
        "txt": [t.example for t in svc.txt],
        "spf_includes": [p.example for p in svc.spf],
        "dkim_cnames": [p.example for p in svc.dkim],
        "nameservers": [p.example for p in svc.ns],
        "federation_host": svc.federation[0].example if svc.federation else None,
    }


def test_catalog_is_big_enough_and_covers_the_issue():
    ids = {s.id for s in LISTED}
    assert len(ids) >= 40
    wanted = {
        "google",
        "zoom",
        "slack",
        "okta",
        "duo",
        "dropbox",
        "box",
        "atlassian",
        "salesforce",
        "hubspot",
        "zendesk",
        "freshdesk",
        "mailchimp",
        "sendgrid",
        "mailgun",
        "amazon-ses",
        "docusign",
        "adobe-sign",
        "cloudflare",
    }
    assert wanted <= ids


@pytest.mark.parametrize("svc", LISTED, ids=lambda s: s.id)
def test_each_service_is_found_from_its_own_examples_and_nothing_else(svc):
    found = find_services(**evidence_of(svc))
    assert [s.id for s in found] == [svc.id], "an example must name its own service only"
    (hit,) = found
    kinds = len(svc.txt) + len(svc.spf) + len(svc.dkim) + len(svc.ns) + len(svc.federation[:1])
    assert len(hit.evidence) == kinds  # one sentence per piece of evidence
    assert (hit.name, hit.category) == (svc.name, svc.category)


@pytest.mark.parametrize("svc", LISTED, ids=lambda s: s.id)
def test_each_example_alone_is_enough(svc):
    for t in svc.txt:
        assert [s.id for s in find_services(txt=[t.example])] == [svc.id]
    for p in svc.spf:
        assert [s.id for s in find_services(spf_includes=[p.example])] == [svc.id]
    for p in svc.dkim:
        assert [s.id for s in find_services(dkim_cnames=[p.example])] == [svc.id]
    for p in svc.ns:
        assert [s.id for s in find_services(nameservers=[p.example])] == [svc.id]
    for p in svc.federation:
        assert [s.id for s in find_services(federation_host=p.example)] == [svc.id]


def test_evidence_is_plain_words():
    (zoom,) = find_services(txt=["ZOOM_verify_abc"])
    assert zoom.evidence == ["apex TXT token ZOOM_verify_…"]
    (mc,) = find_services(dkim_cnames=["dkim.mcsv.net."])
    assert mc.evidence == ["DKIM selector CNAME to dkim.mcsv.net"]
    (cf,) = find_services(nameservers=["Amy.NS.Cloudflare.com."])
    assert cf.evidence == ["name server amy.ns.cloudflare.com: their name servers are Cloudflare's"]


def test_near_misses_are_not_services():
    assert (
        find_services(
            txt=["v=spf1 include:sendgrid.net -all", "zoom_verify", "slack-domain-verification"],
            spf_includes=["notsendgrid.net", "mcsv.net.example.com"],
            dkim_cnames=["dkim.mcsv.net.evil.example"],
            nameservers=["ns.cloudflare.com.evil.example", "ns1.awsdns.com"],
            federation_host="okta.com.evil.example",
        )
        == []
    )


def test_microsoft_token_is_not_an_other_service():
    assert find_services(txt=["MS=ms12345678"]) == []


def test_several_services_in_catalog_order_with_evidence_merged():
    found = find_services(
        txt=["slack-domain-verification=x", "ZOOM_verify_y", "docusign=z"],
        spf_includes=["servers.mcsv.net", "sendgrid.net", "_spf.salesforce.com"],
        dkim_cnames=["s1.domainkey.u1.wl1.sendgrid.net"],
    )
    ids = [s.id for s in found]
    order = [s.id for s in LISTED]
    assert ids == sorted(ids, key=order.index)
    assert set(ids) == {"slack", "zoom", "docusign", "mailchimp", "sendgrid", "salesforce"}
    sendgrid = next(s for s in found if s.id == "sendgrid")
    assert len(sendgrid.evidence) == 2


def test_identity_service_for_federation_hosts():
    assert identity_service_for("acme.okta.com") == "okta"
    assert identity_service_for("sso-1.sso.duosecurity.com") == "duo"
    assert identity_service_for("sts.acme.com.tr") is None


OLD_VERIFICATION = [
    ("MS=", "microsoft"),
    ("google-site-verification=", "google"),
    ("facebook-domain-verification=", "facebook"),
    ("apple-domain-verification=", "apple"),
    ("apple-domain=", "icloud"),
    ("atlassian-domain-verification=", "atlassian"),
    ("atlassian-sending-domain-verification=", "atlassian"),
    ("status-page-domain-verification=", "statuspage"),
    ("docusign=", "docusign"),
    ("ZOOM_verify_", "zoom"),
    ("adobe-idp-site-verification=", "adobe"),
    ("adobe-sign-verification=", "adobe"),
    ("globalsign-domain-verification=", "globalsign"),
    ("_globalsign-domain-verification=", "globalsign"),
    ("amazonses:", "amazon"),
    ("yandex-verification:", "yandex"),
    ("zoho-verification=", "zoho"),
    ("protonmail-verification=", "proton"),
    ("stripe-verification=", "stripe"),
    ("dropbox-domain-verification=", "dropbox"),
    ("openai-domain-verification=", "openai"),
    ("anthropic-domain-verification", "anthropic"),
    ("onetrust-domain-verification=", "onetrust"),
    ("miro-verification=", "miro"),
    ("notion-domain-verification=", "notion"),
    ("canva-site-verification=", "canva"),
    ("yahoo-verification-key=", "yahoo"),
    ("duo_sso_verification=", "duo"),
    ("cloudflare_dashboard_sso=", "cloudflare"),
    ("zapier-domain-verification-challenge=", "zapier"),
    ("brevo-code:", "brevo"),
    ("sendinblue-code:", "brevo"),
    ("mgverify=", "mailgun"),
    ("klaviyo-site-verification=", "klaviyo"),
    ("tmes=", "trendmicro"),
]


def test_catalog_verifications_keep_the_stored_kinds():
    """The 35 kinds moved to services.json keep their ids; Catalog.verifications() reads them exactly as
    find_services does: a token in its vendor's own case and separator is reported as before, and a
    variant the vendor never issues (wrong case, wrong separator) is no longer taken for one."""
    tokens = {(t.prefix, t.verification) for s in CATALOG.services for t in s.txt if t.verification}
    # Brevo's capitalised form is a second spelling of the same stored kind (OWASP Amass lists both)
    assert tokens == set(OLD_VERIFICATION) | {("Sendinblue-code:", "brevo")}
    cat = load_catalog()

    def old(txts):  # the former implementation, over the former list
        found = []
        for txt in txts:
            low = txt.strip().lower()
            for prefix, service in OLD_VERIFICATION:
                if low.startswith(prefix.lower()) and service not in found:
                    found.append(service)
        return found

    examples = {t.prefix: t.example for s in CATALOG.services for t in s.txt}
    samples = [examples[p] for p, _ in OLD_VERIFICATION] + ["slack-domain-verification=x", "v=spf1 -all", " MS=ms1 "]
    for s in samples:
        assert cat.verifications([s]) == old([s]), s
    assert cat.verifications(samples) == old(samples)
    assert cat.verifications(list(reversed(samples))) == old(list(reversed(samples)))
    # new tokens are services, not stored verifications (the stored kinds stay as they were)
    assert cat.verifications(["slack-domain-verification=x", "hubspot-developer-verification=y"]) == []
    # what the vendors never issue
    assert cat.verifications(["zoom_verify_abc", "ms=ms12345678", "MS=", "Google-Site-Verification=x"]) == []
    assert cat.verifications(["Sendinblue-code:0a9b8c", "sendinblue-code:0a9b8c"]) == ["brevo"]


def test_a_users_own_providers_file_with_a_verification_list_still_works():

    from hunter_cli.catalog import _load

    cat = _load({"mailbox": [], "gateways": [], "verification": [{"prefix": "Acme-Verify=", "service": "acme"}]})
    assert cat.verifications(["acme-verify=1", "MS=ms1"]) == ["acme"]
    bundled = _load({"mailbox": [], "gateways": []})
    assert bundled.verifications(["MS=ms1"]) == ["microsoft"]


# ---------------------------------------------------------------------------------------------
# Exact token formats (the catalog audit): a token is its vendor's prefix character for character,
# case and separator included, then the value pattern; nothing else reads as that vendor.
# ---------------------------------------------------------------------------------------------

TOKENS = [(s.id, t) for s in LISTED for t in s.txt]


@pytest.mark.parametrize(
    "txt, want",
    [
        # the vendor's own form, including ones added in the audit
        ("ZOOM_verify_mEujaWwm5dMExViFaHNZl9", "zoom"),
        ("  docusign=12c0f1de-fcbf-4461-bcc9-57cfcbee1e1a  ", "docusign"),  # blanks around the string
        ("yandex-verification: 7b1e4c9a2d6f3e80", "yandex"),  # Yandex Webmaster's documented form
        ("webexdomainverification.1YPST=f98a61ea-b92e-41f2-87aa-5651b2af43b8", "webex"),
        ("webexdomainverification.=162d362c-c218-48f0-8b53-0017116e6f29", "webex"),
        ("ciscocidomainverification=0123abcd", "webex"),
        ("cisco-ci-domain-verification=25f97f6c108aa083", "webex"),
        ("anthropic-domain-verification-3bj3y3=FaFrOgE4p15xv9e00c1EN3u1w", "anthropic"),
        ("pardot963303=eb019aebebc852309d6358ac3aec2983", "salesforce"),
        ("pardot_812345_*=3c9d0e1f", "salesforce"),
        ("Sendinblue-code:ba178c29138917649adaeb118f884b18", "brevo"),
        ("logmein-verification-code=6c9a1e3b", "goto"),
        ("statuspage-domain-verification=g90gln3s127q", "statuspage"),
        ("globalsign-smime-dv=CDYX+XFHUw2wml6/Gb8+59BsH31KzUr6c1l2BPvqKX8=", "globalsign"),
        ("google-gws-recovery-domain-verification=42225222", "google"),
        ("cursor-domain-verification-7etnx9=AnyVPVFCmQJv6S6Hy1hH9cMUx", "cursor"),
        # near misses: case the vendor never prints
        ("zoom_verify_mEujaWwm5dMExViFaHNZl9", None),
        ("Zoom_Verify_abc", None),
        ("ms=ms48213570", None),
        ("Docusign=12c0f1de", None),
        ("FACEBOOK-DOMAIN-VERIFICATION=22rm551cu4k0ab0bxsw536tlds4h95", None),
        ("sendinBlue-code:ba178c29", None),
        # near misses: another separator, or none
        ("docusign:12c0f1de-fcbf-4461-bcc9-57cfcbee1e1a", None),
        ("slack-domain-verification:hBJ7iTCUxDdnWYUKNBHmsz7tlpoCPKDxLBrGLs0R", None),
        ("amazonses=Zm9vYmFyYmF6cXV4", None),
        ("yandex-verification=4c1f7e2a9b3d6e80", None),
        ("brevo-code=7f6e5d4c", None),
        ("webexdomainverification", None),
        ("webexdomainverification-8YX6G=6e6922db", None),
        ("anthropic-domain-verification=kwDOWqjhyZAhw8vE1Pk8s9jWh", None),
        ("anthropic-domain-verificationkgfyr5=kw", None),
        ("pardot-verification=abc", None),
        ("pardotx=abc", None),
        ("google-gws-recovery-domain-verification=abc", None),  # Google issues digits
        ("cursor-domain-verification=AnyVPVFCmQJv6S6Hy1hH9cMUx", None),
        # near misses: a prefix with nothing (or only blanks) after it, or two words
        ("MS=", None),
        ("atlassian-domain-verification=", None),
        ("google-site-verification= ", None),
        ("docusign=05958488 4752", None),
        # near misses: a vendor's token inside other text, or a longer name that starts the same
        ("note: docusign=05958488-4752-4ef2-95eb-aa7ba8a3bd0e", None),
        ("v=spf1 include:mgverify=abc -all", None),
        ("apple-domain-verification-code=30afIBcvSuDV2PLX", None),
        ("dropbox-domain-verification-x=qwg79uqdchth", None),
        ("zendeskverification=abc123", None),  # Zendesk's record lives at zendeskverification.<domain>, not the apex
    ],
)
def test_tokens_match_the_vendor_format_exactly(txt, want):
    found = [s.id for s in find_services(txt=[txt])]
    assert found == ([want] if want else []), txt


def test_no_token_reads_another_vendors_token():
    """Every pair of tokens: one service's token never matches another service's example, so a
    prefix cannot swallow a different vendor's token (the test the catalog must pass after every edit)."""
    clashes = [
        (a_id, a.prefix, b_id, b.example)
        for a_id, a in TOKENS
        for b_id, b in TOKENS
        if a_id != b_id and a.matches(b.example)
    ]
    assert clashes == []


@pytest.mark.parametrize("svc_token", TOKENS, ids=lambda st: f"{st[0]}:{st[1].prefix}")
def test_each_token_refuses_its_own_near_misses(svc_token):
    """Each token's example, changed the ways a hand-typed record goes wrong, names no service."""
    _, t = svc_token
    rest = t.example.strip()[len(t.prefix) :]
    variants = {
        t.prefix,  # nothing after the prefix
        t.prefix + " ",
        "x" + t.example,  # not at the start
        t.prefix.swapcase() + rest,  # the prefix in the other case
    }
    if t.prefix[-1] in "=:":
        other = ":" if t.prefix[-1] == "=" else "="
        variants.add(t.prefix[:-1] + other + rest)  # the other separator
    variants.discard(t.example)
    hits = {v: [s.id for s in find_services(txt=[v])] for v in variants}
    assert {v: ids for v, ids in hits.items() if ids} == {}


@pytest.fixture(scope="module")
def audited(tmp_path_factory, _session_dns, _session_ms, _session_reg):
    """The audit's domains (tests/zones/cat5-services.zone), scanned once through the CLI."""
    from conftest import Hunter

    _session_dns.clear_faults()
    h = Hunter(_session_dns, tmp_path_factory.mktemp("cat5") / "hunter.db", _session_ms, _session_reg)
    return h.scan_json(*CAT5_SERVICES, "--no-whois")


CAT5_SERVICES = {
    # domain: (service ids, stored verifications)
    "fp-svc-goto.com.tr": (["goto"], []),
    "fp-svc-citrix.com.tr": (["citrix"], []),
    "fp-svc-teamviewer.com.tr": (["teamviewer"], []),
    "fp-svc-smartsheet.com.tr": (["smartsheet"], []),
    "fp-svc-lastpass.com.tr": (["lastpass"], []),
    "fp-svc-sophos.com.tr": (["sophos"], []),
    "fp-svc-twilio.com.tr": (["twilio"], []),
    "fp-svc-tiktok.com.tr": (["tiktok"], []),
    "fp-svc-1password.com.tr": (["1password"], []),
    "fp-svc-sparkpost.com.tr": (["sparkpost"], []),
    "fp-svc-cursor.com.tr": (["cursor"], []),
    "fp-svc-docker.com.tr": (["docker"], []),
    "fp-svc-postman.com.tr": (["postman"], []),
    "cat5-gws-recovery.com.tr": (["google"], []),
    "cat5-webex-hub.com.tr": (["webex"], []),
    "cat5-pardot.com.tr": (["salesforce"], []),
    "cat5-brevo.com.tr": (["brevo"], ["brevo"]),
    "cat5-sendinblue-spf.com.tr": (["brevo"], []),
    "cat5-yandex-webmaster.com.tr": (["yandex"], ["yandex"]),
    "cat5-kucuk-buyuk.com.tr": ([], []),
}


@pytest.mark.parametrize("domain", sorted(CAT5_SERVICES))
def test_scan_finds_the_audited_services_over_real_dns(audited, domain):
    services, verifications = CAT5_SERVICES[domain]
    r = audited[domain]
    assert [s["id"] for s in r["services"]] == services
    assert r["verifications"] == verifications
    assert not [e for e in r["errors"] if e["check"] in ("txt", "footprint")]
    for s in r["services"]:
        assert s["evidence"] and s["found"]


def test_scan_evidence_names_the_tokens_and_includes(audited):
    webex = audited["cat5-webex-hub.com.tr"]["services"][0]
    assert [f for f in webex["found"] if f[0] == "txt"] == [
        ["txt", "webexdomainverification."],
        ["txt", "ciscocidomainverification="],
        ["txt", "cisco-ci-domain-verification="],
    ]
    brevo = audited["cat5-brevo.com.tr"]["services"][0]
    assert ["spf", "spf.brevo.com"] in brevo["found"] and ["txt", "Sendinblue-code:"] in brevo["found"]


def test_stored_verifications_and_services_read_tokens_the_same_way():
    """Catalog.verifications() (indexed) and TxtToken.matches agree on every example and near miss."""
    cat = load_catalog()
    kinds = [(t, t.verification) for s in CATALOG.services for t in s.txt if t.verification]
    samples = []
    for t, _ in kinds:
        rest = t.example.strip()[len(t.prefix) :]
        samples += [t.example, " " + t.example + " ", t.prefix, t.prefix.swapcase() + rest, "x" + t.example]
    for s in samples:
        want = list(dict.fromkeys(kind for t, kind in kinds if t.matches(s)))
        assert cat.verifications([s]) == want, s
