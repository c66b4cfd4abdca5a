"""`--provider` takes a hosting brand as people type it (trial 13, D1): any case, with or without Turkish
letters, punctuation, spaces or the brand's domain ending, or by its first word or the start of its name
when no other brand shares it; a start several brands share exits 2 naming them. The messages of a bad
value are wholly in the command's language. Real scans of tests/zones/providers.zone and lists13.zone.
"""

from __future__ import annotations

import json

import pytest

from hunter_cli.brief.messages import Messages

DOMAINS = {
    "doruk-ornek.com.tr": "Doruk.net",
    "guzel-ornek.com.tr": "Güzel Hosting",
    "natro-ornek.com.tr": "Natro",
    "veridyen-ornek.com.tr": "Veridyen",
    "l13-tt.com.tr": "Turkticaret.net",
    "l13-isim.com.tr": "İsimtescil",
}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory, _session_dns, _session_ms, _session_reg):
    from conftest import scanned_once

    return scanned_once(tmp_path_factory, _session_dns, _session_ms, _session_reg, "brands", DOMAINS, (), "1315")


def _listed(h, *args: str) -> set[str]:
    out = h("leads", *args, "-f", "json")
    assert out.exit_code == 0, out.stderr
    return {r["domain"] for r in json.loads(out.stdout)}


def test_the_brands_are_stored_as_the_catalog_names_them(scanned):
    rows = {r["domain"]: r for r in json.loads(scanned("leads", "-f", "json").stdout)}
    assert {d: (rows[d]["provider"], rows[d]["provider_name"]) for d in DOMAINS} == {
        d: ("hosting", name) for d, name in DOMAINS.items()
    }


@pytest.mark.parametrize(
    "typed, domain",
    [
        ("guzel", "guzel-ornek.com.tr"),  # the first word, without its Turkish letter
        ("Güzel", "guzel-ornek.com.tr"),
        ("GÜZEL HOSTİNG", "guzel-ornek.com.tr"),
        ("guzelhosting", "guzel-ornek.com.tr"),  # spaces left out
        ("doruk", "doruk-ornek.com.tr"),  # the domain ending left out
        ("Doruk.net", "doruk-ornek.com.tr"),
        ("doruk net", "doruk-ornek.com.tr"),
        ("turkticaret", "l13-tt.com.tr"),
        ("Türkticaret", "l13-tt.com.tr"),
        ("isimtescil", "l13-isim.com.tr"),
        ("İSİMTESCİL", "l13-isim.com.tr"),
        ("isim", "l13-isim.com.tr"),  # the start of one brand's name
        ("veridyen", "veridyen-ornek.com.tr"),
        ("natro", "natro-ornek.com.tr"),
    ],
)
def test_a_brand_typed_plainly_lists_its_leads(scanned, typed, domain):
    assert _listed(scanned, "--provider", typed) == {domain}


def test_brands_and_ids_combine_as_any_of_them(scanned):
    assert _listed(scanned, "--provider", "guzel,doruk") == {"guzel-ornek.com.tr", "doruk-ornek.com.tr"}
    assert _listed(scanned, "--provider", "hosting") == set(DOMAINS)


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_start_several_brands_share_names_them_and_exits_2(scanned, lang):
    out = scanned("leads", "--provider", "host", env={"HUNTER_LANG": lang, "COLUMNS": "400"})
    assert out.exit_code == 2
    err = " ".join(out.stderr.split())
    assert (
        Messages(lang)(
            "cli.provider.ambiguous", value="'host'", brands="HostGator, Hostinger Email (incl. Titan), Hostixo"
        )
        in err
    )


def test_an_unknown_provider_is_wholly_turkish_in_turkish(scanned):
    """trial 13, C2: "... or a hosting brand such as Natro" stayed English in the Turkish message."""
    out = scanned("leads", "--provider", "natroo", env={"HUNTER_LANG": "tr", "COLUMNS": "400"})
    assert out.exit_code == 2
    err = " ".join(out.stderr.split())
    assert "Natro gibi bir hosting markasını" in err and "Bunu mu demek istediniz: Natro?" in err
    assert "or a hosting brand" not in err and "such as" not in err
    english = scanned("leads", "--provider", "natroo", env={"COLUMNS": "400"})
    assert "or a hosting brand such as Natro; did you mean Natro?" in " ".join(english.stderr.split())


def test_an_unknown_sort_column_is_wholly_turkish_in_turkish(scanned):
    out = scanned("leads", "--sort", "-renk", env={"HUNTER_LANG": "tr", "COLUMNS": "400"})
    assert out.exit_code == 2
    err = " ".join(out.stderr.split())
    assert "azalan sıra için" in err and "prefix" not in err and "descending" not in err


def test_crm_push_reads_the_brand_the_same_way(scanned):
    out = scanned("crm", "push", "--dry-run", "--provider", "guzel", "--json")
    assert out.exit_code != 2, out.stderr


def test_brand_keys_and_matches_are_pure():
    from hunter_cli.choices import brand_key, match_brands

    names = ["Güzel Hosting", "Doruk.net", "HostGator", "Hostixo", "VIT (vit.com.tr)", "A2 Hosting", "İsimtescil"]
    assert brand_key("Güzel Hosting") == brand_key("guzel-hosting") == "guzelhosting"
    assert brand_key("Doruk.net") == brand_key("doruk.net.tr") == "doruk"
    assert brand_key("VIT (vit.com.tr)") == "vit"
    assert match_brands("GÜZEL", names) == ["Güzel Hosting"]
    assert match_brands("a2", names) == ["A2 Hosting"]  # a first word shorter than a start may be
    assert match_brands("ho", names) == []  # too short a start names nothing
    assert match_brands("host", names) == ["HostGator", "Hostixo"]
    assert match_brands("ISIM", names) == ["İsimtescil"]
    assert match_brands("...", names) == []
