"""Peak memory of `hunter scan` over a long input of mostly non-existent domains.

Writes N input lines (about 95 % distinct domains that do not exist, 5 % repeats written as URLs or
e-mail addresses), then measures the peak RSS (``os.wait4``) of child processes:

1. input only: every line read, normalised and de-duplicated as `hunter scan` does
   (``hunter_cli.inputs.domains``), nothing asked;
2. the same loop with the de-duplication Hunter had before (a Python set of each domain's 64-bit
   ``hash()``), as the reference in the same run;
3. with ``--scan``: `hunter scan FILE -q --no-tenant --no-whois` against the loopback test DNS server
   (tests/dnsserver.py, the suite's zones; every bench domain gets NXDOMAIN), every result stored;
   the peak of the summed RSS of the scan and its processes (scan workers, the store's writer),
   sampled every half second, and of the largest one alone (``--processes N`` is passed on).

Target (issue 15): at most 100 MB at 1,000,000 lines, and flat beyond (run it at 5,000,000).

    python benchmarks/scan_memory.py --lines 1000000 [--lines 5000000] [--scan]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

INPUT_ONLY = """
import sys
from hunter_cli import inputs
stats = inputs.InputStats()
n = sum(1 for _ in inputs.domains([sys.argv[1]], stats))
print(n, stats.duplicates)
"""
# What inputs.leads did before: a set of each registrable domain's hash().
HASH_SET = """
import sys
import hunter_cli.store  # imported by every scan; the other loop imports it to reach store/seen.py
from hunter_cli import inputs
from hunter_cli.domains import Rejected, normalize
seen, n, dup = set(), 0, 0
for cand in inputs.candidates(sys.argv[1], inputs.InputStats(), inputs.ColumnHints()):
    r = normalize(cand.text)
    if isinstance(r, Rejected):
        continue
    k = hash(r)
    if k in seen:
        dup += 1
        continue
    seen.add(k)
    n += 1
print(n, dup)
"""


def write_input(path: Path, lines: int, seed: int = 3) -> None:
    rnd = random.Random(seed)
    with open(path, "w", encoding="utf-8") as f:
        made = 0
        for _ in range(lines):
            if made and rnd.random() < 0.05:
                j = rnd.randrange(made)
                f.write(rnd.choice((f"https://www.yok{j:08d}.com.tr/iletisim", f"satis@yok{j:08d}.com.tr")) + "\n")
            else:
                f.write(f"yok{made:08d}.com.tr\n")
                made += 1


def measure(cmd: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """Peak RSS of one child, measured alone (RUSAGE_CHILDREN keeps the largest child so far)."""
    code = (
        "import os, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "sys.stderr.write(p.stderr[-2000:])\n"
        "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "out = p.stdout.strip().replace(chr(10), chr(32))[:200]\n"
        "print(ru.ru_maxrss / 1024, time.perf_counter() - t, p.returncode, out)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *cmd], env=env, capture_output=True, text=True)
    rss, wall, rc, rest = out.stdout.split(" ", 3) if out.stdout.count(" ") >= 3 else (0, 0, 1, out.stdout)
    if int(rc):
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr[-2000:]}")
    return float(rss), float(wall), rest.strip()


def _tree_rss(root: int) -> tuple[int, int]:
    """(sum, largest) of the resident set sizes, in KiB, of ``root`` and every process below it (/proc)."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        parent[int(entry)] = int(stat.rpartition(")")[2].split()[1])
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss[int(entry)] = int(line.split()[1])
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo += [p for p, pp in parent.items() if pp == pid and p not in tree]
    sizes = [rss.get(p, 0) for p in tree]
    return sum(sizes), max(sizes, default=0)


def measure_tree(cmd: list[str], env: dict) -> tuple[float, float, float]:
    """Run ``cmd``; every 0.5 s sum the RSS of it and its processes (scan workers, the store's writer).

    Returns (peak of that sum, peak of the largest single process, in MB; wall seconds). The whole
    run's memory is the sum: each scan worker and the writer is an interpreter of its own.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak_sum = peak_one = 0
    while proc.poll() is None:
        total, largest = _tree_rss(proc.pid)
        peak_sum, peak_one = max(peak_sum, total), max(peak_one, largest)
        time.sleep(0.5)
    err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode:
        sys.exit(f"failed: {' '.join(cmd)}\n{err[-2000:]}")
    return peak_sum / 1024, peak_one / 1024, time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, action="append", help="input lines (repeatable; default 1000000)")
    ap.add_argument("--scan", action="store_true", help="also run the whole scan (slow: every domain is asked)")
    ap.add_argument("--processes", type=int, help="pass --processes to the scan (default: hunter's own)")
    args = ap.parse_args()
    sizes = args.lines or [1_000_000]
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    print(f"commit {commit.stdout.strip()}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"input-{n}.txt"
            write_input(path, n)
            rss, wall, out = measure([py, "-c", INPUT_ONLY, str(path)])
            rss_old, wall_old, out_old = measure([py, "-c", HASH_SET, str(path)])
            print(f"{n:>10,} lines ({path.stat().st_size / 1e6:.0f} MB): unique, duplicates = {out}")
            print(f"    input only, hunter (exact, spills to a temporary file)  peak RSS {rss:7.1f} MB  {wall:6.1f} s")
            print(
                f"    reference: the same loop with a set of hash()es         peak RSS {rss_old:7.1f} MB  {wall_old:6.1f} s  ({out_old})"
            )
            if args.scan:
                from dnsserver import DNSTestServer, load_zone_dir

                with DNSTestServer(load_zone_dir(ROOT / "tests" / "zones")) as dns:
                    db = Path(tmp) / f"scan-{n}.db"
                    cmd = [
                        py,
                        "-m",
                        "hunter_cli",
                        "scan",
                        str(path),
                        "--db",
                        str(db),
                        "-q",
                        "--no-tenant",
                        "--no-whois",
                    ]
                    cmd += ["--nameserver", dns.nameserver, "--timeout", "2"]
                    if args.processes:
                        cmd += ["--processes", str(args.processes)]
                    env = dict(os.environ, NO_COLOR="1")
                    rss_sum, rss_scan, wall_scan = measure_tree(cmd, env)
                size = db.stat().st_size + (
                    Path(str(db) + "-wal").stat().st_size if Path(str(db) + "-wal").exists() else 0
                )
                print(
                    f"    hunter scan (every domain asked and stored)              peak RSS {rss_sum:7.1f} MB  {wall_scan:6.1f} s"
                    f"  (all its processes together; the largest one {rss_scan:.1f} MB; target <= 100 MB;"
                    f" database {size / 1e6:.0f} MB; {args.processes or 'default'} processes)"
                )
                db.unlink(missing_ok=True)
            path.unlink()


if __name__ == "__main__":
    main()
