"""Call-brief faults a fresh-user trial found, each as a kind, over the suite's real DNS server (zones in
tests/zones/brief10.zone and brief7.zone), in English and Turkish:

- an SPF include the mail section reads as left from before a move is never listed as a service in use
  ("Their other services", `leads show`);
- mail that moved away from Microsoft 365 (a stored ``provider_changed`` event) is a win-back in the
  one-liner, talking points, questions, next step and offer;
- an MX written as an IP address (RFC 5321 5.1, RFC 7505 3: an MX names a host) is said, and when no
  other MX host takes mail the lead is ranked like mail that bounces (``broken_mail``);
- a parked domain with no null MX "most likely receives no mail" in every line, never "takes no mail";
- a partial scan whose failed lookups the store carried forward keeps the lead's score in the brief as
  in `hunter leads`, and the brief says the latest scan was partial.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from test_brief_consistency import check

from hunter_cli.brief.messages import Messages


def _brief(hunter, domain: str, lang: str) -> dict:
    result = hunter("sales-summary", domain, "--json", "--lang", lang)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _text(brief: dict) -> str:
    parts = [brief["one_liner"], brief.get("risk_text") or ""]
    for key in ("mail", "security", "microsoft", "services", "priority", "talking_points", "questions"):
        parts += brief[key]
    return "\n".join(parts + brief["offer"]["lines"] + [brief["next_step"]])


def _show(hunter, domain: str) -> str:
    result = hunter("leads", "show", domain, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _show_flat(hunter, domain: str) -> str:
    """`leads show` wide enough that no sentence wraps, its whitespace collapsed."""
    result = hunter("leads", "show", domain, env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.stderr
    return " ".join(result.stdout.split())


# -- 1. an SPF leftover is no service in use ---------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "tr"])
@pytest.mark.parametrize("domain", ["b7-tasindi.com.tr", "b10-yandex-left.com.tr"])
def test_an_spf_leftover_is_never_listed_as_a_service_in_use(hunter, lang, domain):
    """The mail section reads the other provider's include as left from before a move; the services
    section says the same of it, and never lists it with the plain "their SPF record lets ... send"."""
    m = Messages(lang)
    assert hunter("scan", domain, "--no-whois", "-q").exit_code == 0
    brief = _brief(hunter, domain, lang)
    google = m("provider.google")
    assert any(google in line and "_spf.google.com" in line for line in brief["mail"])  # the leftover line
    listed = [line for line in brief["services"] if line.startswith(google)]
    assert listed, brief["services"]
    in_use = m("svc.line", name=google, category=m("svc.cat.productivity"), how="")
    assert not any(line.startswith(in_use) for line in listed), listed
    label = m(f"provider.{brief['provider']}")
    # with no tenant found behind the Microsoft 365 records (the stand-in knows none), "their MX points at"
    keys = {m("svc.leftover", name=google, include="_spf.google.com", provider=label)}
    keys.add(m("svc.leftover.unconfirmed", name=google, include="_spf.google.com", provider=label))
    assert len(listed) == 1 and listed[0] in keys, listed
    show = _show(hunter, domain)
    assert "Google Workspace (only in SPF: probably left from before a move)" in show


def test_a_leftover_include_beside_other_evidence_is_said_as_a_leftover(hunter):
    """Google Workspace is also verified by a site-verification record: the service stays listed on
    that evidence, but its SPF include is said as the leftover the mail section calls it."""
    domain = "b10-m365-verified-left.com.tr"
    assert hunter("scan", domain, "--no-whois", "-q").exit_code == 0
    for lang, words in (("en", "probably left from before a move"), ("tr", "önceki bir geçişten kalmış")):
        services = _brief(hunter, domain, lang)["services"]
        line = next(line for line in services if line.startswith("Google Workspace"))
        assert "_spf.google.com" in line and words in line, line
        assert Messages(lang)("svc.how.spf", host="_spf.google.com") not in line


# -- 2. a move away from Microsoft 365 is a win-back --------------------------------------------

W = "b10-geri-kazan.com.tr"
ON_M365 = f"""{W}. 300 IN MX 0 b10-geri-kazan-com-tr.mail.protection.outlook.com.
b10-geri-kazan-com-tr.mail.protection.outlook.com. 300 IN A 198.51.100.250
{W}. 300 IN TXT "v=spf1 include:spf.protection.outlook.com -all"
_dmarc.{W}. 300 IN TXT "v=DMARC1; p=quarantine"
"""
ON_GOOGLE = f"""{W}. 300 IN MX 1 smtp.google.com.
{W}. 300 IN TXT "v=spf1 include:_spf.google.com ~all"
_dmarc.{W}. 300 IN TXT "v=DMARC1; p=quarantine"
"""
ON_UNKNOWN = f"""{W}. 300 IN MX 10 mx1.b10-bilinmeyen-posta.net.
mx1.b10-bilinmeyen-posta.net. 300 IN A 198.51.100.251
{W}. 300 IN TXT "v=spf1 include:spf.b10-bilinmeyen-posta.net -all"
_dmarc.{W}. 300 IN TXT "v=DMARC1; p=quarantine"
"""


def _scan_through(hunter, dns, zone_text, *zones: str) -> None:
    from test_brief_changes import _scan_through as scan_through

    scan_through(hunter, dns, zone_text, *zones, domain=W)


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_mail_that_left_microsoft_365_is_a_win_back(hunter, dns, zone_text, lang):
    """Scanned at Microsoft 365, then at Google Workspace: the one-liner, talking points, questions,
    next step and offer all speak of the move away from Microsoft 365, never "your mailboxes are still on
    Google Workspace" as a first sale; `hunter changes` has the event."""
    _scan_through(hunter, dns, zone_text, ON_M365, ON_GOOGLE)
    m = Messages(lang)
    assert "Microsoft 365 → Google Workspace" in hunter("changes", env={"COLUMNS": "200"}).stdout
    brief = _brief(hunter, W, lang)
    google = m("provider.google")
    moved = next(e for e in brief["changes"] if e["kind"] == "provider_changed")
    day = date.fromisoformat(moved["occurred_at"][:10])
    assert brief["one_liner"] == m("one_liner.winback", provider=google, window=brief["follow_up"], date=day)
    assert brief["talking_points"][: len(m.data["talk.winback"])] == m("talk.winback", provider=google)
    assert brief["questions"][: len(m.data["q.winback"])] == m("q.winback", provider=google)
    assert brief["next_step"] == m("next.winback", window=brief["follow_up"])
    assert m("offer.why.winback", provider=google) in brief["offer"]["lines"]
    competitive = m.data["offer.why.competitive"].split("{")[0]
    assert not any(line.startswith(competitive) for line in brief["offer"]["lines"])
    assert not any(line == m("talk.P2", provider=google)[0] for line in brief["talking_points"])
    assert any(e["kind"] == "provider_changed" and e["old"] == "m365" for e in brief["changes"])
    markdown = hunter("sales-summary", W, "--format", "markdown", "--lang", lang).stdout
    assert check(markdown, lang) == []  # the consistency rules, ``winback`` among them


ON_GOOGLE_STRICT = ON_GOOGLE.replace("~all", "-all").replace("p=quarantine", "p=reject")


def test_a_win_back_outlives_the_events_shown(hunter, dns, zone_text):
    """The move away from Microsoft 365 is older than the latest change events the brief shows (DMARC and
    SPF changed back and forth since): the brief is still a win-back, and the move is still in `changes`."""
    _scan_through(hunter, dns, zone_text, ON_M365, ON_GOOGLE, *[ON_GOOGLE_STRICT, ON_GOOGLE] * 3)
    m = Messages("en")
    brief = _brief(hunter, W, "en")
    assert not any(e["kind"] == "provider_changed" for e in brief["changes"])  # out of the shown window
    assert brief["changes_total"] > len(brief["changes"])
    google = m("provider.google")
    assert brief["talking_points"][: len(m.data["talk.winback"])] == m("talk.winback", provider=google)
    assert brief["next_step"] == m("next.winback", window=brief["follow_up"])


def test_a_move_to_an_unrecognised_service_is_a_win_back_without_naming_it(hunter, dns, zone_text):
    """Microsoft 365, then a mail service the catalog does not know: the win-back is said, and what is
    said to the customer names no internal label ("a mail service we do not recognise")."""
    _scan_through(hunter, dns, zone_text, ON_M365, ON_UNKNOWN)
    for lang in ("en", "tr"):
        m = Messages(lang)
        brief = _brief(hunter, W, lang)
        assert brief["provider"] == "other"
        assert brief["talking_points"][:3] == m("talk.winback.unnamed")
        assert brief["questions"][:4] == m("q.winback.unnamed")
        said = "\n".join(brief["talking_points"] + brief["questions"])
        assert m("provider.other") not in said


def test_a_move_on_from_where_they_went_is_still_a_win_back(hunter, dns, zone_text):
    """Microsoft 365, then an unrecognised service, then Google Workspace: they still left Microsoft 365 and
    never came back; the brief is a win-back, and the consistency rules hold."""
    _scan_through(hunter, dns, zone_text, ON_M365, ON_UNKNOWN, ON_GOOGLE)
    for lang in ("en", "tr"):
        m = Messages(lang)
        brief = _brief(hunter, W, lang)
        assert brief["talking_points"][:3] == m("talk.winback", provider=m("provider.google"))
        markdown = hunter("sales-summary", W, "--format", "markdown", "--lang", lang).stdout
        assert check(markdown, lang) == []


def test_a_move_to_microsoft_365_or_back_again_is_no_win_back(hunter, dns, zone_text):
    """Google, then Microsoft 365: a customer won, no win-back. Microsoft 365, Google, then Microsoft 365
    again: back home, no win-back either."""
    _scan_through(hunter, dns, zone_text, ON_GOOGLE, ON_M365)
    brief = _brief(hunter, W, "en")
    assert "win-back" not in brief["one_liner"]
    _scan_through(hunter, dns, zone_text, ON_GOOGLE, ON_M365)
    assert "win-back" not in _brief(hunter, W, "en")["one_liner"]


# -- 3. an MX written as an IP address --------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "tr"])
@pytest.mark.parametrize("domain", ["ip-mx.com.tr", "b10-ipmx.com.tr"])
def test_an_mx_that_is_only_an_ip_address_is_mail_that_may_bounce(hunter, lang, domain):
    """An MX names a host (RFC 5321 5.1): with only an address there, most senders refuse or bounce mail
    to the domain. The brief says so and ranks it with mail that bounces (P1, ``broken_mail``), never
    "a mail service we do not recognise ... keep nurturing"."""
    m = Messages(lang)
    assert hunter("scan", domain, "--no-whois", "-q").exit_code == 0
    brief = _brief(hunter, domain, lang)
    ip = brief["mail"][0].split()[-1].rstrip(".")
    assert brief["provider"] == "broken" and brief["category"] == "P1"
    assert m("mail.mx_ip_literal", hosts=ip) in brief["mail"]
    assert brief["one_liner"] == m("one_liner.P1_mx_ip", window=brief["follow_up"])
    assert brief["talking_points"][:3] == m("talk.P1_mx_ip")
    assert brief["questions"][:3] == m("q.P1_mx_ip")
    # the words for an MX host that does not resolve are not said of an address
    assert m("mail.mx_broken") not in brief["mail"]
    assert m("talk.P1_broken")[0] not in brief["talking_points"]
    # `leads show` says it in the brief's words (English: the command's language)
    assert Messages("en")("mail.mx_ip_literal", hosts=ip) in _show_flat(hunter, domain)


def test_an_mx_address_beside_a_working_host_is_a_warning(hunter):
    """A working MX host beside one written as an address: mail arrives at the host; the brief says the
    address is skipped and should name a host, and does not call the mail broken."""
    domain = "b10-ipmx-beside.com.tr"
    assert hunter("scan", domain, "--no-whois", "-q").exit_code == 0
    for lang in ("en", "tr"):
        m = Messages(lang)
        brief = _brief(hunter, domain, lang)
        assert brief["provider"] == "self-hosted"
        assert m("mail.mx_ip_literal_beside", hosts="203.0.113.10") in brief["mail"]
        assert m("mail.mx_ip_literal", hosts="203.0.113.10") not in brief["mail"]
    beside = Messages("en")("mail.mx_ip_literal_beside", hosts="203.0.113.10")
    assert beside in _show_flat(hunter, domain)  # `leads show` in the brief's words


# -- 4. a parked domain with no null MX ---------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "tr"])
@pytest.mark.parametrize("domain", ["b7-park-spf.com.tr", "b10-park-aaaa.com.tr"])
def test_a_parked_domain_without_a_null_mx_most_likely_receives_no_mail_everywhere(hunter, lang, domain):
    """No MX but an address record (the implicit MX, RFC 5321 5.1): no line says it "takes no mail"."""
    m = Messages(lang)
    assert hunter("scan", domain, "--no-whois", "-q").exit_code == 0
    brief = _brief(hunter, domain, lang)
    assert brief["state"] == "parked"
    assert brief["one_liner"] == m("one_liner.P6_parked_no_mx")
    certain = m("risk.none").split("(")[1].rstrip(")")  # "the domain takes no mail"
    assert certain not in _text(brief), [line for line in _text(brief).splitlines() if certain in line]
    assert m("mail.no_mx") in brief["mail"]


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_parked_domain_with_a_null_mx_takes_no_mail(hunter, lang):
    m = Messages(lang)
    assert hunter("scan", "b10-park-null.com.tr", "--no-whois", "-q").exit_code == 0
    brief = _brief(hunter, "b10-park-null.com.tr", lang)
    assert brief["one_liner"] == m("one_liner.P6_parked")
    assert m("mail.null_mx") in brief["mail"]


# -- 5. a partial scan keeps the last good score, in the list and the brief ----------------------

S = "b10-stale.com.tr"


@pytest.mark.parametrize(
    ("fault_key", "check"),
    [((S, "TXT"), "txt"), (f"_dmarc.{S}", "dmarc")],
)
@pytest.mark.parametrize("fault", ["drop", "servfail"])
def test_a_partial_scan_keeps_the_score_the_lead_list_shows(hunter, dns, fault_key, check, fault):
    """A good scan, then one whose TXT (or DMARC) lookup times out or fails: the store keeps the last
    good values and score, `hunter leads` shows them, and the brief scores the same, saying the latest
    scan could not look up that record. Never "not scored" beside a list that shows a score."""
    assert hunter("scan", S, "--no-whois", "-q").exit_code == 0
    dns.faults[fault_key] = fault
    assert hunter("scan", S, "--no-whois", "-q", "--timeout", "0.3").exit_code in (0, 5)
    dns.clear_faults()
    rows = json.loads(hunter("leads", "-f", "json", "--limit", "0").stdout)
    row = next(r for r in rows if r["domain"] == S)
    assert row["score"] is not None
    for lang in ("en", "tr"):
        m = Messages(lang)
        brief = _brief(hunter, S, lang)
        assert brief["status"] == "partial"
        assert (brief["score"], brief["category"]) == (row["score"], row["category"])
        assert brief["mail"][0].startswith(m.data["mail.stale"].split("{")[0])
        assert m.label("check", check) in brief["mail"][0]
        assert brief["priority"][0].startswith(m.data["prio.stale"].split("{")[0])
        assert m("prio.unscored") not in brief["priority"]
        # the carried records are told as the last known ones, not as "could not be checked"
        assert m("sec.spf_unknown") not in brief["security"] and m("sec.dmarc_unknown") not in brief["security"]


def test_a_first_scan_that_is_partial_stays_unscored_in_both(hunter, dns):
    """With no earlier good result there is nothing to carry: the list has no score, the brief says so."""
    dns.faults[(S, "TXT")] = "servfail"
    assert hunter("scan", S, "--no-whois", "-q").exit_code in (0, 5)
    dns.clear_faults()
    rows = json.loads(hunter("leads", "-f", "json", "--limit", "0").stdout)
    assert next(r for r in rows if r["domain"] == S)["score"] is None
    brief = _brief(hunter, S, "en")
    assert brief["score"] is None and brief["priority"] == [Messages("en")("prio.unscored")]
