"""Disk a lead takes as it is scanned again and again (issue 15: at most 2 KB a domain).

Usage (from the repository root)::

    python benchmarks/disk_rescans.py [--domains 2000] [--scans 5] [--commit HEAD] --reference REV

Generates ``scan_bench.py``'s synthetic companies (the same record mix and seed), serves them from
``tests/dnsserver.py`` on loopback, and scans the whole list ``--scans`` times into one database, once
with the hunter of ``--commit`` and once with the hunter of ``--reference`` (each a ``git archive``
snapshot, the same server, one after the other), as a weekly cron job would. After each scan it prints
the bytes in use (pages in use, ``PRAGMA page_count - freelist_count`` times the page size: what
``hunter db vacuum`` would leave) over the number of domains, what each later scan added, and the CPU
time of each scan (the run and its child processes, the later ones rescans). The tenant
and registration lanes are off (they would reach the internet).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan_bench import DNSServer, generate, hunter_env, prepare_code  # noqa: E402


def bytes_in_use(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        pages, free, size = (
            conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "freelist_count", "page_size")
        )
    finally:
        conn.close()
    return (pages - free) * size


def scans(code: dict, gen: dict, server: DNSServer, workdir: Path, count: int) -> tuple[list[int], list[float]]:
    """Scan the list ``count`` times into a new database with ``code``'s hunter; bytes in use after each, and the
    CPU seconds of each scan (the run and its child processes: the writer and the scan workers)."""
    db = workdir / f"rescans-{code['commit']}.db"
    sizes, cpu = [], []
    for i in range(count):
        before = os.times()
        cmd = [sys.executable, "-m", "hunter_cli", "scan", str(gen["list_path"]), "--db", str(db)]
        cmd += ["--nameserver", server.nameserver, "-q", *code["extra_flags"]]
        done = subprocess.run(cmd, env=hunter_env(code), cwd=str(code["root"]), capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"scan {i + 1} with {code['commit']} exited {done.returncode}: {done.stderr[-800:]}")
        after = os.times()
        cpu.append(after.children_user + after.children_system - before.children_user - before.children_system)
        sizes.append(bytes_in_use(db))
    return sizes, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--domains", type=int, default=2000)
    ap.add_argument("--scans", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--commit", default="HEAD", help="the hunter measured (default HEAD)")
    ap.add_argument("--reference", required=True, help="the hunter it is compared with, in the same run")
    ap.add_argument("--keep", type=Path, help="keep the generated files and databases here")
    args = ap.parse_args()
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="hunter-disk-"))
    workdir.mkdir(parents=True, exist_ok=True)
    codes = [prepare_code(workdir, False, rev) for rev in (args.commit, args.reference)]
    gen = generate(args.domains, args.seed, workdir, "disk")
    server = DNSServer(codes[0]["dnsserver"], gen["zone_path"], "127.0.0.1", gen["records"], workdir / "server.log")
    server.start(120 + 400e-6 * gen["records"])
    try:
        measured = {c["commit"]: scans(c, gen, server, workdir, args.scans) for c in codes}
    finally:
        server.stop()
    n = args.domains
    sizes = {k: v[0] for k, v in measured.items()}
    print(f"\n{n} domains, {args.scans} scans of each; bytes in use a domain after each scan:")
    print(f"{'scan':>6}" + "".join(f"{c['commit']:>22}" for c in codes))
    for i in range(args.scans):
        print(f"{i + 1:>6}" + "".join(f"{sizes[c['commit']][i] / n:>22,.0f}" for c in codes))
    print(f"{'each later scan added':>28}")
    for c in codes:
        s = sizes[c["commit"]]
        per = (s[-1] - s[0]) / n / max(1, args.scans - 1)
        cpu = measured[c["commit"]][1]
        print(
            f"  {c['commit']:>12} {per:8,.0f} bytes a domain a scan; CPU of the scans "
            + ", ".join(f"{x:.1f}" for x in cpu)
            + " s"
        )


if __name__ == "__main__":
    main()
