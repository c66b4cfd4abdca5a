"""Trial 32's remaining small faults, each tried as a kind: one Turkish word for the mail security gateway,
machine formats that tell "unknown" from "none", one date style per screen, the mail move offered once, and
a domain listed twice under two company names said in the scan summary. CLI tests run against the real test
DNS server and sign-in stand-in (the conftest `hunter` fixture)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# TR_GATEWAY_TERM: the one full form and the one short form of "mail security gateway" in Turkish.
_GATEWAY_WORD = re.compile(r"geçi[dt]", re.IGNORECASE)
_FULL = "e-posta güvenlik ağ "
_SHORT = "ağ "


def _turkish_sources() -> list[Path]:
    """Every file Turkish text can come from: the message and help catalogs, the data catalogs (their "tr"
    values), Python sources and the docs."""
    files = [p for p in (ROOT / "hunter_cli").rglob("*") if p.suffix in {".json", ".py", ".txt", ".toml"}]
    return [*files, *(ROOT / "docs").glob("*.md"), ROOT / "README.md"]


def test_turkish_names_the_mail_security_gateway_one_way():
    """TR_GATEWAY_TERM: Turkish said "Ağ geçidi" (rules matrix), "Geçit" (leads) and "E-posta güvenlik geçidi"
    (changes) for one thing. Every "geçit/geçid..." must be "ağ geçidi" (the short form, for table headers and
    a second mention) or "e-posta güvenlik ağ geçidi" (the full form): never "geçit" alone, "güvenlik geçidi"
    or "güvenlik ağ geçidi" without "e-posta"."""
    seen = 0
    wrong = []
    for path in _turkish_sources():
        text = path.read_text(encoding="utf-8", errors="replace")
        for hit in _GATEWAY_WORD.finditer(text):
            seen += 1
            before = text[max(0, hit.start() - 40) : hit.start()].lower()
            ok = before.endswith(_SHORT) and (not before.endswith("güvenlik " + _SHORT) or before.endswith(_FULL))
            if not ok:
                line = text.count("\n", 0, hit.start()) + 1
                wrong.append(f"{path.relative_to(ROOT)}:{line}: ...{text[hit.start() - 30 : hit.end() + 10]!r}")
    assert seen > 20, seen  # the scan found the Turkish catalogs
    assert not wrong, "\n".join(wrong)
