"""The scoring model: rules as data, every matrix row, fixes over the old model, explain and rescore."""

import itertools
import json
import re
import sqlite3
from pathlib import Path

import pytest

from hunter_cli.scoring import DMARC_STATES, Facts, RulesError, evaluate, facts_from, load_rules
from hunter_cli.scoring.matrix import markdown
from hunter_cli.store.packing import loads

DOC = Path(__file__).parent.parent / "docs" / "scoring.md"
PROVIDERS = list(load_rules().data["provider_points"])


def test_doc_matrix_matches_the_rules():
    text = DOC.read_text()
    section = text[
        text.index("<!-- matrix:start -->\n") + len("<!-- matrix:start -->\n") : text.index("<!-- matrix:end -->")
    ]
    assert section == markdown(), "docs/scoring.md is stale: paste the output of `COLUMNS=1000 hunter rules matrix`"


def _doc_cells():
    """Every cell of the first doc table as (provider, spf, dkim, dmarc) -> (score, segment, category)."""
    text = DOC.read_text()
    table = text[text.index("#### Without gateway or tenant") : text.index("#### With a security gateway")]
    lines = [line for line in table.splitlines() if line.startswith("|")]
    heads = [h.strip() for h in lines[0].strip("|").split("|")][3:]
    from hunter_cli.render.short import SHORT

    seg = {s: s for s in ("Existing", "Migration", "Cold", "Skip")}  # the doc has the full forms
    seg.update({short: full for full, short in SHORT["segment"].items()})  # and a narrow terminal the short
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        spf, dkim, dmarc = cells[0] == "Y", cells[1] == "Y", cells[2]
        for head, cell in zip(heads, cells[3:], strict=True):
            score, segment, category = cell.split()
            for provider in head.split(" / "):
                yield (provider, spf, dkim, dmarc), (int(score), seg[segment], category)


@pytest.mark.parametrize("key, expected", list(_doc_cells()))
def test_every_matrix_row(key, expected):
    out = evaluate(Facts(*key))
    assert (out.score, out.segment, out.category) == expected


@pytest.mark.parametrize(
    "facts, expected",
    [
        (Facts("m365", True, True, "reject"), (90, "Existing", "P4")),
        (Facts("m365", True, False, "none"), (35, "Existing", "P3")),
        (Facts("google", True, True, "reject"), (90, "Migration", "P2")),
        (Facts("hosting", True, True, "reject"), (60, "Migration", "P1")),
        (Facts("self-hosted", True, True, "quarantine"), (45, "Cold", "P1")),
        (Facts("none", False, False, "absent"), (0, "Skip", "P6")),
        (Facts("google", True, True, "reject", gateway=True), (95, "Migration", "P2")),
        (Facts("m365", True, True, "quarantine", gateway=True), (90, "Existing", "P4")),
        (Facts("google", True, False, "none", tenant=True), (35, "Cold", "P2")),
        (Facts("self-hosted", True, True, "reject", tenant=True), (50, "Cold", "P1")),
    ],
)
def test_known_leads(facts, expected):
    out = evaluate(facts)
    assert (out.score, out.segment, out.category) == expected


@pytest.mark.parametrize("provider, spf, dkim", list(itertools.product(PROVIDERS, (True, False), (True, False))))
def test_no_dmarc_never_beats_p_none(provider, spf, dkim):
    assert evaluate(Facts(provider, spf, dkim, "absent")).score <= evaluate(Facts(provider, spf, dkim, "none")).score


def test_every_domain_gets_a_category_and_window():
    for provider, spf, dkim, dmarc in itertools.product(PROVIDERS, (True, False), (True, False), DMARC_STATES):
        out = evaluate(Facts(provider, spf, dkim, dmarc))
        assert out.category in {"P1", "P2", "P3", "P4", "P5", "P6"} and out.window


def test_failed_lookups_are_not_scored():
    base = {"status": "partial", "provider": "m365", "spf": {"valid": True}, "dkim": {}, "dmarc": None}
    assert facts_from(dict(base, errors=[{"check": "dmarc"}])) is None
    assert facts_from(dict(base, status="failed", provider="unknown", errors=[{"check": "mx"}])) is None
    assert facts_from(dict(base, errors=[{"check": "tenant"}])) is not None  # the tenant does not change points


def test_rules_file_replaces_the_bundled_one(tmp_path, hunter, monkeypatch):
    data = json.loads(json.dumps(load_rules().data))
    data["provider_points"]["m365"] = 10
    p = tmp_path / "rules.json"
    p.write_text(json.dumps(data))
    r = hunter.scan_json("firma.com.tr", "--no-whois", env={**hunter.env, "HUNTER_RULES": str(p)})["firma.com.tr"]
    assert (r["score"], r["category"]) == (50, "P3")


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.pop("segments"), "missing section 'segments'"),
        (lambda d: d["risks"][0]["when"].update(colour="red"), "unknown condition 'colour'"),
        (lambda d: d["categories"].append({"category": "P9", "rule": "x", "when": {}}), "unknown category 'P9'"),
    ],
)
def test_bad_rules_files_are_refused_with_a_reason(tmp_path, hunter, change, message):
    data = json.loads(json.dumps(load_rules().data))
    change(data)
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(data))
    with pytest.raises(RulesError, match=re.escape(message)):
        load_rules(str(p))
    result = hunter("rules", "check", str(p), dns_args=False)
    assert result.exit_code == 1 and message in result.stderr


def test_explain_shows_every_point(hunter):
    hunter.scan_json("gmailer.de", "--no-whois")
    result = hunter("explain", "gmailer.de", dns_args=False)
    assert result.exit_code == 0
    out = " ".join(result.stdout.split())
    for text in (
        "+50 mail provider Google Workspace",
        "+10 SPF record published",
        "+10 DKIM key published",
        "+15 DMARC policy quarantine",
        "Category P2 (Competitive Takeover), the call ranking",
    ):
        assert text in out
    as_json = json.loads(hunter("explain", "gmailer.de", "--json", dns_args=False).stdout)
    assert sum(i["points"] for i in as_json["items"]) == as_json["raw_score"]
    assert as_json["score"] == 85 and as_json["category"] == "P2"


def test_explain_unknown_and_unscorable_domains(hunter, dns, db):
    from hunter_cli import store

    store.connect(db).close()
    missing = hunter("explain", "never-scanned.com", dns_args=False)
    assert missing.exit_code == 1 and "hunter scan never-scanned.com" in missing.stderr
    dns.faults[("slowmx.com", "MX")] = "servfail"
    hunter.scan_json("slowmx.com", "--no-whois", code=7)  # its one domain failed
    assert hunter("explain", "slowmx.com", dns_args=False).exit_code == 1


def test_rescore_reapplies_changed_rules_without_network(hunter, db, tmp_path, dns):
    hunter.scan_json("firma.com.tr", "gmailer.de", "--no-whois")
    data = json.loads(json.dumps(load_rules().data))
    data["provider_points"]["google"] = 10
    p = tmp_path / "rules.json"
    p.write_text(json.dumps(data))
    dns.reset_log()
    result = hunter("rescore", "--rules", str(p), dns_args=False)
    assert result.exit_code == 0 and "1 changed" in result.stdout
    assert dns.count() == 0
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT score, category FROM domains WHERE domain='gmailer.de'").fetchone() == (
        45,
        "P2",
    )  # Google is P2 whatever the score
    view = loads(conn.execute("SELECT current_view FROM domains WHERE domain='gmailer.de'").fetchone()[0])
    assert view["score"] == 45 and "provider:google +10" in view["reasons"]
    # the automatic tags follow the new score: migration-ready means segment Migration (docs/cli.md)
    tags = {t for (t,) in conn.execute("SELECT tag FROM tags WHERE domain='gmailer.de' AND source='auto'")}
    assert ("migration-ready" in tags) == (view["segment"] == "Migration"), (tags, view["segment"])


SCHEMA = Path(__file__).parent.parent / "hunter_cli" / "scoring" / "rules.schema.json"


def test_published_schema_is_the_models():
    from hunter_cli.scoring import schema_text

    assert SCHEMA.read_text("utf-8") == schema_text(), (
        "regenerate hunter_cli/scoring/rules.schema.json (docs/scoring.md)"
    )
    schema = json.loads(SCHEMA.read_text("utf-8"))
    assert set(schema["$defs"]["When"]["properties"]) == {
        "spf", "spf_open", "dkim", "dmarc", "gateway", "tenant", "cosell", "provider", "provider_in",
        "group", "group_in", "score_min", "score_max", "segment", "segment_in", "state", "onprem", "plays_min",
    }  # fmt: skip
    assert schema["$defs"]["When"]["additionalProperties"] is False


def _bad(tmp_path, change):
    data = json.loads(json.dumps(load_rules().data))
    change(data)
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(data))
    with pytest.raises(RulesError) as err:
        load_rules(str(p))
    return str(err.value)


@pytest.mark.parametrize(
    "change, where, expected",
    [
        # a condition of the wrong type names the section, the rule, the key and what was expected
        (lambda d: d["signals"][1]["when"].update(dkim="yes"), "signals[1].when.dkim", "boolean"),
        (lambda d: d["risks"][2]["when"].update(dmarc="enforced"), "risks[2].when.dmarc", "'quarantine'"),
        (lambda d: d["segments"][5]["when"].update(score_min="60"), "segments[5].when.score_min", "integer"),
        (lambda d: d["categories"][2]["when"].update(segment="Warm"), "categories[2].when.segment", "'Migration'"),
        (lambda d: d["signals"][0].update(points=1.5), "signals[0].points", "integer"),
        (lambda d: d["signals"][0].pop("code"), "signals[0]", "missing key 'code'"),
        (lambda d: d["boosts"][0].update(step=2), "boosts[0]", "unknown key 'step'"),
        (lambda d: d["category_info"]["P2"].update(follow_up={"fortnights": 1}), "category_info.P2.follow_up", ""),
        (lambda d: d["category_info"]["P3"].update(follow_up={"days": 2, "weeks": 1}), "category_info.P3.follow_up",
         "exactly one of hours, days, weeks or monthly"),
        (lambda d: d["category_info"].pop("P5"), "", "category_info has no entry for P5"),
        (lambda d: d["segments"].append({"segment": "Cold", "rule": "late", "when": {"score_min": 1}}), "",
         "must match everything"),
        (lambda d: d.update(boost=[]), "", "unknown section 'boost'"),
    ],
)  # fmt: skip
def test_bad_rules_files_get_field_level_errors(tmp_path, change, where, expected):
    message = _bad(tmp_path, change)
    assert message.startswith(str(tmp_path / "bad.json") + ": "), message
    assert where in message and expected in message, message


def test_every_fault_is_listed(tmp_path):
    def two(d):
        d["signals"][0]["when"]["spf"] = "true"
        d["categories"][0]["category"] = "P0"

    lines = _bad(tmp_path, two).splitlines()
    assert len(lines) == 2
    assert "signals[0].when.spf" in lines[0] and "categories[0].category: unknown category 'P0'" in lines[1]


def test_a_schema_reference_is_allowed(tmp_path):
    data = json.loads(json.dumps(load_rules().data))
    data["$schema"] = "./rules.schema.json"
    p = tmp_path / "rules.json"
    p.write_text(json.dumps(data))
    assert load_rules(str(p)).model.schema_ == "./rules.schema.json"


def test_condition_keys_are_the_typed_fields():
    from hunter_cli.scoring import CONDITION_KEYS, When

    assert CONDITION_KEYS == frozenset(When.model_fields)
    assert "dmarc" in CONDITION_KEYS and "colour" not in CONDITION_KEYS


def test_a_database_scored_before_the_facts_changed_meaning_says_its_scores_are_stale(hunter, db):
    """Scores set by a Hunter that read scans into facts differently (revision 1 counted a DKIM key in
    testing mode as a key) are the old reading's, with the same rules file: the list says so until
    `hunter rescore` sets them again."""
    from hunter_cli.rules_identity import FACTS_REVISION, STATE_KEY, digest_of

    assert FACTS_REVISION >= 2
    hunter.scan_json("firma.com.tr", "--no-whois")
    assert "other scoring rules" not in hunter("leads", dns_args=False).stderr
    old = json.dumps(load_rules().data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    import hashlib

    revision_1 = hashlib.sha256(old.encode()).hexdigest()[:16]  # what 0.x before revision 2 stored
    assert revision_1 != digest_of(load_rules().data)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE sync_state SET value = ? WHERE key = ?", (revision_1, STATE_KEY))
    conn.close()
    warned = " ".join(hunter("leads", dns_args=False).stderr.split())
    assert "set by other scoring rules than these" in warned and "hunter rescore" in warned
    assert hunter("rescore", dns_args=False).exit_code == 0
    assert "other scoring rules" not in hunter("leads", dns_args=False).stderr


def test_a_bad_rules_file_is_said_in_turkish_too(tmp_path, hunter):
    """trial 17: `hunter --lang tr rules check` printed "hata:" and then pydantic's English ("Input should be a
    valid integer", "unknown key"). Each fault is a sentence of the message files; English is as before."""
    from test_config_lang import ENGLISH

    data = json.loads(json.dumps(load_rules().data))
    data["provider_points"]["self-hosted"] = "ten"
    data["categories"][0]["bogus_key"] = 1
    data["risks"][0]["when"]["colour"] = "red"
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(data))
    english = hunter("rules", "check", str(p), dns_args=False)
    assert english.exit_code == 1
    assert "provider_points.self-hosted: Input should be a valid integer" in english.stderr, english.stderr
    assert "categories[0]: unknown key 'bogus_key'" in english.stderr
    turkish = hunter("rules", "check", str(p), dns_args=False, env={"HUNTER_LANG": "tr"})
    assert turkish.exit_code == 1
    text = " ".join(turkish.stderr.split())
    assert 'provider_points.self-hosted: tam sayı olmalı (verilen: "ten")' in text, text
    assert "categories[0]: bilinmeyen anahtar 'bogus_key'" in text and "bilinmeyen koşul 'colour'" in text, text
    assert not ENGLISH.search(text.replace(str(p), "P")), ENGLISH.search(text)
    used = hunter("explain", "firma.com.tr", "--rules", str(p), dns_args=False, env={"HUNTER_LANG": "tr"})
    assert "bilinmeyen anahtar 'bogus_key'" in " ".join(used.stderr.split()), used.stderr


def _set(path: str, value):
    """A change to the bundled rules: ``path`` like ``signals.0.points`` set to ``value`` (None: removed)."""

    def change(data):
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is None:
            node.pop(last)
        elif last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return change


# every kind of fault a rules file can have: (change or raw text, English words, Turkish words)
RULES_FAULTS = {
    "missing key": (
        _set("signals.0.code", None),
        "signals[0]: missing key 'code'",
        "signals[0]: 'code' anahtarı eksik",
    ),
    "missing section": (_set("risks", None), "missing section 'risks'", "'risks' bölümü eksik"),
    "weight not a number": (
        _set("signals.0.points", "ten"),
        'signals[0].points: Input should be a valid integer (got "ten")',
        'signals[0].points: tam sayı olmalı (verilen: "ten")',
    ),
    "not true or false": (
        _set("signals.0.when.spf", "yes"),
        'signals[0].when.spf: Input should be a valid boolean, true or false (got "yes")',
        'signals[0].when.spf: true ya da false olmalı (verilen: "yes")',
    ),
    "not text": (
        _set("signals.0.code", 5),
        "signals[0].code: Input should be a valid string, text in quotes (got 5)",
        "signals[0].code: tırnak içinde bir metin olmalı (verilen: 5)",
    ),
    "not a list": (
        _set("signals", {}),
        "signals: Input should be a valid list, [...] (got {})",
        "signals: bir liste ([...]) olmalı (verilen: {})",
    ),
    "not an object": (
        _set("signals.0.when", "x"),
        'signals[0].when: Input should be a valid object, {...} (got "x")',
        'signals[0].when: bir nesne ({...}) olmalı (verilen: "x")',
    ),
    "unknown category": (
        _set("categories.0.category", "P9"),
        "categories[0].category: unknown category 'P9' (expected 'P1', 'P2', 'P3', 'P4', 'P5' or 'P6')",
        "categories[0].category: bilinmeyen kategori 'P9' (şunlardan biri olmalı: 'P1', 'P2', 'P3', 'P4', 'P5' ya da"
        " 'P6')",
    ),
    "not one of the choices": (
        _set("signals.0.when.dmarc", "strict"),
        "signals[0].when.dmarc: Input should be 'absent', 'none', 'quarantine' or 'reject' (got \"strict\")",
        "signals[0].when.dmarc: şunlardan biri olmalı: 'absent', 'none', 'quarantine' ya da 'reject' (verilen:"
        ' "strict")',
    ),
    "a key not allowed": (
        _set("category_info.P9", {"label": "x"}),
        "category_info: 'P9' is not allowed as a key here (expected 'P1', 'P2', 'P3', 'P4', 'P5' or 'P6')",
        "category_info: 'P9' burada anahtar olamaz (şunlardan biri olmalı: 'P1', 'P2', 'P3', 'P4', 'P5' ya da 'P6')",
    ),
    "out of range": (
        _set("category_info.P1.follow_up", {"hours": 0}),
        "category_info.P1.follow_up.hours: Input should be greater than or equal to 1 (got 0)",
        "category_info.P1.follow_up.hours: en az 1 olmalı (verilen: 0)",
    ),
    "too few": (_set("segments", []), "segments: should have at least 1 item (got 0)", "segments: en az 1 öğe olmalı"),
    "a rule of the file": (
        _set("category_info.P1.follow_up", {"hours": 1, "days": 2}),
        "category_info.P1.follow_up: give exactly one of hours, days, weeks or monthly",
        "category_info.P1.follow_up: hours, days, weeks ya da monthly'den tam olarak birini verin",
    ),
    "a rule of the whole file": (
        _set("category_info.P6", None),
        "category_info has no entry for P6",
        "category_info içinde P6 için bir giriş yok",
    ),
    "extra key": (
        _set("signals.0.colour", 1),
        "signals[0]: unknown key 'colour'",
        "signals[0]: bilinmeyen anahtar 'colour'",
    ),
    "not an object at all": (
        "[1, 2]",
        "the file: Input should be a valid object, {...} (got [1, 2])",
        "dosya: bir nesne ({...}) olmalı (verilen: [1, 2])",
    ),
    "bad JSON": (
        '{"version": 1,\n "groups": {}\n "signals": []}',
        "not valid JSON (Expecting ',' delimiter: line 3 column 2 (char 30))",
        "geçerli bir JSON değil (',' bekleniyordu: satır 3, sütun 2, karakter 30)",
    ),
    "bad JSON, a trailing comma": (
        '{"version": 1,}',
        "not valid JSON (Expecting property name enclosed in double quotes: line 1 column 15 (char 14))",
        "geçerli bir JSON değil (çift tırnak içinde bir anahtar adı bekleniyordu: satır 1, sütun 15, karakter 14)",
    ),
}


@pytest.mark.parametrize("kind", sorted(RULES_FAULTS))
def test_every_kind_of_rules_fault_says_field_fault_and_what_is_allowed_in_both_languages(tmp_path, hunter, kind):
    """`rules check` says which field, what is wrong and what is allowed, in English and in the same detail in
    Turkish; the Turkish said "bu değer kullanılamıyor" (this value cannot be used) for a wrong type, a choice not
    allowed, a number out of range or a rule of the file, and kept the JSON error's reason in English only."""
    from test_config_lang import ENGLISH

    change, english_words, turkish_words = RULES_FAULTS[kind]
    p = _bad_rules_file(tmp_path, change)
    english = hunter("rules", "check", str(p), dns_args=False)
    assert english.exit_code == 1 and english_words in " ".join(english.stderr.split()), english.stderr
    turkish = hunter("rules", "check", str(p), dns_args=False, env={"HUNTER_LANG": "tr"})
    text = " ".join(turkish.stderr.split())
    assert turkish.exit_code == 1 and turkish_words in text, text
    assert "kullanılamıyor" not in text.replace("kural dosyası", "")
    assert not ENGLISH.search(text.replace(str(p), "P")), ENGLISH.search(text.replace(str(p), "P"))


def _bad_rules_file(tmp_path, change):
    """A rules file with one fault: ``change`` is the file's whole text, or edits the bundled rules' data."""
    p = tmp_path / "bad.json"
    if isinstance(change, str):
        p.write_text(change)
    else:
        data = json.loads(json.dumps(load_rules().data))
        change(data)
        p.write_text(json.dumps(data))
    return p


@pytest.mark.parametrize("kind", ["weight not a number", "bad JSON", "out of range"])
def test_a_command_that_scores_with_a_bad_rules_file_gives_the_detail_in_turkish(tmp_path, hunter, kind):
    """`scan --rules` refuses the file with the same detail `rules check` gives, in Turkish too."""
    change, english_words, turkish_words = RULES_FAULTS[kind]
    p = _bad_rules_file(tmp_path, change)
    turkish = hunter("scan", "firma.com.tr", "--no-whois", "--rules", str(p), env={"HUNTER_LANG": "tr"})
    text = " ".join(turkish.stderr.split())
    assert turkish.exit_code != 0 and turkish_words in text, text
    english = hunter("scan", "firma.com.tr", "--no-whois", "--rules", str(p))
    assert english_words in " ".join(english.stderr.split()), english.stderr


def test_a_rules_file_that_cannot_be_read_says_why_in_both_languages(tmp_path, hunter):
    """A rules file that is not UTF-8 ended `rules check` in a traceback; a file that cannot be read lost its
    reason in Turkish ("kural dosyası okunamıyor" and nothing more)."""
    p = tmp_path / "latin.json"
    p.write_bytes(b'{"description": "\xfe"}')
    english = hunter("rules", "check", str(p), dns_args=False)
    assert english.exit_code == 1 and "Traceback" not in english.stderr, english.stderr
    assert f"cannot read rules file {p}: 'utf-8' codec can't decode byte 0xfe" in " ".join(english.stderr.split())
    turkish = hunter("rules", "check", str(p), dns_args=False, env={"HUNTER_LANG": "tr"})
    text = " ".join(turkish.stderr.split())
    assert f"{p} kural dosyası okunamıyor: UTF-8 metni değil (18. bayt okunamıyor)" in text, text
    scanned = hunter("scan", "firma.com.tr", "--no-whois", "--rules", str(p), env={"HUNTER_LANG": "tr"})
    assert "kullanılamıyor: dosya okunamıyor: UTF-8 metni değil" in " ".join(scanned.stderr.split()), scanned.stderr
    hunter.scan_json("firma.com.tr", "--no-whois")  # named by the setting: a reading command warns with the reason
    listed = hunter("leads", dns_args=False, env={"HUNTER_LANG": "tr", "HUNTER_RULES": str(p)})
    text = " ".join(listed.stderr.split())
    assert listed.exit_code == 0 and "(HUNTER_RULES) kullanılamıyor: dosya okunamıyor: UTF-8 metni değil" in text, text
