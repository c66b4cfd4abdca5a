"""A long domain is shown whole in every table with a domain column (scan, leads, changes), at 80
columns and with NO_COLOR: folded after a dot or a hyphen when the column is narrower than the name, never cut
(a trial saw `muhasebe-danismanlik-hizmetleri-istanbul.com.tr` cut, and `danı` / `şmanlık` split mid-word)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rich.cells import cell_len

from hunter_cli import store
from hunter_cli.render.fold import fold

LONG = [
    "muhasebe-danismanlik-hizmetleri-istanbul.com.tr",
    "örnek-şirket-bilgi-teknolojileri-ve-danışmanlık.com.tr",
    "anadolu-yakasi-mali-musavirlik-ve-bagimsiz-denetim-hizmetleri.com.tr",  # a 62-letter label
    "istanbul-ve-cevresinde-kurumsal-bilgi-islem-ve-ag-guvenligi.bel.tr",
]
SHORT = ["firma.com.tr", "gmailer.de"]


def _whole(text: str, domain: str) -> bool:
    """Whether ``domain`` reads whole in ``text``: on one line, or in pieces at the same column of consecutive
    lines, each piece but the last ending in a dot or a hyphen."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if domain in line:
            return True
        for col in range(len(line)):
            rest, row, at = domain, i, col
            while row < len(lines):
                piece = lines[row][at:].split(" ", 1)[0]
                if not piece or not rest.startswith(piece):
                    break
                rest = rest[len(piece) :]
                if not rest:
                    return row > i  # folded over two lines or more
                if piece[-1] not in ".-":
                    break
                row += 1
    return False


def _fits(text: str, width: int = 80) -> None:
    for line in text.splitlines():
        assert cell_len(line) <= width, line


def _scan(hunter, *extra: str):
    result = hunter("scan", *LONG, *SHORT, "--no-whois", *extra, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("extra", [(), ("--no-tenant",)])
def test_the_scan_table_folds_a_long_domain_and_never_cuts_it(hunter, extra):
    out = _scan(hunter, *extra)
    _fits(out)
    assert "…" not in out
    for d in LONG + SHORT:
        assert _whole(out, d), (d, out)


def test_the_leads_table_folds_long_domains_at_a_dot_or_hyphen(hunter):
    _scan(hunter, "--no-tenant")
    for columns in ("80", "120"):
        out = hunter("leads", env={"COLUMNS": columns}).stdout
        _fits(out, int(columns))
        for d in LONG + SHORT:
            assert _whole(out, d), (columns, d, out)
    assert "danı\n" not in out and "danismanlik-hiz\n" not in out


def test_the_changes_table_folds_long_domains(hunter, db):
    _scan(hunter, "--no-tenant")
    conn = store.connect(db, write=True)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    from hunter_cli.domains import normalize

    for d in LONG + SHORT:
        conn.execute(
            "INSERT INTO events (domain, occurred_at, kind, old, new) VALUES (?, ?, 'gateway_added', NULL, 'mimecast')",
            (normalize(d), now),
        )
    conn.commit()
    conn.close()
    out = hunter("changes", env={"COLUMNS": "80"}).stdout
    _fits(out)
    assert out.count("Mimecast") + out.count("mimecast") >= len(LONG + SHORT)
    for d in LONG + SHORT:
        assert _whole(out, d), (d, out)


@pytest.mark.parametrize("width", [10, 16, 24, 40])
def test_fold_breaks_only_after_a_dot_or_hyphen_and_keeps_every_letter(width):
    for d in LONG:
        lines = fold(d, width)
        assert "".join(lines) == d
        assert all(cell_len(line) <= width for line in lines)
        longest_label = max(len(p) for p in d.replace("-", ".").split("."))
        if longest_label < width:  # only a label longer than the line itself is ever cut
            assert all(line[-1] in ".-" for line in lines[:-1]), lines


def test_a_tag_under_the_domain_keeps_its_comma(hunter):
    """At 80 columns the tags asked about (--tag) go under the domain, in a column as wide as the longest tag:
    with its comma (a trial saw 'migration-ready' and ', weak-dmarc' on two lines)."""
    assert hunter("scan", *SHORT, "--no-whois", env={"COLUMNS": "80"}).exit_code == 0
    out = hunter("leads", "--tag", "migration-ready", env={"COLUMNS": "80"}).stdout
    assert "migration-ready," in out
    assert not any(line.lstrip().startswith(",") for line in out.splitlines()), out


def test_leads_show_folds_a_long_dkim_target_after_a_dot(hunter):
    """trial12 E5: at 80 columns `leads show` cut a DKIM CNAME target inside a label
    ("...onmicrosoft.co" / "m,"), so it could not be copied; every value folds as render/fold.py does."""
    domain = "cat5-spamexperts-m365.com.tr"
    assert hunter("scan", domain, "--no-whois", "--no-tenant").exit_code == 0
    shown = hunter("leads", "show", domain, env={"COLUMNS": "80"})
    assert shown.exit_code == 0, shown.stderr
    values = [line.strip("│ ").split("  ")[-1].strip() for line in shown.stdout.splitlines()]
    assert max(len(line) for line in shown.stdout.splitlines()) <= 80
    target = "selector1-cat5-spamexperts-m365-com-tr._domainkey.cat5sem365.onmicrosoft.com"
    text = "\n".join(values)
    assert target in text.replace(".\n", "."), text  # broken only after a dot
    assert "onmicrosoft.co\n" not in text and "onmicro\n" not in text, text
