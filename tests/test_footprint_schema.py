"""Each footprint data file loads through its pydantic model; a malformed file names the field."""

from __future__ import annotations

import copy
import json
from importlib import resources

import pytest
from pydantic import ValidationError

from hunter_cli.footprint.schema import (
    MicrosoftCatalog,
    PlaysCatalog,
    ServicesCatalog,
    microsoft_catalog,
    plays_catalog,
    services_catalog,
)


def raw(name: str) -> dict:
    return json.loads(resources.files("hunter_cli.catalog").joinpath(name).read_text("utf-8"))


def test_bundled_files_load():
    assert len(microsoft_catalog().workloads) == 5
    assert {m.id for m in microsoft_catalog().mail_security} == {"mta-sts", "tls-rpt", "bimi"}
    assert len(services_catalog().services) >= 40
    assert len(plays_catalog().plays) >= 9


def test_every_microsoft_rule_cites_a_source_with_a_title():
    cat = microsoft_catalog()
    for w in cat.workloads:
        for rule in (*w.online, *w.mx_online, *w.other):
            assert cat.sources[rule.source].title
    assert all(s.url and s.url.startswith("https://") for s in cat.sources.values())


def error_locations(model, data) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        model.model_validate(data)
    return [".".join(str(p) for p in e["loc"]) for e in exc.value.errors()]


def test_microsoft_missing_field_is_named():
    data = raw("microsoft.json")
    del data["workloads"][2]["online"][0]["pattern"]
    assert "workloads.2.online.0.pattern" in error_locations(MicrosoftCatalog, data)


def test_microsoft_bad_record_type_and_unknown_key_are_named():
    data = raw("microsoft.json")
    data["workloads"][0]["questions"][0]["type"] = "AAAA"
    data["workloads"][1]["colud"] = "x"
    locs = error_locations(MicrosoftCatalog, data)
    assert "workloads.0.questions.0.type" in locs and "workloads.1.colud" in locs


def test_microsoft_unknown_cloud_or_source_is_refused():
    data = raw("microsoft.json")
    data["workloads"][0]["online"][0]["cloud"] = "mars"
    with pytest.raises(ValidationError, match="unknown cloud 'mars'"):
        MicrosoftCatalog.model_validate(data)
    data = raw("microsoft.json")
    data["workloads"][0]["online"][0]["source"] = "nowhere"
    with pytest.raises(ValidationError, match="unknown source 'nowhere'"):
        MicrosoftCatalog.model_validate(data)


def test_services_example_must_match_its_own_pattern():
    data = raw("services.json")
    svc = next(s for s in data["services"] if s["id"] == "sendgrid")
    svc["spf"][0]["example"] = "sendgrid.com"
    locs = error_locations(ServicesCatalog, data)
    assert any(loc.startswith(f"services.{data['services'].index(svc)}.spf.0") for loc in locs)
    data = raw("services.json")
    data["services"][3]["txt"][0]["example"] = "something-else=1"
    with pytest.raises(ValidationError, match="does not start with"):
        ServicesCatalog.model_validate(data)


def test_services_duplicates_categories_and_empty_entries_are_refused():
    data = raw("services.json")
    data["services"].append(copy.deepcopy(data["services"][5]))
    with pytest.raises(ValidationError, match="duplicate service id"):
        ServicesCatalog.model_validate(data)
    data = raw("services.json")
    data["services"][5]["category"] = "unheard-of"
    with pytest.raises(ValidationError, match="unknown category"):
        ServicesCatalog.model_validate(data)
    data = raw("services.json")
    data["services"].append({"id": "bare", "name": "Bare", "category": "ai"})
    with pytest.raises(ValidationError, match="names no evidence"):
        ServicesCatalog.model_validate(data)


def test_plays_need_both_languages_and_one_condition():
    data = raw("plays.json")
    del data["plays"][0]["reason"]["tr"]
    assert "plays.0.reason.tr" in error_locations(PlaysCatalog, data)
    data = raw("plays.json")
    data["plays"][0]["when"] = {"services_any": ["zoom"], "tenant_without": "intune"}
    with pytest.raises(ValidationError, match="exactly one"):
        PlaysCatalog.model_validate(data)


def test_plays_reference_known_services_and_workloads():
    services = {s.id for s in services_catalog().services}
    workloads = {w.id for w in microsoft_catalog().workloads}
    for play in plays_catalog().plays:
        assert set(play.when.services_any or []) <= services, play.id
        for w in (play.when.workload, play.when.tenant_without):
            assert w is None or w in workloads, play.id
