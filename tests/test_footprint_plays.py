"""Plays chosen from observed evidence, in English and Turkish."""

from __future__ import annotations

import re

import pytest

from hunter_cli.footprint import Reply, TenantFacts, choose_plays, find_services, microsoft_footprint, questions
from hunter_cli.footprint.schema import plays_catalog

D = "ornek.com.tr"


def fp(records: dict | None = None, mx=(), default: Reply | None = None):
    ans = {q: (default or Reply.nxdomain()) for q in questions(D)}
    for (name, rtype), reply in (records or {}).items():
        ans[(f"{name}.{D}", rtype)] = reply
    return microsoft_footprint(D, ans, mx_hosts=list(mx))


NOTHING = fp()
TENANT = TenantFacts(has_tenant=True, namespace_type="Managed")


def ids(plays):
    return [p.id for p in plays]


@pytest.mark.parametrize(
    ("evidence", "play", "names_en", "names_tr"),
    [
        ({"txt": ["ZOOM_verify_a", "slack-domain-verification=b"]}, "teams", "Zoom and Slack", "Zoom ve Slack"),
        ({"federation_host": "acme.okta.com"}, "entra-id", "Okta", "Okta"),
        ({"txt": ["duo_sso_verification=x"]}, "entra-id", "Cisco Duo", "Cisco Duo"),
        (
            {"txt": ["dropbox-domain-verification=x", "box-domain-verification=y"]},
            "onedrive-sharepoint",
            "Dropbox and Box",
            "Dropbox ve Box",
        ),
        ({"spf_includes": ["_spf.salesforce.com"]}, "dynamics-sales", "Salesforce", "Salesforce"),
        ({"dkim_cnames": ["x.hs04a.dkim.hubspotemail.net"]}, "dynamics-sales", "HubSpot", "HubSpot"),
        (
            {"spf_includes": ["mail.zendesk.com", "email.freshdesk.com"]},
            "dynamics-customer-service",
            "Zendesk and Freshworks (Freshdesk)",
            "Zendesk ve Freshworks (Freshdesk)",
        ),
        (
            {"spf_includes": ["servers.mcsv.net", "spf.mailjet.com"], "txt": ["brevo-code:x"]},
            "customer-insights-journeys",
            "Brevo (Sendinblue), Mailchimp and Mailjet",
            "Brevo (Sendinblue), Mailchimp ve Mailjet",
        ),
    ],
)
def test_service_plays_in_both_languages(evidence, play, names_en, names_tr):
    services = find_services(**evidence)
    en = choose_plays(None, services, None, lang="en")
    tr = choose_plays(None, services, None, lang="tr")
    assert ids(en) == ids(tr) == [play]
    assert names_en in en[0].reason and names_tr in tr[0].reason
    assert en[0].reason != tr[0].reason and en[0].offer
    assert en[0].evidence == tr[0].evidence  # evidence is the observed records, the same in any language
    assert all(":" in e for e in en[0].evidence)  # "<service>: <evidence>"


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_the_identity_play_asks_and_never_assumes_a_microsoft_licence(lang):
    """trial 19: a Duo verification token at a company with no tenant and no Microsoft 365 earned "Sign-in runs
    through Cisco Duo ... within your Microsoft licence": a token shows the service is set up for the domain, not
    that staff sign in with it, and the company has no Microsoft licence. The play asks, and names the licences
    Entra ID P1 comes with."""
    play = choose_plays(None, find_services(txt=["duo_sso_verification=x"]), None, lang=lang)[0]
    for text in (play.reason, play.pitch):
        assert not re.search(
            r"within (?:the|your) Microsoft licen|lisans(?:ın|ınız)ın içinde|runs through|yürüyor", text
        )
        assert "Business Premium" in text, text
    assert play.pitch.count("?") == 1, play.pitch


@pytest.mark.parametrize("lang", ["en", "tr"])
@pytest.mark.parametrize(
    "evidence",
    [
        {"txt": ["dropbox-domain-verification=x"]},
        {"txt": ["dropbox-domain-verification=x", "box-domain-verification=y"]},
        {"spf_includes": ["_spf.salesforce.com"]},
        {"txt": ["hubspot-developer-verification=x"], "spf_includes": ["_spf.salesforce.com"]},
        {"spf_includes": ["mail.zendesk.com"]},
        {"spf_includes": ["servers.mcsv.net"]},
    ],
)
def test_service_plays_say_what_dns_shows_and_ask(evidence, lang):
    """trial 21: a HubSpot developer token and a Salesforce SPF include earned "Their customer records are in
    HubSpot and Salesforce", a Dropbox token "Your files are in Dropbox", read aloud to the customer. A record
    is a sign, not a fact: the reason says what DNS shows and tells the rep to ask, the pitch asks the customer
    one question, as the identity play does."""
    plays = [p for p in choose_plays(None, find_services(**evidence), None, lang=lang) if p.id != "teams"]
    assert plays
    for play in plays:
        assert re.search(r"DNS shows|DNS kayıtlarında .* görünüyor", play.reason), play.reason
        assert re.search(r"\bask\b|sorun\.", play.reason), play.reason
        assert play.pitch.count("?") == 1, play.pitch
        for text in (play.reason, play.pitch):
            assert not re.search(
                r"(?:files|records) are in|CRM is|runs on|You (?:run|send)|They send|üzerinde (?:duruyor|tutuyorlar)"
                r"|kayıtlarınız .* üzerinde;|kullanıyor(?:lar|sunuz)|yürütüyor(?:lar|sunuz);|gönderiyor(?:lar|sunuz);",
                text,
            ), text


def test_turkish_reads_as_turkish():
    tr = choose_plays(None, find_services(txt=["ZOOM_verify_a"]), None, lang="tr")[0]
    assert "kullanıyor olabilirler" in tr.reason and "Teams" in tr.reason  # seen, not asserted (a record)
    assert all(word not in tr.reason for word in (" they ", " the ", " and "))


def test_on_premises_exchange_and_lync_plays_name_the_records():
    onprem = fp(
        {
            ("autodiscover", "CNAME"): Reply(records=[f"mail.{D}"]),
            ("_sipfederationtls._tcp", "SRV"): Reply(records=[(0, 0, 5061, f"sip.{D}")]),
            ("sip", "CNAME"): Reply.nodata(),  # the edge exists and is no alias
        }
    )
    en = choose_plays(onprem, [], TENANT, lang="en")
    tr = choose_plays(onprem, [], TENANT, lang="tr")
    assert ids(en) == ["exchange-online-migration", "teams-migration", "intune"]
    assert f"autodiscover CNAME → mail.{D}" in en[0].reason and f"autodiscover CNAME → mail.{D}" in tr[0].reason
    assert "kendi sunucularında" in tr[0].reason
    assert f"_sipfederationtls._tcp SRV → sip.{D}:5061" in tr[1].reason


def test_hybrid_exchange_is_a_migration_play_too():
    hybrid = fp(
        {("autodiscover", "CNAME"): Reply(records=[f"owa.{D}"])}, mx=["ornek-com-tr.mail.protection.outlook.com"]
    )
    assert "exchange-online-migration" in ids(choose_plays(hybrid, [], None))
    # trial 21: a hybrid customer's mail is at Exchange Online already: finish the move, never "you run Exchange on
    # a server of your own; we can move your mailboxes" as if nothing were there yet
    for lang in ("en", "tr"):
        play = next(p for p in choose_plays(hybrid, [], None, lang=lang) if p.id == "exchange-online-migration")
        assert ("finish the move" if lang == "en" else "geçişi tamamla") in play.pitch, play.pitch
        assert "Exchange Online" in play.reason and f"owa.{D}" in play.reason, play.reason


def test_online_exchange_gets_no_migration_play():
    online = fp(
        {
            ("autodiscover", "CNAME"): Reply(records=["autodiscover.outlook.com"]),
            ("enterpriseenrollment", "CNAME"): Reply(records=["enterpriseenrollment-s.manage.microsoft.com"]),
        }
    )
    assert choose_plays(online, [], TENANT) == []


def test_intune_play_needs_a_tenant_and_proven_absence():
    assert "intune" in ids(choose_plays(NOTHING, [], TENANT))
    assert "intune" not in ids(choose_plays(NOTHING, [], None))  # no tenant, nothing to extend
    failed = fp({("enterpriseenrollment", "CNAME"): Reply.failed("timeout")})
    assert "intune" not in ids(choose_plays(failed, [], TENANT))  # unknown is not missing
    other_mdm = fp({("enterpriseenrollment", "CNAME"): Reply(records=[f"mdm.{D}"])})
    assert "intune" not in ids(choose_plays(other_mdm, [], TENANT))
    play = next(p for p in choose_plays(NOTHING, [], TENANT, lang="tr") if p.id == "intune")
    assert "tenant'ları var" in play.reason and play.evidence[0] == "a Microsoft tenant exists for the domain"
    assert "no enterpriseenrollment CNAME" in play.evidence


def test_adfs_play_only_for_a_federated_tenant_on_a_server_of_its_own():
    adfs = TenantFacts(has_tenant=True, namespace_type="Federated", federation_host="sts.ornek.com.tr")
    en = [p for p in choose_plays(None, [], adfs) if p.id == "entra-sign-in"]
    tr = [p for p in choose_plays(None, [], adfs, lang="tr") if p.id == "entra-sign-in"]
    assert en and "sts.ornek.com.tr" in en[0].reason and "AD FS" in en[0].reason
    assert tr and "sts.ornek.com.tr" in tr[0].reason and "oturum açma" in tr[0].reason.lower()
    managed = TenantFacts(has_tenant=True, namespace_type="Managed", federation_host=None)
    assert "entra-sign-in" not in ids(choose_plays(None, [], managed))
    okta = TenantFacts(has_tenant=True, namespace_type="Federated", federation_host="ornek.okta.com")
    plays = choose_plays(None, find_services(federation_host=okta.federation_host), okta)
    assert ids(plays) == ["entra-id"]  # Okta is a service play, not an AD FS one


def test_tenant_facts_from_tenant_info_and_dict():
    from hunter_cli.models import TenantInfo

    t = TenantInfo(id="x", namespace_type="Federated", federation_host="sts.a.com")
    assert TenantFacts.from_tenant(t) == TenantFacts(
        has_tenant=True, namespace_type="Federated", federation_host="sts.a.com"
    )
    assert TenantFacts.from_tenant(t.model_dump()).federation_host == "sts.a.com"
    assert TenantFacts.from_tenant(None) == TenantFacts()


def test_nothing_observed_means_no_plays():
    assert choose_plays(NOTHING, [], None) == []
    assert choose_plays(None, [], None, lang="tr") == []


def test_every_play_has_both_languages_and_only_known_placeholders():
    import string

    for rule in plays_catalog().plays:
        for lang in ("en", "tr"):
            text = getattr(rule.reason, lang)
            fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            assert fields <= {"services", "evidence", "host"}, (rule.id, lang)
            assert getattr(rule.offer, lang).strip()
        assert rule.reason.en != rule.reason.tr


@pytest.mark.parametrize(
    ("txt", "one"),
    [
        (["ZOOM_verify_a"], True),
        (["ZOOM_verify_a", "slack-domain-verification=b"], False),
        (["slack-domain-verification=b", "ZOOM_verify_a"], False),
    ],
)
def test_teams_plays_agree_in_number_with_the_services_they_name(txt, one):
    """ "a record for Zoom ... do you use it?" for one service, "records for Zoom and Slack ... do you use
    them?" for two (plays.json ``reason_many``/``pitch_many``), in the Teams play and, with Teams online,
    the Teams Phone play; Turkish "bir kayıt" / "kayıtlar" the same way."""
    services = find_services(txt=txt)
    teams_online = fp({("lyncdiscover", "CNAME"): Reply(records=["webdir.online.lync.com"])})
    for microsoft, play in ((None, "teams"), (teams_online, "teams-phone")):
        (en,) = [p for p in choose_plays(microsoft, services, TENANT, lang="en") if p.id == play]
        (tr,) = [p for p in choose_plays(microsoft, services, TENANT, lang="tr") if p.id == play]
        for text in (en.reason, en.pitch):
            assert ("a record for" in text) is one and ("records for" in text) is not one, text
            singular = any(w in text for w in ("use it ", "is it still", "whether it is"))
            plural = any(w in text for w in ("use them ", "are they still", "whether they are"))
            assert singular is one and plural is not one, text
        for text in (tr.reason, tr.pitch):
            one_tr = re.search(r"için (de )?bir kayıt", text) is not None
            many_tr = re.search(r"için (de )?kayıtlar", text) is not None
            assert one_tr is one and many_tr is not one, text
