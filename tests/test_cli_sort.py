"""`hunter leads --sort company` in Turkish alphabetical order (a b c ç d e f g ğ h ı i j k l m n o ö p r s ş
t u ü v y z; I the capital of ı, İ of i; â î û read as a i u), case aside, from an index (schema 11)."""

from __future__ import annotations

import json
import random

from hunter_cli import store
from hunter_cli.store import leads as core

# Written in the order a Turkish reader files them (the dictionary's, TDK), case aside.
TURKISH_ORDER = [
    "Acar Gıda",
    "ACME Bilişim",
    "Âdem Usta Lokantası",
    "Aydın Tekstil",
    "Bora Yapı",
    "Cengiz Ltd",
    "Cıvata Sanayi",
    "Çağ Enerji",
    "çelik kardeşler",
    "Dağ Evi",
    "Dal Mobilya",
    "Gök Havacılık",
    "Gül Kozmetik",
    "Güneş Enerji",
    "Hakan Oto",
    "ILGAZ Turizm",
    "Irmak Tarım",
    "Işık Elektrik",
    "İnci Gıda",
    "İpek Yolu",
    "istanbul Lojistik",
    "İzmir Liman",
    "Jale Moda",
    "Oba Makarna",
    "Ozan Müzik",
    "Ödül Ajans",
    "ÖZ KARDEŞLER",
    "Pınar Su",
    "Sarı Kalem",
    "Şahin Nakliyat",
    "şen Pastanesi",
    "Tan Medya",
    "Uğur Böcekçilik",
    "Ulu Cami Vakfı",
    "Üçler Mermer",
    "Vatan Bilgisayar",
    "Zeki Usta",
]


def _import(hunter, tmp_path, names):
    src = tmp_path / "firmalar.csv"
    domains = [f"firma{i:02d}.com.tr" for i in range(len(names))]
    random.Random(7).shuffle(domains)  # the domain order says nothing about the company order
    src.write_text(
        "domain,company\n" + "".join(f"{d},{n}\n" for d, n in zip(domains, names, strict=True)) + "adsiz.com.tr,\n",
        "utf-8",
    )
    assert hunter("import", str(src), "-q").exit_code == 0


def _companies(hunter, *sort: str) -> list[str | None]:
    listed = hunter("leads", "--sort", ",".join(sort), "-f", "json", "--limit", "0")
    assert listed.exit_code == 0, listed.stderr
    return [lead["company"] for lead in json.loads(listed.stdout)]


def test_companies_sort_in_turkish_alphabetical_order(hunter, tmp_path):
    shuffled = TURKISH_ORDER[:]
    random.Random(3).shuffle(shuffled)
    _import(hunter, tmp_path, shuffled)
    assert _companies(hunter, "company") == [*TURKISH_ORDER, None]  # no company: last
    assert _companies(hunter, "-company") == [*reversed(TURKISH_ORDER), None]
    # the table shows the same order
    table = hunter("leads", "--sort", "company", "--limit", "0", env={"COLUMNS": "160"})
    shown = [line.split("  ")[0] for line in table.stdout.splitlines()[2:] if line.strip()]
    positions = [table.stdout.index(name) for name in TURKISH_ORDER]
    assert positions == sorted(positions) and shown


def test_case_alone_never_changes_the_order(hunter, tmp_path):
    names = ["IŞIK Market", "ışık market", "İNCİ", "inci", "ÇINAR", "çınar"]
    _import(hunter, tmp_path, names)
    got = _companies(hunter, "company")[:-1]
    folded = [n.replace("I", "ı").replace("İ", "i").lower() for n in got]
    assert folded == ["çınar", "çınar", "ışık market", "ışık market", "inci", "inci"], got


def test_the_first_page_by_company_walks_an_index(hunter, tmp_path):
    """The company sort reads the first page from domains_company_tr, never sorting every lead."""
    _import(hunter, tmp_path, TURKISH_ORDER)
    conn = store.connect(hunter.db, write=False)
    try:
        for sort in (["company"], ["-company"]):
            sql, params = core.select_sql(core.LeadFilter(), core.parse_sort(sort), limit=50)
            plan = " ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
            assert "USING INDEX domains_company_tr" in plan and "TEMP B-TREE FOR ORDER BY" not in plan, (sort, plan)
    finally:
        conn.close()
