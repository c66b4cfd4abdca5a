"""Time and peak memory of `hunter import` on genuine and hostile workbooks under 1 MB.

    python benchmarks/xlsx_bounds.py [--reader own|openpyxl|both] [--keep DIR]

Each workbook is built with tests/hostile_xlsx.py (zipfile and hand-written
XML), padded where noted with an incompressible attachment so that the file is
close to 1 MB (the largest budget a sub-megabyte file gets), and imported by
`python -m hunter_cli import FILE --db fresh.db` in a child process. Wall time
is measured around the child, peak RSS comes from os.wait4. The target from
issue 11: every workbook under 1 MB is read or refused within 5 s and 200 MB.
A reference line imports a genuine member list of the same size, so a busy
machine shows in both.

``--reader openpyxl`` runs the same import with benchmarks/xlsx_openpyxl.py
(openpyxl's read-only mode behind cheap guards) in place of hunter_cli/xlsx.py;
``--reader both`` runs each workbook through both, one after the other, so the
two see the same machine state. The cases marked "at the markup budget" fill
the guard's markup allowance with the structure openpyxl spends most on.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import hostile_xlsx as hx  # noqa: E402

LIMIT_BYTES = 1_000_000


def pad_to(path: Path, size: int = LIMIT_BYTES - 20_000) -> Path:
    """Add an incompressible attachment so the file is just under 1 MB."""
    missing = size - path.stat().st_size
    if missing > 0:
        with zipfile.ZipFile(path, "a") as zf:
            zf.writestr("xl/media/image1.bin", os.urandom(missing), compress_type=zipfile.ZIP_STORED)
    return path


def member_csv(path: Path, rows: int) -> Path:
    """The same member list as CSV: the import's own cost, without any workbook."""
    lines = ["ÜYE LİSTESİ", "FİRMA ÜNVANI;ADRES;WEB SİTESİ;E-POSTA"]
    lines += [f"Firma {n} A.Ş.;OSB {n % 40}. Cad. No:{n};www.firma{n}.com.tr;info@firma{n}.com.tr" for n in range(rows)]
    csv_path = path.with_suffix(".csv")
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return csv_path


CASES = [
    ("reference: member list as CSV, 30,000 rows", lambda p: member_csv(p, 30_000), False),
    ("genuine member list, 30,000 rows", lambda p: hx.member_list(p, 30_000), False),
    ("whole-column dimension (A1:XFD1048576)", hx.whole_column_dimension, False),
    ("600 MB shared string (616 kB bomb of the issue)", hx.huge_shared_string, False),
    ("30 million empty shared strings", hx.many_shared_strings, False),
    ("empty shared strings, padded to 1 MB", lambda p: hx.many_shared_strings(p, count=3_000_000), True),
    ("row of 2 million cells", hx.wide_row, False),
    ("row of 500,000 cells, padded to 1 MB", lambda p: hx.wide_row(p, cells=500_000), True),
    ("5 million empty rows, padded to 1 MB", hx.empty_rows, True),
    ("3 million nested elements", hx.deep_nesting, False),
    ("500 MB cell value", hx.huge_cell_value, False),
    ("30 MB cell value, padded to 1 MB", lambda p: hx.huge_cell_value(p, megabytes=30), True),
    ("entity expansion (billion laughs)", hx.entity_bomb, False),
    # Just inside xlsx_openpyxl's markup budget (500,000 + 2 per byte of a 980 kB file):
    ("2.4 million empty shared strings, padded to 1 MB", lambda p: hx.many_shared_strings(p, count=2_400_000), True),
    ("row of 2.4 million empty cells, padded to 1 MB", lambda p: hx.empty_cells(p, cells=2_400_000), True),
    ("2.4 million empty rows, padded to 1 MB", lambda p: hx.empty_rows(p, rows=2_400_000), True),
    # ... and inside both readers' budgets (1 million '<', 500,000 elements):
    ("1 million empty shared strings, padded to 1 MB", lambda p: hx.many_shared_strings(p, count=1_000_000), True),
    ("row of 1 million empty cells, padded to 1 MB", lambda p: hx.empty_cells(p, cells=1_000_000), True),
    ("1 million empty rows, padded to 1 MB", lambda p: hx.empty_rows(p, rows=1_000_000), True),
]
READERS = {
    "own": ["-m", "hunter_cli"],
    # The same CLI with benchmarks/xlsx_openpyxl.py standing in for hunter_cli/xlsx.py.
    "openpyxl": [
        "-c",
        "import sys; sys.path.insert(0, 'benchmarks'); import hunter_cli, xlsx_openpyxl;"
        " sys.modules['hunter_cli.xlsx'] = hunter_cli.xlsx = xlsx_openpyxl;"
        " sys.argv[0] = 'hunter'; from hunter_cli.cli import main; main()",
    ],
}


def run(path: Path, db: Path, reader: str) -> tuple[float, float, int, str]:
    db.unlink(missing_ok=True)
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, *READERS[reader], "import", str(path), "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - start
    stderr = proc.stderr.read() if proc.stderr else ""
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    verdict = errors[0][len("error: ") :] if errors else "read"
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), verdict


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", type=Path, help="keep the workbooks in this folder")
    ap.add_argument("--reader", choices=["own", "openpyxl", "both"], default="own", help="which reader to measure")
    args = ap.parse_args()
    readers = list(READERS) if args.reader == "both" else [args.reader]
    folder = args.keep or Path(tempfile.mkdtemp(prefix="xlsx-bounds-"))
    folder.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    print(f"commit {commit.stdout.strip() or '?'}, Python {sys.version.split()[0]}, load {os.getloadavg()[0]:.1f}")
    print(f"{'workbook':52} {'reader':8} {'size':>8} {'time':>7} {'peak RSS':>9}  exit  outcome")
    ok = True
    for i, (label, build, padded) in enumerate(CASES):
        path = build(folder / f"case{i}.xlsx")
        if padded:
            pad_to(path)
        size = path.stat().st_size
        for reader in readers:
            elapsed, peak, code, verdict = run(path, folder / f"case{i}.db", reader)
            genuine = i < 2  # the references: their time is the import's own work per row, not the reader's bounds
            within = genuine or (size < LIMIT_BYTES and elapsed < 5 and peak < 200)
            ok &= within
            print(
                f"{label:52} {reader:8} {size / 1e3:>6.0f}kB {elapsed:>6.2f}s {peak:>7.0f}MB  {code:>4}  "
                f"{'' if within else 'OVER TARGET: '}{verdict[:90]}",
                flush=True,
            )
    if not args.keep:
        for f in list(folder.iterdir()):
            f.unlink()
        folder.rmdir()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
