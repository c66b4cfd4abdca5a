"""Start-up: how long Hunter's short commands take beside the floor of any Typer program.

Each command runs as a new process (`python -m hunter_cli ...`), alternating with the references,
and the median wall time of --runs is printed; CPU time (user + system, from os.wait4) beside it.
References from the same run: `python -c pass` and `python -c 'import typer'` (the floor).
Targets (issue 15): `hunter --help` within 1.3 times the floor; `sales-summary X` and
`leads show X` on a stored domain within 150 ms of it; `prep X` cold (fresh database, loopback DNS,
sign-in and RDAP stand-ins answering at once) under 0.5 s of CPU; printed beside it, `prep` of a
domain new to a database that already exists. Also lists the heavy modules
`hunter --help` imports (none is the target).

    python benchmarks/startup.py [--runs 15] [--prep-runs N] [--compare REV]

``--prep-runs`` (default: a third of --runs, at least 3) is how many of the rounds also time `prep`.

``--compare REV`` also runs the hunter commands of commit REV (its ``hunter_cli/`` taken with
``git archive`` and put first on PYTHONPATH, with a database of its own), interleaved with this
tree's, so a change is measured before and after in the same run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import trees  # noqa: E402
from dnsserver import DNSTestServer, load_zone_dir  # noqa: E402
from msserver import MsLoginServer, Tenant  # noqa: E402
from regserver import RdapServer, rdap_domain  # noqa: E402

TYPER_COMMAND = """
import typer
app = typer.Typer()
@app.command()
def main(n: int = typer.Option(1, "--n")) -> None:
    pass
app()
"""
HEAVY = ("aiohttp", "httpx", "msal", "msal_extensions", "uvloop", "pycares", "pydantic", "sqlite_utils")


def run(cmd: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one child process, started in a neutral folder: `python -m`
    puts the current folder first on sys.path, which would shadow ``--compare``'s PYTHONPATH."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir()
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime


def heavy_imports(cmd: list[str], env: dict) -> list[str]:
    out = subprocess.run(cmd[:1] + ["-X", "importtime"] + cmd[1:], env=env, capture_output=True, text=True)
    names = {line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}
    return sorted(n for n in names if n.split(".")[0] in HEAVY and "." not in n)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--compare", metavar="REV", help="also time commit REV's hunter commands in the same run")
    ap.add_argument("--prep-runs", type=int, help="rounds that also time prep (default: runs // 3, at least 3)")
    args = ap.parse_args()
    py = sys.executable
    hunter = [py, "-m", "hunter_cli"]
    other = None
    if args.compare:
        other = trees.extract(args.compare, "startup-compare-")  # compiled, as this tree is next
    trees.compile_tree(ROOT / "hunter_cli")  # no timed run pays for compiling its sources
    tenants = {"firma.com.tr": Tenant(id="3f2c8a71-5b0e-4c1d-9a6f-0e7d2b4c8a10", brand="Firma")}
    with (
        DNSTestServer(load_zone_dir(ROOT / "tests" / "zones")) as dns,
        MsLoginServer(tenants) as ms,
        RdapServer({"firma.com.tr": rdap_domain("firma.com.tr")}) as rdap,
        tempfile.TemporaryDirectory() as tmp,
    ):
        env = dict(
            os.environ,
            HUNTER_MS_LOGIN_URL=ms.base_url,
            HUNTER_RDAP_URL=rdap.base_url,
            HUNTER_WHOIS_HOST="127.0.0.1:9",
            NO_COLOR="1",
            COLUMNS="120",
        )
        db = Path(tmp) / "stored.db"
        subprocess.run(
            hunter + ["scan", "firma.com.tr", "--db", str(db), "--nameserver", dns.nameserver, "-q"],
            env=env,
            check=True,
        )
        other_path = str(other) + os.pathsep + env.get("PYTHONPATH", "")
        other_db = Path(tmp) / "stored-other.db"
        if other:
            subprocess.run(
                hunter + ["scan", "firma.com.tr", "--db", str(other_db), "--nameserver", dns.nameserver, "-q"],
                env=dict(env, PYTHONPATH=other_path),
                check=True,
                cwd=tempfile.gettempdir(),
            )
        cases = {
            "python -c pass": [py, "-c", "pass"],
            "python -c 'import typer' (floor)": [py, "-c", "import typer"],
            # typer 0.29 checks an invoked command's option values with pydantic's TypeAdapter, so any
            # Typer command with one option imports pydantic: the floor of a command that runs
            "a Typer command with one int option": [py, "-c", TYPER_COMMAND, "--n", "2"],
            "hunter --help": hunter + ["--help"],
            "hunter sales-summary firma.com.tr": hunter + ["sales-summary", "firma.com.tr", "--db", str(db)],
            "hunter leads show firma.com.tr": hunter + ["leads", "show", "firma.com.tr", "--db", str(db)],
            "hunter leads --category P1 -n 50": hunter + ["leads", "--category", "P1", "-n", "50", "--db", str(db)],
        }
        # The reading commands run as most reps run them: no HUNTER_* variable and no config file (each
        # would be checked with pydantic: about 50 ms more); prep gets the stand-ins' addresses.
        plain = {k: v for k, v in env.items() if not k.startswith("HUNTER_")}
        plain["XDG_CONFIG_HOME"] = str(Path(tmp) / "no-config")
        envs = dict.fromkeys(cases, plain)
        if other:
            for name in [n for n in cases if n.startswith("hunter")]:
                shown = f"{name} ({args.compare})"
                cases[shown] = [str(other_db) if a == str(db) else a for a in cases[name]]
                envs[shown] = dict(plain, PYTHONPATH=other_path)
        walls: dict[str, list[float]] = {k: [] for k in cases}
        cpus: dict[str, list[float]] = {k: [] for k in cases}
        # prep of this tree and, with --compare, of REV's (its own stored database for the known case)
        runs_of = [("", env, db)] + (
            [(f" ({args.compare})", dict(env, PYTHONPATH=other_path), other_db)] if other else []
        )
        prep: dict[str, list[tuple[float, float]]] = {}
        for i in range(args.runs):
            for name, cmd in cases.items():
                w, c = run(cmd, envs[name])
                walls[name].append(w)
                cpus[name].append(c)
            if i < (args.prep_runs if args.prep_runs is not None else max(3, args.runs // 3)):
                for t, (suffix, tree_env, stored) in enumerate(runs_of):
                    fresh = Path(tmp) / f"prep{i}-{t}.db"
                    cold = [
                        "prep",
                        "firma.com.tr",
                        "--db",
                        str(fresh),
                        "--nameserver",
                        dns.nameserver,
                        "-f",
                        "markdown",
                    ]
                    prep.setdefault(f"hunter prep firma.com.tr (cold){suffix}", []).append(run(hunter + cold, tree_env))
                    # the same domain, new to a database that already exists (a rep's everyday prep)
                    known = Path(tmp) / f"prep-known{i}-{t}.db"
                    shutil.copy(stored, known)
                    warm = ["prep", "gmailer.de", "--db", str(known), "--nameserver", dns.nameserver, "-f", "markdown"]
                    prep.setdefault(f"hunter prep gmailer.de (existing database){suffix}", []).append(
                        run(hunter + warm, tree_env)
                    )
        heavy = heavy_imports(hunter + ["--help"], env)
        shutil.rmtree(tmp, ignore_errors=True)
        if other:
            shutil.rmtree(other, ignore_errors=True)
    med = statistics.median
    floor = med(walls["python -c 'import typer' (floor)"])
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    print(
        f"commit {commit.stdout.strip()}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, median of {args.runs}"
    )
    # what the hunter commands import depends on the environment: httpcore imports h2 where it is installed
    # (a development venv may have it; `pip install .` as README.md says does not install it)
    import importlib.util

    h2 = "installed" if importlib.util.find_spec("h2") else "not installed"
    print(f"  interpreter {sys.executable} (h2 {h2})")
    width = max(40, *(len(n) for n in [*cases, *prep]))
    print(f"  {'command':<{width}} {'wall ms':>8} {'CPU ms':>8}   against the floor")
    for name in cases:
        w, c = med(walls[name]) * 1000, med(cpus[name]) * 1000
        rel = f"{w / (floor * 1000):.2f}x, {w - floor * 1000:+.0f} ms"
        target = ""
        if name.startswith("hunter --help"):
            target = "  (target <= 1.30x)"
        elif "sales-summary" in name or "leads show" in name:
            target = "  (target <= +150 ms)"
        print(f"  {name:<{width}} {w:8.0f} {c:8.0f}   {rel}{target}")
    for name, times in prep.items():
        w, c = med(t[0] for t in times) * 1000, med(t[1] for t in times) * 1000
        note = "CPU target < 500 ms" if "(cold)" in name else "a domain new to a database that exists"
        print(f"  {name:<{width}} {w:8.0f} {c:8.0f}   {note} (median of {len(times)})")
    print(f"  heavy modules `hunter --help` imports: {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()
