"""The lead list's page laid out without Rich's table (render.leads.plain_lines) prints exactly what
Rich's table prints, or leaves the page to Rich; tests/test_tables_golden.py holds both to the files."""

from __future__ import annotations

import io
import random

from rich.console import Console

from hunter_cli.render import leads as render
from hunter_cli.render.formats import data_console

WORDS = [
    "firma",
    "ege-gida",
    "marmaralojistik",
    "karadeniz-insaat-taahhut-ve-ticaret",
    "çağrı",
    "İstanbul",
    "ışık",
    "東京",
    "x",
    "a" * 45,
]
COMPANIES = ["", "Ege Gıda", "Marmara Lojistik ve Dış Ticaret A.Ş.", "東京商事株式会社", "Şişecam  Holding", "Zoom 🎥"]
TAGS = [
    "migration-ready",
    "weak-dmarc",
    "fuar-2026",
    "bayi",
    "istanbul",
    "q3-campaign",
    "çok-uzun-bir-etiket-adı-burada",
]


def _row(rnd: random.Random, i: int) -> dict:
    scanned = rnd.random() > 0.15
    domain = f"{rnd.choice(WORDS)}{i}.{rnd.choice(['com', 'com.tr', 'de', 'gen.tr'])}"
    return {
        "domain": domain,
        "domain_unicode": domain,
        "company": rnd.choice(COMPANIES) or None,
        "provider": rnd.choice(["m365", "google", "hosting", "self-hosted", "none", "unknown", None]),
        "provider_name": rnd.choice(["Natro", "Turhost", None]),
        "gateway": rnd.choice([None, "mimecast", "proofpoint", "barracuda-essentials"]),
        "tenant": rnd.choice(["Managed", "Federated", "none", None]),
        "footprint": rnd.choice(["", "exchange,teams", "exchange,teams,intune,entra-join,sharepoint", None]),
        "dmarc_policy": rnd.choice(["none", "quarantine", "reject", None]),
        "score": rnd.choice([None, 0, 7, 55, 100]),
        "segment": rnd.choice(["Migration", "Security", "Renewal", None]),
        "category": rnd.choice(["P1", "P2", "P3", "P4", None]),
        "last_scanned": "2026-11-29T12:30:00+00:00" if scanned else None,
        "last_status": rnd.choice(["ok", "partial", "failed"]) if scanned else None,
        "tags": rnd.sample(TAGS, rnd.randint(0, 4)),
        "referrals": rnd.choice([0, 0, 1, 12]),
        "active_cosell": rnd.random() > 0.5,
        "crm_status": rnd.choice([None, None, "qualified", "disqualified", "open"]),
    }


def _rich(rows: list[dict], layout: render.Layout, width: int) -> str:
    buf = io.StringIO()
    console = data_console(buf)
    console.width = width
    console.print(render.build_table(rows, layout))
    return buf.getvalue()


def test_the_plain_page_is_what_richs_table_prints():
    rnd = random.Random(15)
    laid_out = 0
    for trial in range(60):
        rows = [_row(rnd, i) for i in range(rnd.randint(1, 12))]
        width = rnd.choice([40, 60, 79, 80, 100, 119, 120, 140, 200])
        keep = rnd.choice([(), ("company",), ("tags", "footprint"), ("score", "crm")])
        layout = render.table_layout(rows, width, keep)
        buf = io.StringIO()
        console = data_console(buf)
        console.width = width
        plain = render.plain_lines(rows, layout, console)
        if plain is not None:
            laid_out += 1
            assert plain == _rich(rows, layout, width), (trial, width, keep)
    assert laid_out > 40  # most pages, wrapped and folded cells among them, take the plain way


def test_a_page_with_markup_colour_or_no_room_is_left_to_rich():
    rnd = random.Random(7)
    rows = [_row(rnd, i) for i in range(5)]
    layout = render.table_layout(rows, 120, ())
    plain = data_console(io.StringIO())
    plain.width = 120
    assert render.plain_lines(rows, layout, plain) is not None
    # a company Rich would read as markup, in its own column (200 columns; at 120 it goes under the
    # domain, in a Text cell, which Rich reads as text)
    short = [dict(r, domain=f"d{i}.com", domain_unicode=f"d{i}.com", tags=[], footprint="") for i, r in enumerate(rows)]
    marked = [dict(short[0], company="[bold]Acme[/bold] Ltd"), *short[1:]]
    wide = data_console(io.StringIO())
    wide.width = 200
    assert "company" in render.table_layout(marked, 200, ()).names
    assert render.plain_lines(marked, render.table_layout(marked, 200, ()), wide) is None
    assert render.plain_lines(marked, render.table_layout(marked, 120, ()), plain) is not None
    # a terminal with colour: the styles are Rich's to write
    colour = Console(file=io.StringIO(), width=120, force_terminal=True, color_system="truecolor")
    assert render.plain_lines(rows, layout, colour) is None
    # a console narrower than the layout
    plain.width = sum(layout.widths)
    assert render.plain_lines(rows, layout, plain) is None


def test_the_command_prints_the_same_page_either_way(hunter, dns, monkeypatch):
    """`hunter leads` through the plain layout and through Rich's table (plain_lines turned off)."""
    hunter.scan_json("firma.com.tr", "gmailer.de", "natro-ornek.com.tr", "--no-whois")
    hunter("tag", "firma.com.tr", "fuar-2026", "bayi")
    pages = []
    for fast in (True, False):
        if not fast:
            monkeypatch.setattr(render, "plain_lines", lambda *a: None)
        for columns in ("80", "120"):
            out = hunter("leads", env={"COLUMNS": columns})
            assert out.exit_code == 0 and "firma.com.tr" in out.stdout
            pages.append((out.stdout, out.stderr))
    assert pages[:2] == pages[2:]
