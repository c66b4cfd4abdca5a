"""Big lists: `hunter leads -f csv` and the first page of `hunter leads` at a million leads, and
`hunter changes` over 11,000 change events, each beside its reference from the same run.

Reuses the synthetic lead database of benchmarks/leads_query.py (`build`, seeded; about 40 minutes
for 1,000,000 leads on a busy 2-core machine: keep it with --keep and pass --reuse afterwards).
Every figure is a new process; wall time and CPU time (user + system, os.wait4) are printed, the
median of --runs. CPU time is the steadier figure on a shared machine. Hunter's modules are
compiled to bytecode first, as an installed package is (with PYTHONDONTWRITEBYTECODE set, every
run would otherwise compile the modules it imports again: about 60 ms of the first page).

- `hunter leads -f csv` (every lead) against `sqlite3 -csv DB 'SELECT * FROM leads'` (the view with
  the same columns) and the same with hunter's default order; target: within 2 times.
- `hunter leads --category P1 -n 50` against `python -c pass`; target: within 150 ms of wall time.
  The reference `sqlite3` running the same page's SQL is printed beside it. Beside it, the same page with
  the footprint filters (`--uses zoom`, `--workload intune`, `--missing intune`) and the sorts under a
  filter (`--category P1 --sort company`, `--tenant --sort company`, `--category P1 --sort scanned`);
  `--p1-only` times the P1 page alone.
- `hunter changes --since 7d` with 11,000 events (replacing the bench file's events) in the table
  (first 50), `--limit 0` (all, in pieces) and `-f csv`, against `sqlite3` running its SQL.

    python benchmarks/big_lists.py --leads 1000000 --keep /tmp/lq1m [--reuse] [--runs 3] [--compare REV]
        [--compare-db FILE] [--page-only] [--p1-only]

``--compare REV`` also times the pages by commit REV's ``hunter_cli/``, interleaved with this
tree's and the references, on ``--compare-db FILE`` when given (this tree upgrades the file it reads: give
REV a copy made before, at its own schema); ``--page-only`` skips the CSV export and `changes`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import trees  # noqa: E402
from leads_query import build  # noqa: E402

from hunter_cli import store  # noqa: E402
from hunter_cli.store import leads as core  # noqa: E402


def run(cmd: list[str], env: dict, out: Path | None = None) -> tuple[float, float]:
    """(wall s, CPU s) of one child; stdout to ``out`` or /dev/null. Started in a neutral folder:
    `python -m` puts the current folder first on sys.path, which would shadow ``--compare``'s PYTHONPATH."""
    start = time.perf_counter()
    with open(out or os.devnull, "wb") as sink:
        proc = subprocess.Popen(
            cmd, env=env, stdout=sink, stderr=subprocess.DEVNULL, cwd=env.get("BENCH_CWD", tempfile.gettempdir())
        )
        _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime


def median_of(runs: int, cmd: list[str], env: dict) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(runs):
        w, c = run(cmd, env)
        walls.append(w)
        cpus.append(c)
    return statistics.median(walls), statistics.median(cpus)


def add_events(db: Path, n: int) -> None:
    """``n`` change events within the last day on the first ``n`` leads (replacing any others)."""
    conn = sqlite3.connect(db)
    now = datetime.now(timezone.utc)
    domains = [r[0] for r in conn.execute("SELECT domain FROM domains LIMIT ?", (n,))]
    conn.execute("BEGIN")
    conn.execute("DELETE FROM events")  # the bench file's own: a rerun starts from the same events
    conn.executemany(
        "INSERT INTO events (domain, occurred_at, kind, old, new) VALUES (?, ?, ?, ?, ?)",
        [
            (d, (now - timedelta(seconds=i * 5)).isoformat(timespec="seconds"), kind, old, new)
            for i, d in enumerate(domains)
            for kind, old, new in [
                (
                    ("provider_changed", "google", "m365"),
                    ("dmarc_added", None, "quarantine"),
                    (
                        "spf_changed",
                        "v=spf1 include:_spf.google.com ~all",
                        "v=spf1 include:spf.protection.outlook.com -all",
                    ),
                    ("gateway_added", None, "mimecast"),
                )[i % 4]
            ]
        ],
    )
    conn.execute("COMMIT")
    conn.close()


# The pages timed beside `python -c pass` (each `-n 50`): the default P1 page, the footprint filters and the
# sorts under a filter (trial 24 F3; docs/performance.md "Footprint filters from an index (lists30)").
PAGES: tuple[tuple[str, ...], ...] = (
    ("--category", "P1"),
    ("--uses", "zoom"),
    ("--workload", "intune"),
    ("--missing", "intune"),
    ("--category", "P1", "--sort", "company"),
    ("--tenant", "--sort", "company"),
    ("--category", "P1", "--sort", "scanned"),
)


def first_page(args: argparse.Namespace, db: Path, hunter: list[str], env: dict) -> None:
    """Each of :data:`PAGES` (`hunter leads ARGS -n 50`) against `python -c pass`, and with ``--compare REV``
    the same pages by REV's ``hunter_cli/`` (``git archive``, first on PYTHONPATH; on ``--compare-db`` when
    given, a copy of the file at REV's schema), every command in turn."""
    py = sys.executable
    pages = PAGES if not args.p1_only else PAGES[:1]
    cases: dict[str, tuple[list[str], dict]] = {}
    for extra in pages:
        cases[f"hunter leads {' '.join(extra)} -n 50"] = (hunter + ["leads", *extra, "-n", "50", "--db", str(db)], env)
    cases["reference: python -c pass"] = ([py, "-c", "pass"], env)
    cases["reference: python -c 'import typer'"] = ([py, "-c", "import typer"], env)
    other = None
    if args.compare:
        other = trees.extract(args.compare, "big-lists-compare-")
        other_env = dict(env, PYTHONPATH=str(other) + os.pathsep + env.get("PYTHONPATH", ""))
        other_db = str(args.compare_db or db)
        for extra in pages:
            cases[f"hunter leads {' '.join(extra)} -n 50 ({args.compare})"] = (
                hunter + ["leads", *extra, "-n", "50", "--db", other_db],
                other_env,
            )
    walls: dict[str, list[float]] = {k: [] for k in cases}
    cpus: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(args.runs * 3):
        for name, (cmd, case_env) in cases.items():
            w, c = run(cmd, case_env)
            walls[name].append(w)
            cpus[name].append(c)
    if other:
        shutil.rmtree(other, ignore_errors=True)
    med = {k: (statistics.median(walls[k]), statistics.median(cpus[k])) for k in cases}
    bare = med["reference: python -c pass"]
    typer_floor = med["reference: python -c 'import typer'"]
    conn = core.prepare(store.connect(db))
    start = time.perf_counter()
    for _ in range(5):
        core.page(conn, core.LeadFilter(categories=("P1",)), core.DEFAULT_SORT, 50)
    in_process = (time.perf_counter() - start) / 5
    conn.close()
    for name, figures in med.items():
        if name.startswith("hunter"):
            note = f"{(figures[0] - bare[0]) * 1000:+.0f} ms over python -c pass (target <= +150 ms)"
        elif "typer" in name:
            page = med["hunter leads --category P1 -n 50"]
            note = f"P1 page: {(page[0] - typer_floor[0]) * 1000:+.0f} ms over it"
        else:
            note = ""
        print(f"  {name:<62} {figures[0]:8.3f} {figures[1]:8.3f}  {note}")
    print(f"  {'the P1 page in process (SELECT, COUNT, tags of the page)':<62} {in_process:8.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--leads", type=int, default=1_000_000)
    ap.add_argument("--events", type=int, default=11_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="directory to keep the generated database in")
    ap.add_argument("--reuse", action="store_true", help="use the database already in --keep")
    ap.add_argument("--compare", metavar="REV", help="also time commit REV's first page, interleaved with this tree's")
    ap.add_argument("--page-only", action="store_true", help="time the first page only (no CSV, no changes)")
    ap.add_argument("--p1-only", action="store_true", help="of the pages, time the default P1 page only")
    ap.add_argument(
        "--compare-db", type=Path, help="the file --compare REV reads (a copy at REV's schema); default: the same"
    )
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    folder = args.keep or Path(tmp.name)
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "leads-bench.db"
    if not (args.reuse and db.exists()):
        db.unlink(missing_ok=True)
        build(db, args.leads)
    trees.compile_tree(ROOT / "hunter_cli")
    conn = store.connect(db)  # brings a kept file to the current schema
    n = conn.execute("SELECT count(*) FROM domains").fetchone()[0]
    conn.close()
    py, sqlite = sys.executable, shutil.which("sqlite3")
    env = dict(os.environ, NO_COLOR="1", COLUMNS="120")
    hunter = [py, "-m", "hunter_cli"]
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    print(
        f"commit {commit.stdout.strip()}, {n:,} leads ({db.stat().st_size / 1e9:.1f} GB), Python"
        f" {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, median of {args.runs}"
    )
    print(f"  {'':<62} {'wall s':>8} {'CPU s':>8}")

    def show(label: str, figures: tuple[float, float], note: str = "") -> None:
        print(f"  {label:<62} {figures[0]:8.3f} {figures[1]:8.3f}  {note}")

    if args.page_only:
        first_page(args, db, hunter, env)
        tmp.cleanup()
        return

    # 1. CSV export of every lead
    csv_h = median_of(args.runs, hunter + ["leads", "-f", "csv", "--db", str(db)], env)
    order = core.order_sql(core.DEFAULT_SORT).replace("d.", "")
    if sqlite:
        ref = median_of(args.runs, [sqlite, "-csv", str(db), "SELECT * FROM leads"], env)
        ref_sorted = median_of(args.runs, [sqlite, "-csv", str(db), f"SELECT * FROM leads{order}"], env)
    show("hunter leads -f csv (every lead)", csv_h)
    if sqlite:
        show(
            "reference: sqlite3 -csv DB 'SELECT * FROM leads'",
            ref,
            f"hunter / reference: {csv_h[0] / ref[0]:.2f} wall, {csv_h[1] / ref[1]:.2f} CPU (target <= 2)",
        )
        show(
            f"reference: the same{order}",
            ref_sorted,
            f"hunter / reference: {csv_h[0] / ref_sorted[0]:.2f} wall, {csv_h[1] / ref_sorted[1]:.2f} CPU",
        )

    # 2. the first page
    first_page(args, db, hunter, env)

    # 3. changes
    copy = db
    add_events(copy, args.events)
    since = (datetime.now(timezone.utc) - timedelta(days=7)).isoformat(timespec="seconds")
    show(
        f"hunter changes --since 7d ({args.events:,} events, table: first 50)",
        median_of(args.runs, hunter + ["changes", "--since", "7d", "--db", str(copy)], env),
    )
    show(
        "hunter changes --since 7d --limit 0 (table, every event)",
        median_of(args.runs, hunter + ["changes", "--since", "7d", "--limit", "0", "--db", str(copy)], env),
    )
    show(
        "hunter changes --since 7d -f csv",
        median_of(args.runs, hunter + ["changes", "--since", "7d", "-f", "csv", "--db", str(copy)], env),
    )
    if sqlite:
        q = (
            "SELECT e.occurred_at, e.domain, d.company, e.kind, e.old, e.new, d.category FROM events e"
            f" JOIN domains d USING (domain) WHERE e.occurred_at >= '{since}' ORDER BY e.occurred_at DESC, e.id DESC"
        )
        show("reference: sqlite3 -csv, the same SQL", median_of(args.runs, [sqlite, "-csv", str(copy), q], env))
    tmp.cleanup()


if __name__ == "__main__":
    main()
