"""`hunter prep`, `sales-summary` and `explain` as a rep sees them: no offer of what the customer already
uses, each warning once, every line in the brief's language, long host names folded only between their
labels, a missing domain said plainly."""

from __future__ import annotations

import re
import socket
import sqlite3
from datetime import date

import pytest

from hunter_cli.brief.messages import LANGUAGES

OWNED = ("sahip-intune.com.tr", "sahip-teams.com.tr", "sahip-google.com", "sahip-sunucu.com.tr")


@pytest.fixture
def owned(hunter, ms):
    """The tests/zones/brief-owned.zone domains scanned over real DNS, two of them with a tenant."""
    from msserver import Tenant

    ms.tenants["sahip-intune.com.tr"] = Tenant(id="51515151-1111-4222-8333-444444444444", brand="Sahip Intune")
    ms.tenants["sahip-google.com"] = Tenant(id="52525252-1111-4222-8333-444444444444", brand="Sahip Google")
    return hunter.scan_json(*OWNED, "--no-whois")


def _brief(data: dict, lang: str):
    from hunter_cli.brief.compose import compose

    return compose(data, lang=lang, today=date(2026, 11, 27))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_brief_never_sells_what_the_footprint_shows_in_use(owned, lang):
    """Intune enrolment, Teams Online: no play, tier, reason or talking point sells them again, the
    consistency check's ``owned`` rule holds, and a Microsoft workload in use is never a greenfield."""
    from test_brief_consistency import check

    from hunter_cli.brief.messages import Messages
    from hunter_cli.render.brief import markdown

    m = Messages(lang)
    briefs = {d: _brief(owned[d], lang) for d in OWNED}
    for d, b in briefs.items():
        assert check(markdown(b), lang) == [], d
    intune = briefs["sahip-intune.com.tr"]  # Microsoft 365, poorly protected, Intune in use
    assert intune.offer.tier == "defender" and "intune" not in intune.offer.plays
    assert m("offer.why.has.intune") in intune.offer.lines
    assert not any("Business Premium" in line for line in intune.offer.lines + intune.talking_points)
    # Teams Online and Zoom, but no tenant behind the records: the brief doubts them (the mail section
    # says they may be left over), so no "you already use Teams" play; Teams is offered with the rest
    teams = briefs["sahip-teams.com.tr"]
    assert teams.offer.plays == ["teams"]
    assert teams.one_liner == m("one_liner.P3.unconfirmed", window=teams.follow_up)
    google = briefs["sahip-google.com"]  # mail on Google; Teams and Intune in use
    assert google.offer.tier == "standard" and "defender" in google.offer.addons
    assert google.offer.plays == ["teams-phone"]
    assert google.questions[1] == m("q.P2.with_teams", provider="")[1]
    own = briefs["sahip-sunucu.com.tr"]  # their own mail server, Teams Online, no tenant found: asked, not told
    assert own.talking_points[:3] == m("talk.P1_microsoft.unconfirmed", provider=m("provider.self-hosted"))
    assert m("mail.no_tenant") not in own.mail
    assert own.offer.lines[-2] == m("offer.why.greenfield_microsoft.unconfirmed")


def _prep(hunter, *args: str, env: dict | None = None):
    """`hunter prep` through the test DNS server."""
    return hunter("prep", *args, "--nameserver", hunter.server.nameserver, "--timeout", "0.3", env=env)


@pytest.mark.parametrize("width", ["80", "60"])
def test_prep_folds_long_host_names_only_between_labels(hunter, width):
    """`COLUMNS=80 hunter prep`: an MX host, a DKIM CNAME target or an SPF include longer than the space
    left is broken after a dot or a hyphen (or starts a line of its own), never inside a label."""
    import json

    from test_brief_consistency import _cuts

    for domain in ("br5-barracuda-yeni.com.tr", "m365-dnssec-ornek.de", "cat5-spamexperts-m365.com.tr"):
        for lang in LANGUAGES:
            shown = _prep(hunter, domain, "--lang", lang, "--no-whois", env={"COLUMNS": width})
            assert shown.exit_code == 0, shown.stderr
            assert max(len(line) for line in shown.stdout.splitlines()) <= int(width)
            brief = json.loads(hunter("sales-summary", domain, "--lang", lang, "--json").stdout)
            texts = [*brief["mail"], *brief["security"], *brief["microsoft"], *brief["services"]]
            assert len(texts) > 5 and _cuts(shown.stdout, texts) == [], (domain, lang)


# English words no Turkish sentence of Hunter's uses; command names (scan, note, ...) and hosts are left
# out before looking (:func:`_english`)
ENGLISH = re.compile(
    r"\b(?:the|is|are|was|were|no|and|or|of|to|from|could|cannot|failed|fails|warning|error|showing|scanned|"
    r"scanning|rescanning|nothing|check|database|yet|unreachable|refused|timed|answer|holds|run|stored|lead|"
    r"registration|unknown|read-only|reading|only|writable|created|delete|try|again|with|without|asking)\b",
    re.I,
)
COMMANDS = re.compile(r"\bhunter \S+|\b(?:scan|import|tag|note|rescore|prep)\b|`[^`]*`")


def _english(text: str) -> list[str]:
    """The lines of ``text`` with an English word in them, host names, paths, options and commands aside."""
    out = []
    for line in text.splitlines():
        words = " ".join(w for w in COMMANDS.sub(" ", line).split() if not re.search(r"[./:_@=]|--", w))
        if ENGLISH.search(words):
            out.append(line.strip())
    return out


def _closed_port() -> int:
    """A loopback UDP port nothing listens on: queries to it are refused (ICMP port unreachable)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_prep_in_turkish_prints_no_english_sentence(hunter, ms, registries):
    """`prep --lang tr` against an unreachable resolver, a failing tenant stand-in and failing registries:
    errors, warnings, notes and the brief itself are all Turkish."""
    from hunter_cli.brief.messages import Messages

    tr = Messages("tr")
    dead = f"127.0.0.1:{_closed_port()}"
    rdap, whois = registries
    # a new database and an unreachable resolver: the error and the note about the new file
    new = hunter("prep", "firma.com.tr", "--lang", "tr", "--nameserver", dead, "--timeout", "0.2")
    assert new.exit_code == 1 and new.stdout == ""
    assert new.stderr.startswith(tr("cli.label.error") + ": DNS'e ulaşılamıyor") and dead in new.stderr
    assert tr("cli.label.note") + ": bu komut" in new.stderr
    assert _english(new.stderr) == []
    # the sign-in stand-in and both registries fail: the brief says so in Turkish
    ms.faults["google-tenant.com.tr"] = ("500", 100)
    whois.faults["google-tenant.com.tr"] = "close"
    rdap.faults["nomail.com"] = "500"
    for domain in ("google-tenant.com.tr", "nomail.com"):
        shown = _prep(hunter, domain, "--lang", "tr")
        # a failed tenant lookup makes the rescan partial: exit 5 with a Turkish warning (trial 23, C6)
        assert shown.exit_code == (5 if domain == "google-tenant.com.tr" else 0), shown.stderr
        assert _english(shown.stdout + shown.stderr) == [], domain
    assert tr("mail.tenant_unknown") in " ".join(_prep(hunter, "google-tenant.com.tr", "--lang", "tr").stdout.split())
    # what was not asked (--no-tenant, --no-whois) is said in Turkish too
    quiet = _prep(hunter, "gmailer.de", "--lang", "tr", "--no-tenant", "--no-whois")
    assert quiet.exit_code == 0 and _english(quiet.stdout + quiet.stderr) == []
    # a stored scan and then no resolver: the stored brief, after a Turkish error and warning
    stale = hunter("prep", "nomail.com", "--lang", "tr", "--max-age", "0s", "--nameserver", dead, "--timeout", "0.2")
    assert stale.exit_code == 5
    assert f"{tr('cli.label.warning')}: " in stale.stderr and "tarihli tarama gösteriliyor" in stale.stderr
    assert _english(stale.stdout + stale.stderr) == []
    # no brief yet: sales-summary and prep say why in Turkish
    never = hunter("sales-summary", "hic-taranmadi.com.tr", "--lang", "tr")
    assert never.exit_code == 1 and "henüz taranmadı" in never.stderr and _english(never.stderr) == []
    missing = hunter("sales-summary", "firma.com.tr", "--lang", "tr", "--db", str(hunter.db.parent / "yok.db"))
    assert missing.exit_code == 1 and "veritabanı yok" in missing.stderr and _english(missing.stderr) == []
    # the English brief still speaks English
    english = hunter("prep", "nomail.com", "--max-age", "0s", "--nameserver", dead, "--timeout", "0.2")
    assert english.stderr.startswith("error: DNS is unreachable") and "warning: showing the scan of" in english.stderr


@pytest.fixture
def read_only_db(hunter, db, tmp_path):
    """A database holding firma.com.tr scanned last week, seen read-only (a read-only bind mount as root:
    root writes through file permissions; chmod otherwise), as tests/test_store_faults.py does."""
    from conftest import read_only_folder

    hunter.scan_json("firma.com.tr", "--no-whois")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE domains SET last_good_at = '2026-01-05T09:30:00+00:00' WHERE domain = 'firma.com.tr'")
    with read_only_folder(db.parent, tmp_path / "ro", files=(db,)) as folder:
        yield folder / db.name


@pytest.mark.parametrize("lang", LANGUAGES)
def test_prep_on_a_read_only_database_warns_once(hunter, read_only_db, lang):
    """prep opens the store to decide and again to show the brief: the read-only warning is printed once,
    and so is every other line, in the brief's language."""
    from hunter_cli.brief.messages import Messages
    from hunter_cli.said import Said, in_lang

    db = str(read_only_db)
    read_only = in_lang(Said("cli.store.read_only", path=db), lang)
    for args in (["prep", "firma.com.tr"], ["sales-summary", "firma.com.tr"], ["prep", "yeni-firma.com.tr"]):
        result = hunter(*args, "--lang", lang, "--db", db)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == len(set(lines)), result.stderr
        assert sum(read_only in line for line in lines) == 1, result.stderr
        assert lines[0].startswith(Messages(lang)("cli.label.warning") + ": "), lines
        if lang == "tr":
            assert _english(result.stderr) == [], result.stderr
    stale = hunter("prep", "firma.com.tr", "--lang", lang, "--db", db)
    assert stale.exit_code == 5 and "firma.com.tr" in stale.stdout


def test_an_spf_error_without_words_is_still_said_in_the_briefs_language(hunter):
    """An SPF error code this release has no sentence for (a newer checker's) never puts the checker's
    English text into a Turkish brief."""
    data = hunter.scan_json("makro-harf.com.tr", "--no-tenant", "--no-whois")["makro-harf.com.tr"]
    assert data["spf"]["errors"], data["spf"]
    data["spf"]["errors"][0] |= {"code": "spf-some-new-error", "message": "the record breaks a new rule"}
    for lang, words in (("en", "an error receivers reject (spf-some-new-error)"), ("tr", "(spf-some-new-error)")):
        security = " ".join(_brief(data, lang).security)
        assert words in security and "breaks a new rule" not in security, security
        if lang == "tr":
            assert _english(security) == [], security


@pytest.mark.parametrize("lang", LANGUAGES)
def test_prep_tells_a_domain_dns_does_not_know_as_the_registry_explains_it(hunter, registries, lang):
    """prep asks the registry beside DNS. For an apex that is NXDOMAIN the brief says plainly whether the
    domain does not exist (the registry has no record, or none could be had), is registered but not in DNS
    (no name servers in use, on hold) or is gone because its registration expired; never "does not exist"
    next to a registration the registry holds."""
    from regserver import rdap_domain, trabis_whois
    from test_brief_consistency import check

    from hunter_cli.brief.messages import Messages

    m = Messages(lang)
    rdap, whois = registries
    rdap.domains["kayitli-dnssiz.com"] = rdap_domain("kayitli-dnssiz.com", registrar="Example Registrar")
    whois.records["askida-firma.com.tr"] = trabis_whois("askida-firma.com.tr", expires="2030-01-01")
    rdap.domains["suresi-bitmis.com"] = rdap_domain(
        "suresi-bitmis.com", registrar="Example Registrar", created="2010-01-01", expires="2025-06-01"
    )
    rdap.faults["kayit-hatali.com"] = "500"
    expected = {  # domain -> the mail section's line, the registration section's first words
        "kayitli-dnssiz.com": ("mail.nxdomain_registered", None),
        "askida-firma.com.tr": ("mail.nxdomain_registered", None),
        "suresi-bitmis.com": ("mail.nxdomain_expired", "reg.expired_nxdomain"),
        "hic-kaydi-yok.com": ("mail.nxdomain", "reg.not_found"),
        "kayit-hatali.com": ("mail.nxdomain", "reg.failed_unknown"),  # tried and failed (trial12 E6), not "yet"
    }
    for domain, (mail, reg) in expected.items():
        shown = _prep(hunter, domain, "--lang", lang, "--format", "markdown")
        assert shown.exit_code == 0, shown.stderr
        text = " ".join(shown.stdout.split())
        assert check(shown.stdout, lang) == [], (domain, check(shown.stdout, lang))
        assert m(mail) in text, (domain, text)
        if reg is None:
            assert m("mail.nxdomain") not in text and m("one_liner.P6_nxdomain") not in text
        else:
            assert m(reg, date=date(2025, 6, 1)).split(":")[0].split(";")[0] in text, (domain, text)
        if domain == "kayit-hatali.com":
            assert m("reg.failed", why=m("show.reg_kind.server-error")) in text, text
            assert m("reg.unknown") not in text, text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_prep_says_a_failed_rescan_once(hunter, dns, lang):
    """The resolver answers its check but not the domain's own questions: the scan says no domain got a
    DNS answer, and prep adds no second error about the same failure."""
    for question in (("firma.com.tr", "MX"), ("firma.com.tr", "TXT"), ("_dmarc.firma.com.tr", "TXT")):
        dns.faults[question] = "drop"
    result = hunter(
        "prep", "firma.com.tr", "--lang", lang, "--no-whois", "--nameserver", dns.nameserver, "--timeout", "0.2"
    )
    assert result.exit_code == 1 and result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith(" ")]
    assert len(errors) == 1 and dns.nameserver in result.stderr, result.stderr


@pytest.mark.parametrize(("sig", "code"), [("SIGINT", 130), ("SIGTERM", 143)])
def test_prep_stopped_during_its_rescan_stops_with_the_scans_exit_status(hunter, hunter_cmd, dns, sig, code):
    """Ctrl-C (or SIGTERM) while prep rescans: no brief after it, and the exit status says it was stopped
    (a trial saw exit 5 and the stored brief printed with 'the scan ended with exit code 130')."""
    import signal
    import subprocess
    import time

    assert hunter("scan", "firma.com.tr", "--no-whois", "-q").exit_code == 0  # a stored brief exists
    dns.faults[("firma.com.tr", "MX")] = ("delay", 20)
    dns.reset_log()
    base, env = hunter_cmd
    argv = [*base, "prep", "firma.com.tr", "--max-age", "0s", "--no-whois", "--nameserver", dns.nameserver]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    end = time.monotonic() + 60
    while not dns.count("firma.com.tr", "MX") and time.monotonic() < end:  # the rescan has begun
        time.sleep(0.05)
    proc.send_signal(getattr(signal, sig))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert out == "" and "Traceback" not in err
    assert "exit code" not in err
