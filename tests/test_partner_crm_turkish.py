"""Partner Center, Dynamics 365, sign-in and the store's errors said whole in the command's language (trial 16):
the same lines in English as before, and every line in Turkish, with no English sentence inside a Turkish
frame; what a service said itself stays its own words, quoted.

Each test runs the real `hunter` command in-process against the stand-ins (tests/pcserver.py for Partner
Center, tests/dvserver.py for Dataverse, tests/dnsserver.py for DNS), in both languages, asking for Turkish
by HUNTER_LANG, by `hunter --lang tr COMMAND` or by `COMMAND --lang tr`.
"""

from __future__ import annotations

import re

import pytest
from conftest import CRM_TOKEN, PARTNER_TOKEN
from test_inputs_turkish_messages import english_in

QUOTED = re.compile(r'"[^"]*"')  # a service's own words, kept as it said them


def _one_line(text: str) -> str:
    """Output as one line: Rich wraps long lines at the runner's 80 columns."""
    return " ".join(text.split())


def _english(text: str, *known: str) -> list[str]:
    """English words left in a Turkish ``text`` once the quoted words of a service and ``known`` names are out."""
    return english_in(QUOTED.sub(" ", text), *known)


def _lang(lang: str, how: str, argv: tuple[str, ...]) -> tuple[tuple[str, ...], dict]:
    """The command line and environment asking for ``lang``: by HUNTER_LANG, before or after the command."""
    if lang == "en":
        return argv, {}
    if how == "env":
        return argv, {"HUNTER_LANG": "tr"}
    if how == "global":
        return ("--lang", "tr", *argv), {}
    return (*argv, "--lang", "tr"), {}


HOWS = ("env", "global", "option")


@pytest.fixture
def env(hunter, pc, dv, tmp_path):
    return {
        "HUNTER_PARTNER_API_URL": pc.base_url,
        "HUNTER_PARTNER_TOKEN": PARTNER_TOKEN,
        "HUNTER_CRM_URL": dv.url,
        "HUNTER_CRM_TOKEN": CRM_TOKEN,
        "HUNTER_TOKEN_CACHE": str(tmp_path / "cache.json"),
        "HUNTER_TOKEN_STORE": "file",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "HUNTER_NAMESERVERS": hunter.server.nameserver,
        "COLUMNS": "80",
    }


def _run(hunter, env: dict, lang: str, how: str, *argv: str, drop: tuple[str, ...] = ()):
    argv, extra = _lang(lang, how, argv)
    full = {k: v for k, v in {**env, **extra}.items() if k not in drop}
    for k in drop:
        full[k] = ""
    return hunter(*argv, env=full, dns_args=False)


# --- referrals sync: the summary, the malformed items and every error ---------------------------------------

SYNCED = {
    "en": (
        "Referrals: 14 fetched, 12 new, 12 stored, 1 without a domain, 5 new leads.",
        "skipped malformed referral item 7: no id",
        "skipped malformed referral 0bfaf358-c352-4536-bf60-2f9e2be62b61: customerProfile is a str, not an object",
    ),
    "tr": (
        "Yönlendirmeler: 14 alındı, 12 yeni, 12 kaydedildi, 1 alan adı olmadan, 5 yeni müşteri adayı.",
        "bozuk yönlendirme atlandı: 7. öğe: kimliği (id) yok",
        "bozuk yönlendirme atlandı: 0bfaf358-c352-4536-bf60-2f9e2be62b61: customerProfile bir nesne değil (metin)",
    ),
}


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_sync_says_its_counts_and_skipped_items_in_the_language(hunter, env, lang, how):
    if lang == "en" and how != "env":
        pytest.skip("one English run")
    result = _run(hunter, env, lang, how, "referrals", "sync", "--no-scan")
    assert result.exit_code == 0, result.stderr
    said = _one_line(result.stderr)
    for line in SYNCED[lang]:
        assert line in said
    if lang == "tr":
        assert _english(said, "0bfaf358-c352-4536-bf60-2f9e2be62b61", "customerProfile") == []


SYNC_FAULTS = {
    "403": (
        {"status": 403, "times": 1},
        {},
        "error: referral sync failed: Partner Center answered HTTP 403: The caller doesn't have permission to"
        " perform the action.",
        "hata: yönlendirmeler eşitlenemedi: Partner Center HTTP 403 hatası döndürdü: \"The caller doesn't have"
        ' permission to perform the action."',
    ),
    "not JSON": (
        {"status": 200, "body": "not json", "times": 1},
        {},
        "error: referral sync failed: Partner Center answered with something that is not JSON",
        "hata: yönlendirmeler eşitlenemedi: Partner Center'ın yanıtı JSON değil",
    ),
    "Retry-After too long": (
        {"status": 429, "retry_after": 3600, "times": 1},
        {},
        "error: referral sync failed: Partner Center asks to wait 3600 s before the next request (HTTP 429),"
        " longer than Hunter waits (60 s); try again later",
        "hata: yönlendirmeler eşitlenemedi: Partner Center bir sonraki istekten önce 3600 sn beklenmesini istiyor"
        " (HTTP 429); bu, Hunter'ın beklediği en uzun süreden (60 sn) fazla; daha sonra yeniden deneyin",
    ),
    "plain http": (
        None,
        {"HUNTER_PARTNER_API_URL": "http://partner.example.com"},
        "error: referral sync failed: will not send the Partner Center token: 'http://partner.example.com' is not an"
        " https URL (plain http is allowed only for a loopback test server) (HUNTER_PARTNER_API_URL)",
        "hata: yönlendirmeler eşitlenemedi: Partner Center erişim belirteci gönderilmedi: 'http://partner.example.com'"
        " bir https adresi değil (düz http yalnızca bu makinedeki (loopback) bir test sunucusu için kabul edilir)"
        " (HUNTER_PARTNER_API_URL)",
    ),
}


@pytest.mark.parametrize("case", sorted(SYNC_FAULTS))
@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_failed_sync_says_why_in_the_language_with_the_services_words_quoted(hunter, env, pc, retries, case, lang):
    fault, more, english, turkish = SYNC_FAULTS[case]
    if fault:
        pc.faults.append(dict(fault))  # the stand-in counts its firings in the entry
    result = _run(hunter, {**env, **more}, lang, "global", "referrals", "sync", "--no-scan")
    assert result.exit_code == 1
    said = result.stderr.splitlines()[0]  # one line, then the note on the database this first run made
    assert said == (english if lang == "en" else turkish)
    if lang == "tr":
        assert _english(result.stderr, "http://partner.example.com", str(hunter.db)) == []
    assert PARTNER_TOKEN not in result.stderr


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_sync_nobody_signed_in_for_says_what_to_run_in_the_language(hunter, env, lang):
    result = _run(hunter, env, lang, "option", "referrals", "sync", "--no-scan", drop=("HUNTER_PARTNER_TOKEN",))
    assert result.exit_code == 3
    said = result.stderr.splitlines()[0]  # one line, then the note on the database this first run made
    if lang == "en":
        assert said.startswith("not signed in to Partner Center, and no application (client) id is set: run")
    else:
        assert said == (
            "Partner Center oturumu açılmamış ve uygulama (istemci) kimliği ayarlanmamış: `hunter auth login"
            " --client-id <uygulama kimliği>` komutunu çalıştırın (ya da HUNTER_CLIENT_ID değişkenini ayarlayıp"
            " `hunter auth login` komutunu çalıştırın); otomasyon bunun yerine HUNTER_PARTNER_TOKEN değişkeninde"
            " bir erişim belirteci verebilir"
        )
        assert _english(said) == []


# --- referrals list: numbers as the language writes them, the unlinked referral ------------------------------


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_the_referral_list_writes_amounts_and_the_unlinked_one_in_the_language(hunter, env, lang):
    assert _run(hunter, env, "en", "env", "referrals", "sync", "--no-scan").exit_code == 0
    result = _run(hunter, env, lang, "option", "referrals", "list")
    assert result.exit_code == 0, result.stderr
    if lang == "en":
        assert "27,500 EUR" in result.stdout and "240,000 TRY" in result.stdout and "(unlinked)" in result.stdout
    else:
        assert "27.500 EUR" in result.stdout and "240.000 TRY" in result.stdout and "(bağlı değil)" in result.stdout
        assert "27,500" not in result.stdout and "(unlinked)" not in result.stdout
    empty = _run(hunter, env, lang, "option", "referrals", "list", "--status", "Closed", "--since", "1s")
    assert _one_line(empty.stderr) == ("No referrals match." if lang == "en" else "Bu koşullara uyan yönlendirme yok.")


# --- crm push, pull and status ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_crm_push_pull_and_status_say_every_line_in_the_language(hunter, env, dv, lang):
    assert _run(hunter, env, "en", "env", "referrals", "sync", "--no-scan").exit_code == 0
    hunter.scan_json("firma.com.tr", "--no-whois")
    push = _run(hunter, env, lang, "option", "crm", "push")
    assert push.exit_code == 0, push.stderr
    said = _one_line(push.stderr)
    if lang == "en":
        assert "Dynamics 365: 1 created, 0 updated, 0 unchanged, 0 failed, 4 skipped." in said
        assert "skipped gmailer.de: not scanned yet (run: hunter scan gmailer.de)" in said
    else:
        assert "Dynamics 365: 1 oluşturuldu, 0 güncellendi, 0 değişmedi, 0 başarısız, 4 atlandı." in said
        assert "atlandı: gmailer.de: henüz taranmadı (şunu çalıştırın: hunter scan gmailer.de)" in said
        assert _english(said) == []
    dv.faults.append({"status": 400, "message": "Bad thing", "times": "always", "method": "PATCH"})
    failed = _run(hunter, env, lang, "global", "crm", "push", "--force", "firma.com.tr")
    assert failed.exit_code == 1
    said = _one_line(failed.stderr)
    if lang == "en":
        assert "failed firma.com.tr: HTTP 400: Bad thing (0x80040216)" in said
    else:
        assert 'başarısız: firma.com.tr: HTTP 400: "Bad thing" (0x80040216)' in said
        assert _english(said) == []
    dv.faults.clear()
    dv.injected.append({"leadid": "abc"})
    pull = _run(hunter, env, lang, "option", "crm", "pull")
    assert pull.exit_code == 0, pull.stderr
    said = _one_line(pull.stderr)
    if lang == "en":
        assert (
            said
            == "Dynamics 365: asked about 1 leads, 2 read (1 open). skipped malformed lead abc: leadid 'abc' is not a GUID"
        )
    else:
        assert said == (
            "Dynamics 365: 1 müşteri adayı soruldu, 2 kayıt okundu (1 açık)."
            " bozuk müşteri adayı kaydı atlandı: abc: leadid bir GUID değil: 'abc'"
        )
    status = _run(hunter, env, lang, "option", "crm", "status")
    assert status.exit_code == 0, status.stderr
    said = _one_line(status.stdout)
    if lang == "en":
        assert "Using the token in HUNTER_CRM_TOKEN." in said
        assert "Leads sent to Dynamics 365: 1 (0 pushed, 0 pending, 1 failed; of the failed, in Dynamics" in said
    else:
        assert f"Ortam: {dv.url}" in said
        assert "HUNTER_CRM_TOKEN değişkenindeki erişim belirteci kullanılıyor." in said
        assert "Dynamics 365'e gönderilen müşteri adayı: 1 (0 gönderildi, 0 bekliyor, 1 gönderilemedi;" in said
        assert "açık 1, nitelikli 0, niteliksiz 0." in said and "son durum okuma:" in said


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_crm_errors_say_why_in_the_language(hunter, env, dv, lang):
    hunter.scan_json("firma.com.tr", "--no-whois")
    dv.faults.append({"status": 401, "times": "always"})
    stopped = _run(hunter, env, lang, "option", "crm", "push")
    assert stopped.exit_code == 1
    said = _one_line(stopped.stderr)
    if lang == "en":
        assert said.startswith("error: push stopped: Dynamics 365 refused the token (HTTP 401); check HUNTER_CRM_TOKEN")
        assert "1 not sent (the run stopped; run it again to finish)." in said
    else:
        assert said.startswith(
            "hata: gönderim durdu: Dynamics 365 erişim belirtecini reddetti (HTTP 401); HUNTER_CRM_TOKEN"
            " değişkenini denetleyin"
        )
        assert "1 gönderilmedi (çalışma durdu; tamamlamak için yeniden çalıştırın)." in said
        assert _english(said) == []
    dv.faults.clear()
    no_url = _run(hunter, env, lang, "option", "crm", "status", drop=("HUNTER_CRM_URL",))
    assert no_url.exit_code == 1
    assert _one_line(no_url.stderr) == (
        "error: no Dynamics 365 environment: set HUNTER_CRM_URL (like https://contoso.crm4.dynamics.com) or run:"
        " hunter crm login --url URL"
        if lang == "en"
        else "hata: Dynamics 365 ortamı belirtilmemiş: HUNTER_CRM_URL değişkenini ayarlayın (örneğin"
        " https://contoso.crm4.dynamics.com) ya da şunu çalıştırın: hunter crm login --url ADRES"
    )
    nobody = _run(hunter, env, lang, "option", "crm", "pull", drop=("HUNTER_CRM_TOKEN",))
    assert nobody.exit_code == 3
    said = _one_line(nobody.stderr)
    if lang == "tr":
        assert said.startswith("hata: uygulama (istemci) kimliği yok: --client-id seçeneğini verin")
        assert said.endswith("(ya da HUNTER_CRM_TOKEN değişkeninde bir erişim belirteci verin)")
        assert _english(said) == []
    else:
        assert said.startswith("error: no application (client) id: pass --client-id")


# --- auth ---------------------------------------------------------------------------------------------------

AUTH = {
    "status, no client id": (
        ("auth", "status"),
        ("HUNTER_PARTNER_TOKEN",),
        1,
        "Not signed in, and no application (client) id is set. Run: hunter auth login --client-id <application id>"
        " (or set HUNTER_CLIENT_ID first).",
        "Oturum açılmamış ve uygulama (istemci) kimliği ayarlanmamış. Şunu çalıştırın: hunter auth login"
        " --client-id <uygulama kimliği> (ya da önce HUNTER_CLIENT_ID değişkenini ayarlayın).",
    ),
    "status, a token": (
        ("auth", "status"),
        (),
        0,
        "Using the token in HUNTER_PARTNER_TOKEN.",
        "HUNTER_PARTNER_TOKEN değişkenindeki erişim belirteci kullanılıyor.",
    ),
    "logout": (("auth", "logout"), (), 0, "Nobody was signed in.", "Açık bir oturum yoktu."),
    "login, no client id": (
        ("auth", "login"),
        (),
        1,
        "error: no application (client) id: pass --client-id or set HUNTER_CLIENT_ID to your public client app"
        " registration",
        "hata: uygulama (istemci) kimliği yok: --client-id seçeneğini verin ya da HUNTER_CLIENT_ID değişkenine genel"
        " istemci uygulama kaydınızın kimliğini yazın",
    ),
}


@pytest.mark.parametrize("case", sorted(AUTH))
@pytest.mark.parametrize("lang", ["en", "tr"])
def test_auth_says_every_line_in_the_language(hunter, env, case, lang):
    argv, drop, code, english, turkish = AUTH[case]
    result = _run(hunter, env, lang, "option", *argv, drop=drop)
    assert result.exit_code == code
    said = _one_line(result.stdout + result.stderr)
    assert said == (english if lang == "en" else turkish)
    if lang == "tr":
        assert _english(said) == []


# --- the store, leads show, changes, scan --------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_db_check_of_a_file_that_is_no_database_says_why_in_the_language(hunter, env, tmp_path, lang):
    junk = tmp_path / "junk.db"
    junk.write_text("x" * 5000)
    result = _run(hunter, env, lang, "option", "db", "check", "--db", str(junk))
    assert result.exit_code == 1
    said = _one_line(result.stderr)
    if lang == "en":
        assert said == (
            f"error: {junk} cannot be read as a database (cannot use {junk} as the Hunter database: it is not an"
            " SQLite database, or its header is damaged); restore a backup, or start a new database with --db"
        )
    else:
        assert said == (
            f"hata: {junk} veritabanı olarak okunamıyor (bir SQLite veritabanı değil ya da başlığı bozuk); bir yedeği"
            " geri yükleyin ya da --db ile yeni bir veritabanı başlatın"
        )
        assert _english(said, str(junk)) == []


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_leads_show_names_a_domain_without_mail_in_the_language(hunter, env, lang):
    hunter.scan_json("nomail.com", "--no-whois")
    result = _run(hunter, env, lang, "option", "leads", "show", "nomail.com")
    assert result.exit_code == 0, result.stderr
    if lang == "en":
        assert "none (No mail)" in result.stdout
    else:
        assert "yok (e-posta hizmeti yok)" in result.stdout and "No mail" not in result.stdout


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_the_changes_category_header_is_a_whole_word_at_80_columns(hunter, env, lang):
    hunter.scan_json("google-tenant.com.tr")  # its registration ends within the month: one change event
    result = _run(hunter, env, lang, "option", "changes", "--since", "1d")
    assert result.exit_code == 0, result.stderr
    header = result.stdout.splitlines()[0]
    assert header.rstrip().endswith("Cat" if lang == "en" else "Önc"), header  # a whole word or the leads' short one
    assert all(len(line) <= 80 for line in result.stdout.splitlines())


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_skipped_argument_is_named_by_its_place_and_text(hunter, env, lang):
    argv, extra = _lang(lang, "option", ("scan", "a.com", "xn--zz.com", "b.com", "--no-whois"))
    result = hunter(*argv, env={**env, **extra})
    assert result.exit_code == 0, result.stderr
    said = _one_line(result.stderr)
    assert ("(argument 2: xn--zz.com)" if lang == "en" else "(2. argüman: xn--zz.com)") in said
    assert "(argument)" not in said
