"""A fresh user's trial (polish11): `leads show`, `explain`, the scan summary and the scan table speak
the rep's language and say what they mean, against the suite's real DNS server, in English and Turkish."""

from __future__ import annotations

import re

import pytest

FP_FAULTS = ("enterpriseenrollment", "lyncdiscover", "_sipfederationtls._tcp", "_mta-sts")


def _panel(text: str) -> str:
    """The text of a Rich panel without its frame, lines joined by spaces (what a rep reads)."""
    lines = [ln.strip("│╭╮╰╯─ ") for ln in text.splitlines()]
    return re.sub(r"\s+", " ", " ".join(lines))


# -- leads show: segment, reasons, gateway, DMARC words, registration failure ---------------------------
@pytest.mark.parametrize(
    "lang, segment, reasons, gateway",
    [
        (
            "en",
            "Segment Existing (readiness segment)",
            ["+50 mail provider Microsoft 365", "+5 security gateway in front of the mailbox", "-15 no DKIM key"],
            "Gateway Mimecast",
        ),
        (
            "tr",
            "Segment Mevcut (hazırlık segmenti)",
            [
                "+50 e-posta sağlayıcısı: Microsoft 365",
                "+5 posta kutusunun önünde bir e-posta güvenlik ağ geçidi var",
                "-15 alıcıların kullandığı bir DKIM anahtarı yok",
                "segment kuralı: e-postaları Microsoft 365'te çalışıyor",
                "kategori kuralı: Microsoft 365, puan 69 ya da altı",
            ],
            "Ağ geçidi Mimecast",
        ),
    ],
)
def test_leads_show_says_segment_reasons_and_gateway_in_words(hunter, lang, segment, reasons, gateway):
    hunter.scan_json("gw-ms-token.com", "--no-whois")
    result = hunter("leads", "show", "gw-ms-token.com", "--lang", lang)
    assert result.exit_code == 0, result.stderr
    text = _panel(result.stdout)
    assert segment in text
    assert gateway in text
    for reason in reasons:
        assert reason in text, (reason, text)
    for code in ("provider:m365", "no_dkim", "no_dmarc", "segment:existing", "category:", "mimecast "):
        assert code not in text, code
    if lang == "tr":
        assert "Existing" not in text


@pytest.mark.parametrize(
    "lang, policy",
    [("en", "DMARC reject "), ("tr", "DMARC reddetme (p=reject)")],
)
def test_leads_show_words_the_dmarc_policy(hunter, lang, policy):
    hunter.scan_json("firma.com.tr", "--no-whois")
    text = _panel(hunter("leads", "show", "firma.com.tr", "--lang", lang).stdout)
    assert policy in text


@pytest.mark.parametrize(
    "lang, expected, raw",
    [
        ("en", "lookup failed: the registry server could not be reached; detail: cannot resolve WHOIS server", None),
        ("tr", "sorgu başarısız: kayıt sunucusuna ulaşılamadı; ayrıntı: cannot resolve WHOIS server", "unreachable"),
    ],
)
def test_a_failed_registration_lookup_is_worded_and_kept_apart_from_its_detail(hunter, lang, expected, raw):
    env = {"HUNTER_WHOIS_HOST": "whois.nowhere.invalid:43"}  # a name the test DNS server does not know
    assert hunter("scan", "google-tenant.com.tr", env=env).exit_code == 0
    text = _panel(hunter("leads", "show", "google-tenant.com.tr", "--lang", lang).stdout)
    assert expected in text, text
    assert "unreachable cannot" not in text
    if raw:
        assert raw not in text


# -- explain: ids reach nobody -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "domain, lang, expected, not_expected",
    [
        ("firma.com.tr", "tr", "e-posta sağlayıcısı: Microsoft 365", "sağlayıcısı: m365"),
        ("firma.com.tr", "en", "mail provider Microsoft 365", "mail provider m365"),
        ("google-tenant.com.tr", "tr", "e-posta sağlayıcısı: Google Workspace", "sağlayıcısı: google"),
        ("google-tenant.com.tr", "en", "mail provider Google Workspace", "mail provider google"),
    ],
)
def test_explain_names_the_provider_not_its_id(hunter, domain, lang, expected, not_expected):
    hunter.scan_json(domain, "--no-whois")
    result = hunter("explain", domain, "--lang", lang)
    assert result.exit_code == 0, result.stderr
    assert expected in result.stdout and not_expected not in result.stdout


# -- the scan summary says what failed, with Turkish number agreement -------------------------------------
@pytest.mark.parametrize(
    "lang, expected, wrong",
    [
        ("en", "1 MTA-STS policy could not be fetched (unreachable)", "footprint unreachable"),
        ("tr", "1 MTA-STS politikası alınamadı (ulaşılamadı)", "Microsoft kayıtları ulaşılamadı"),
    ],
)
def test_the_summary_says_an_mta_sts_policy_could_not_be_fetched(hunter, lang, expected, wrong):
    result = hunter("scan", "sts-kapali.com.tr", "--no-whois", "--no-tenant", "--lang", lang)
    assert result.exit_code == 0, result.stderr
    err = re.sub(r"\s+", " ", result.stderr)
    assert expected in err, err
    assert wrong not in err


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("en", "4 Microsoft footprint lookups failed (SERVFAIL)"),
        ("tr", "4 Microsoft kaydı sorgusu başarısız oldu (SERVFAIL)"),  # the noun singular after a number
    ],
)
def test_the_summary_counts_footprint_lookups_with_the_number_s_grammar(hunter, dns, lang, expected):
    for name in FP_FAULTS:
        dns.faults[f"{name}.fp-hata-ornek.com.tr"] = "servfail"
    result = hunter("scan", "fp-hata-ornek.com.tr", "--no-whois", "--lang", lang)
    assert result.exit_code == 0, result.stderr
    err = re.sub(r"\s+", " ", result.stderr)
    assert expected in err, err
    assert "kayıtları" not in err


# -- leads show: the scan history counts repeated failures ---------------------------------------------
@pytest.mark.parametrize(
    "lang, expected, repeated",
    [
        ("en", "FOOTPRINT SERVFAIL x4", "FOOTPRINT SERVFAIL, FOOTPRINT"),
        ("tr", "Microsoft kayıtları SERVFAIL (4 kez)", "SERVFAIL, Microsoft"),
    ],
)
def test_the_scan_history_counts_repeats_instead_of_repeating(hunter, dns, lang, expected, repeated):
    for name in FP_FAULTS:
        dns.faults[f"{name}.fp-hata-ornek.com.tr"] = "servfail"
    assert hunter("scan", "fp-hata-ornek.com.tr", "--no-whois").exit_code == 0
    out = hunter("leads", "show", "fp-hata-ornek.com.tr", "--lang", lang, env={"COLUMNS": "200"}).stdout
    history = out[out.index("(") :]
    assert expected in history, history
    assert repeated not in history


@pytest.mark.parametrize(
    "lang, worded",
    [
        ("en", "MX CNAME loop, TXT CNAME loop, FOOTPRINT CNAME loop"),
        ("tr", "MX CNAME döngüsü, TXT kayıtları CNAME döngüsü, Microsoft kayıtları CNAME döngüsü"),
    ],
)
def test_the_scan_history_words_every_failure_in_every_language(hunter, lang, worded):
    """trial24 F9: the English history gave the stored codes (``mx cname-loop``) where Turkish gave words."""
    assert hunter("scan", "loop-apex.com", "--no-whois", "--no-tenant").exit_code == 7  # every domain failed
    out = hunter("leads", "show", "loop-apex.com", "--lang", lang, env={"COLUMNS": "200"}).stdout
    history = out[out.index("(") :]
    assert worded in history, history
    assert "cname-loop" not in history and "mx cname" not in history


def test_the_scan_history_names_an_mta_sts_failure_as_such(hunter):
    assert hunter("scan", "sts-kapali.com.tr", "--no-whois", "--no-tenant").exit_code == 0
    out = hunter("leads", "show", "sts-kapali.com.tr", "--lang", "tr", env={"COLUMNS": "200"}).stdout
    assert "MTA-STS politikası ulaşılamadı" in out and "Microsoft kayıtları" not in out


# -- the scan table keeps the gateway at 80 columns ----------------------------------------------------
def test_the_scan_table_at_80_columns_keeps_the_gateway_on_the_provider(hunter):
    result = hunter(
        "scan", "gw-ms-token.com", "b10-m365-verified-left.com.tr", "namecheap-forward-sample.net", "--no-whois",
        env={"COLUMNS": "80"},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    row = next(line for line in lines if "gw-ms-token.com" in line)
    assert "mimecast" in row.lower(), result.stdout
    assert all(len(line.rstrip()) <= 80 for line in lines)


# -- changes: a table cell is not Markdown ---------------------------------------------------------------
_SPF_BEFORE = """
degisen-spf.com.tr. 300 IN MX 10 mx.degisen-spf.com.tr.
mx.degisen-spf.com.tr. 300 IN A 192.0.2.10
degisen-spf.com.tr. 300 IN TXT "v=spf1 mx -all"
"""


@pytest.fixture
def spf_changed(hunter, dns, zone_text):
    """degisen-spf.com.tr scanned with ``v=spf1 mx -all``, then with an include and an ip4 term added and
    ``mx`` removed; the test server's zones restored afterwards."""
    try:
        dns.load(zone_text + _SPF_BEFORE)
        assert hunter("scan", "degisen-spf.com.tr", "--no-whois", "--no-tenant").exit_code == 0
        after = _SPF_BEFORE.replace(
            '"v=spf1 mx -all"', '"v=spf1 include:spf.protection.outlook.com ip4:192.0.2.0/24 ~all"'
        )
        dns.load(zone_text + after)
        assert hunter("scan", "degisen-spf.com.tr", "--no-whois", "--no-tenant").exit_code == 0
        yield
    finally:
        dns.load(zone_text)


@pytest.mark.parametrize("lang, added", [("en", "added"), ("tr", "eklendi")])
def test_changes_and_leads_show_print_no_markdown_backticks(hunter, spf_changed, lang, added):
    for argv in (["changes", "--since", "1d"], ["leads", "show", "degisen-spf.com.tr"]):
        result = hunter(*argv, "--lang", lang, env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.stderr
        assert "spf.protection.outlook.com" in result.stdout and added in result.stdout, result.stdout
        assert "`" not in result.stdout, result.stdout


def test_a_change_description_is_plain_text_in_every_language():
    from hunter_cli.render.changes import describe

    before, after = "v=spf1 a mx -all", "v=spf1 mx include:_spf.example.net ?all"
    for lang in ("en", "tr"):
        assert "`" not in describe("spf_changed", before, after, lang=lang)
    assert describe("spf_changed", before, after, lang="tr").startswith(
        "SPF kaydı değişti: include:_spf.example.net mekanizması eklendi"
    )


# -- Turkish usage lines: the placeholders in Turkish ------------------------------------------------------
@pytest.mark.parametrize(
    "argv, env, usage",
    [
        (["leads", "--bogus", "--lang", "tr"], {}, "Kullanım: hunter leads [SEÇENEKLER] KOMUT [ARGÜMANLAR]..."),
        (["tag", "--lang", "tr"], {}, "Kullanım: hunter tag [SEÇENEKLER] ALAN_ADI ETİKET..."),
        (["scan", "--bogus"], {"HUNTER_LANG": "tr"}, "Kullanım: hunter scan [SEÇENEKLER] GİRDİ..."),
        (["leads", "--bogus"], {}, "Usage: hunter leads [OPTIONS] COMMAND [ARGS]..."),
    ],
)
def test_a_usage_error_s_usage_line_speaks_the_command_s_language(hunter, argv, env, usage):
    result = hunter(*argv, env=env, dns_args=False)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == usage, result.stderr
    if "Kullanım" in usage:
        assert not re.search(r"OPTIONS|COMMAND|ARGS|DOMAIN|INPUT", result.stderr)


@pytest.mark.parametrize(
    "argv, env, usage",
    [
        (["note", "-h", "--lang", "tr"], {}, "Kullanım: hunter note [SEÇENEKLER] ALAN_ADI METİN"),
        (["leads", "show", "-h", "--lang", "tr"], {}, "Kullanım: hunter leads show [SEÇENEKLER] ALAN_ADI"),
        (["note", "-h"], {}, "Usage: hunter note [OPTIONS] DOMAIN TEXT"),
    ],
)
def test_help_s_usage_line_speaks_the_command_s_language(hunter, argv, env, usage):
    result = hunter(*argv, env=env, dns_args=False)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == usage, result.stdout


# -- config show: a URL is never broken mid-word --------------------------------------------------------
@pytest.mark.parametrize("columns", ["80", "64"])
def test_config_show_never_breaks_a_url_inside_a_word(hunter, columns):
    url = "https://partner-api.contoso-ornek.com.tr/v1/customers/referrals-eu-west.json"
    from hunter_cli.cli import app

    env = {**hunter.env, "COLUMNS": columns, "HUNTER_PARTNER_API_URL": url}
    result = hunter.runner.invoke(app, ["config", "show"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert all(len(line.rstrip()) <= int(columns) for line in out.splitlines())
    # the value's lines, read back: each but the last ends at a slash, and together they are the URL
    rows = out.splitlines()
    col = next(ln for ln in rows if ln.startswith("setting")).index("value")
    for name, whole in (
        ("psl_url", "(https://publicsuffix.org/list/public_suffix_list.dat)"),
        ("partner_api_url", url),
    ):
        start = next(i for i, ln in enumerate(rows) if ln.startswith(name + " "))
        pieces = [rows[start][col:].strip()]
        for line in rows[start + 1 :]:
            if line[:col].strip():
                break
            pieces.append(line.strip())
        assert "".join(pieces) == whole, out
        assert all(p.endswith("/") for p in pieces[:-1]), out


# -- a new database in a folder that cannot be written ---------------------------------------------------
@pytest.mark.parametrize(
    "lang, says, wrong",
    [
        ("en", ["cannot be written", "no database"], "Reading commands"),
        ("tr", ["yazılamıyor", "veritabanı yok"], "Okuma komutları"),
    ],
)
def test_a_new_database_in_a_read_only_folder_says_the_folder_cannot_be_written(hunter, tmp_path, lang, says, wrong):
    from conftest import read_only_folder

    listing = tmp_path / "liste.txt"
    listing.write_text("firma.com.tr\n", "utf-8")
    folder = tmp_path / "klasor"
    folder.mkdir()
    with read_only_folder(folder, tmp_path / "ro") as ro:
        target = ro / "new.db"
        for argv in (["scan", str(listing), "--no-whois"], ["import", str(listing)]):  # both create a database
            result = hunter(*argv, "--db", str(target), env={"HUNTER_LANG": lang})
            assert result.exit_code != 0, (argv, result.stdout)
            err = re.sub(r"\s+", " ", result.stderr)
            for part in says:
                assert part in err, (argv, err)
            assert wrong not in err, (argv, err)
            assert str(ro) in err
        assert not target.exists()


# -- a rules file that cannot be used is said as such by every command that reads it -----------------------
BAD_RULES = {
    "not-json.json": ("{ not json", "not valid JSON"),
    "not-rules.json": ('{"weights": {"spf": "ten"}}', "unknown section 'weights'"),
}


@pytest.mark.parametrize("name", sorted(BAD_RULES))
@pytest.mark.parametrize(
    "argv, code",
    [
        (["leads"], 0),
        (["leads", "show", "firma.com.tr"], 0),
        (["explain", "firma.com.tr"], 1),
        (["sales-summary", "firma.com.tr"], 1),
        (["prep", "firma.com.tr"], 1),
        (["rescore"], 1),
        (["scan", "firma.com.tr", "--no-whois"], 1),
    ],
)
def test_a_bad_rules_file_is_named_with_what_is_wrong_and_no_rescore_is_advised(hunter, tmp_path, name, argv, code):
    hunter.scan_json("firma.com.tr", "--no-whois")
    text, fault = BAD_RULES[name]
    rules = tmp_path / name
    rules.write_text(text, "utf-8")
    result = hunter(*argv, env={"HUNTER_RULES": str(rules), "COLUMNS": "300"})
    assert result.exit_code == code, result.stderr
    err = re.sub(r"\s+", " ", result.stderr)
    assert f"the scoring rules file {rules} (HUNTER_RULES) cannot be used" in err, err
    assert fault in err, err
    assert "rescore" not in err and "other scoring rules" not in err, err


def test_a_bad_rules_file_is_said_in_turkish(hunter, tmp_path):
    hunter.scan_json("firma.com.tr", "--no-whois")
    rules = tmp_path / "kurallar.json"
    rules.write_text("{ bozuk", "utf-8")
    for argv in (["leads"], ["explain", "firma.com.tr"]):
        result = hunter(*argv, "--lang", "tr", env={"HUNTER_RULES": str(rules), "COLUMNS": "300"})
        err = re.sub(r"\s+", " ", result.stderr)
        assert f"puanlama kuralları dosyası {rules} (HUNTER_RULES) kullanılamıyor" in err, err
        assert "rescore" not in err


# -- README: the two set-up commands install into a virtual environment --------------------------------
def test_readme_s_first_two_commands_make_and_use_a_virtual_environment():
    from pathlib import Path

    readme = Path(__file__).resolve().parent.parent / "README.md"
    if not readme.exists():
        pytest.skip("no README.md beside the tests")
    text = readme.read_text("utf-8")
    block = text.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2, block
    install, tests = block
    for line in block:
        assert line.startswith("python3 -m venv .venv && .venv/bin/pip install "), line
        assert " pip install" not in line.replace(".venv/bin/pip install", ""), line
    assert install.endswith(".venv/bin/hunter scan domains.txt")
    assert "'.[test]'" in tests and tests.endswith(".venv/bin/pytest")


def test_the_turkish_scan_table_names_the_segment_in_turkish(hunter):
    result = hunter("scan", "firma.com.tr", "--no-whois", "--lang", "tr", env={"COLUMNS": "160"})
    row = next(line for line in result.stdout.splitlines() if "firma.com.tr" in line)
    assert "Mevcut" in row and "Existing" not in row, result.stdout


@pytest.mark.parametrize(
    "lang, since, expected",
    [
        ("en", [], "No changes in the last 7 days."),
        ("tr", [], "Son 7 gün içinde değişiklik yok."),
        ("tr", ["--since", "1w"], "Son 1 hafta içinde değişiklik yok."),
        ("en", ["--since", "36h"], "No changes in the last 36 hours."),
    ],
)
def test_no_changes_says_the_window_in_words(hunter, lang, since, expected):
    hunter.scan_json("firma.com.tr", "--no-whois")
    result = hunter("changes", *since, "--lang", lang)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == expected


def test_leads_show_in_a_process_of_its_own_says_a_wrong_shape_rules_file_is_invalid(hunter, hunter_cmd, tmp_path):
    """`leads show` reads stored views without pydantic (modelbase.trusted_reading); checking a rules file
    of one's own needs it, so such a run keeps pydantic and warns instead of a traceback."""
    import subprocess

    hunter.scan_json("firma.com.tr", "--no-whois")
    rules = tmp_path / "sekil.json"
    rules.write_text('{"groups": {}, "provider_points": {"m365": "fifty"}}', "utf-8")
    base, env = hunter_cmd
    run = subprocess.run(
        [*base, "leads", "show", "firma.com.tr"],
        env={**env, "HUNTER_RULES": str(rules), "COLUMNS": "300"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert f"the scoring rules file {rules} (HUNTER_RULES) cannot be used" in " ".join(run.stderr.split())
    assert "firma.com.tr" in run.stdout


# -- trial12 C3: the summary never leaves out the failure that keeps a domain unscored --------------------
@pytest.mark.parametrize(
    "lang, expected, more",
    [
        ("en", "1 MX host address lookup failed (SERVFAIL)", "and 1 other failed lookup"),
        ("tr", "1 MX sunucusu adres sorgusu başarısız oldu (SERVFAIL)", "ve 1 başarısız sorgu daha"),
    ],
)
def test_the_summary_names_an_mx_host_failure_among_many_others(hunter, dns, lang, expected, more):
    """Seven kinds of failed lookups in one run: an MX-host SERVFAIL (check mx_host, which leaves the
    domain unscored) was cut off the list of six, and nothing said so. The failures that leave a domain
    unscored come first now, and those past the sixth are counted."""
    dns.faults[("double.com", "TXT")] = "servfail"  # txt
    dns.faults[("_dmarc.double.com", "TXT")] = "refused"  # dmarc, refused
    dns.faults[("_dmarc.firma.com.tr", "TXT")] = "servfail"  # dmarc, SERVFAIL
    dns.faults[("autodiscover.federe.com.tr", "CNAME")] = "servfail"  # footprint
    dns.faults[("lyncdiscover.federe.com.tr", "CNAME")] = "refused"  # footprint, another kind
    dns.faults[("m365-zayif.com.tr", "MX")] = "refused"  # mx
    dns.faults[("mx.yandex.net", "A")] = "servfail"  # mx_host
    names = ["double.com", "firma.com.tr", "federe.com.tr", "m365-zayif.com.tr", "xn--ieki-ahmet-n6abc.com.tr"]
    result = hunter("scan", *names, "--no-whois", "--no-tenant", "--lang", lang, "--retries", "0")
    failures = re.sub(r"\s+", " ", result.stderr).split("Failures" if lang == "en" else "Başarısız", 1)[1]
    failures = failures.split(";")[0]
    assert expected in failures, failures
    assert more in failures, failures


@pytest.mark.parametrize(
    "lang, words",
    [("en", "could not look up the MX hosts' addresses"), ("tr", "MX sunucularının adresleri")],
)
def test_an_unscored_brief_says_the_failed_lookup_in_words(hunter, dns, lang, words):
    """trial12 C3: "the last scan could not look up mx_host" named an internal check in English."""
    dns.faults[("mx.yandex.net", "A")] = "servfail"
    assert hunter("scan", "xn--ieki-ahmet-n6abc.com.tr", "--no-whois", "--retries", "0").exit_code == 0
    brief = hunter("sales-summary", "xn--ieki-ahmet-n6abc.com.tr", "--lang", lang)
    assert words in re.sub(r"\s+", " ", brief.stdout), brief.stdout
    assert "mx_host" not in brief.stdout
    explain = hunter("explain", "xn--ieki-ahmet-n6abc.com.tr", "--lang", lang)
    assert explain.exit_code == 1 and "mx_host" not in explain.stderr, explain.stderr
