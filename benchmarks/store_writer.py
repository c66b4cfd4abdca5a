"""How much the store's scan writer costs per result, for one or more commits in the same run.

For each commit (``--commit``, repeatable; default HEAD), ``git archive`` puts its
``hunter_cli/`` in a temporary folder and a fresh interpreter times
``store.write_results`` over N results in batches of 500, as the writer thread
does: first as new leads, then the same domains again (a rescan: carry-forward,
change events, automatic tags). Results are copies of the real results stored by
release 0.1.0 (tests/data/release/hunter-0.1.0.db) under new domain names. Prints
CPU and wall seconds of each pass; ``--rounds`` alternates the commits to even
out a noisy machine, and the best round counts.

    python benchmarks/store_writer.py --commit 54052f5 --commit HEAD [--results 10000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELEASE_DB = ROOT / "tests" / "data" / "release" / "hunter-0.1.0.db"

WORKER = r"""
import json, os, sqlite3, sys, tempfile, time
sys.path.insert(0, sys.argv[1])
from hunter_cli import store
from hunter_cli.models import DomainResult
n = int(sys.argv[2])
src = sqlite3.connect(sys.argv[3])
templates = [DomainResult.model_validate_json(r[0]) for r in src.execute("SELECT result_json FROM scans WHERE status = 'ok'")]
items = []
for i in range(n):
    r = templates[i % len(templates)].model_copy(update={"domain": f"firma{i:06d}.com.tr"})
    items.append((r, r.model_dump_json()))
out = {}
with tempfile.TemporaryDirectory() as d:
    conn = store.connect(os.path.join(d, "w.db"))
    for name in ("new", "rescan"):
        c, w = time.process_time(), time.perf_counter()
        for i in range(0, n, 500):
            store.write_results(conn, items[i : i + 500], None)
        out[name] = (time.process_time() - c, time.perf_counter() - w)
    conn.close()
print(json.dumps(out))
"""


def snapshot(commit: str, into: Path) -> str:
    """Extract ``hunter_cli/`` of ``commit`` into ``into``; returns the short commit id."""
    short = subprocess.run(
        ["git", "rev-parse", "--short", commit], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    data = subprocess.run(["git", "archive", commit, "hunter_cli"], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return short


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--commit", action="append", help="commit to measure (repeatable; default HEAD)")
    ap.add_argument("--results", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    commits = args.commit or ["HEAD"]
    best: dict[str, dict[str, tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        roots = {}
        for c in commits:
            folder = Path(tmp) / c.replace("/", "_")
            folder.mkdir()
            roots[snapshot(c, folder)] = folder
        for _ in range(args.rounds):
            for short, folder in roots.items():
                done = subprocess.run(
                    [sys.executable, "-c", WORKER, str(folder), str(args.results), str(RELEASE_DB)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                got = json.loads(done.stdout)
                mine = best.setdefault(short, {})
                for name, (cpu, wall) in got.items():
                    if name not in mine or cpu < mine[name][0]:
                        mine[name] = (cpu, wall)
    print(f"store.write_results over {args.results} results, batches of 500; best of {args.rounds} (by CPU)")
    for short, passes in best.items():
        line = "   ".join(
            f"{name}: {cpu:.2f} s CPU, {wall:.2f} s wall ({args.results / wall:,.0f}/s)"
            for name, (cpu, wall) in passes.items()
        )
        print(f"  {short}  {line}")


if __name__ == "__main__":
    main()
