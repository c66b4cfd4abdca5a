"""Does the tenant lane keep up with DNS? `hunter scan` with and without tenant lookups.

A loopback DNS server and a stand-in for the Microsoft sign-in endpoints
(`benchmarks/ms_standin.py`, both separate processes) serve N synthetic
domains; 40 % of them have a tenant. The stand-in holds every answer
`--delay-ms` (default 100 ms, as the real service far away), and with
`--burst PERIOD:LENGTH:RETRY_AFTER` answers 429 in bursts. The same list is
scanned twice with fresh databases: DNS only (`--no-tenant`) as the reference,
then with tenant lookups. Issue 15's target: the tenant run keeps at least 0.8
of the DNS-only rate. The stand-in's own count of requests (most in flight at
once, most in any one second) is printed, to check Hunter kept to its ceiling.

    python benchmarks/tenant_lane.py [--domains 5000] [--delay-ms 100] [--burst 5:1:2]
                                     [--rounds 3] [--baseline DIR]

``--baseline DIR`` scans with another tree's ``hunter_cli`` too (e.g. ``git archive
main hunter_cli | tar -x -C DIR``), alternated with this tree's, each round beside
its own ``--no-tenant`` reference.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start(cmd: list[str], prefix: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("READY"):
            return proc, line.split()[1].strip()
    proc.kill()
    raise SystemExit(f"{prefix} did not start")


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a live process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scan(domains: Path, db: Path, ns: str, env: dict, extra: list[str]) -> tuple[float, dict, float]:
    cmd = [
        sys.executable,
        "-m",
        "hunter_cli",
        "scan",
        str(domains),
        "--json",
        "--db",
        str(db),
        "--nameserver",
        ns,
        "-q",
        "--no-whois",
        *extra,
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    # run outside any source tree, so that PYTHONPATH (not the current directory) says which hunter_cli runs
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=db.parent)
    dt = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    statuses: dict = {}
    for line in out.stdout.splitlines():
        s = json.loads(line)["status"]
        statuses[s] = statuses.get(s, 0) + 1
    return dt, statuses, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--domains", type=int, default=5000)
    ap.add_argument("--tenant-concurrency", type=int, default=None, help="passed on to hunter when given")
    ap.add_argument("--delay-ms", type=float, default=100.0, help="the stand-in's delay before each answer")
    ap.add_argument("--burst", metavar="PERIOD:LENGTH:RETRY_AFTER", help="429 bursts from the stand-in")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=1, help="reference and tenant scans this many times")
    ap.add_argument(
        "--baseline",
        metavar="DIR",
        help="also scan with tenant lookups using the hunter_cli package in DIR (put first on PYTHONPATH),"
        " alternated with this tree's in every round: a before/after measured in the same run",
    )
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        zone, names, tenants = (
            ["$ORIGIN .", "$TTL 300", 'spf.protection.outlook.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"'],
            [],
            {},
        )
        for i in range(args.domains):
            d = f"kiraci{i}.com.tr"
            names.append(d)
            zone.append(f"{d}. MX 0 kiraci{i}-com-tr.mail.protection.outlook.com.")
            zone.append(f'{d}. TXT "v=spf1 include:spf.protection.outlook.com -all"')
            if rnd.random() < 0.4:
                tenants[d] = {"id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)), "brand": f"Kiraci {i}"}
        (work / "z.zone").write_text("\n".join(zone) + "\n")
        (work / "d.txt").write_text("\n".join(names) + "\n")
        (work / "t.json").write_text(json.dumps(tenants))
        dns, ns = start(
            [sys.executable, str(ROOT / "tests" / "dnsserver.py"), "--zone-file", str(work / "z.zone"), "--no-log"],
            "DNS server",
        )
        ms_cmd = [sys.executable, str(ROOT / "benchmarks" / "ms_standin.py"), "--tenants-file", str(work / "t.json")]
        ms_cmd += ["--delay-ms", str(args.delay_ms)] + (["--burst", args.burst] if args.burst else [])
        ms, url = start(ms_cmd, "sign-in stand-in")
        rows: list[dict] = []
        try:
            base_env = dict(os.environ, HUNTER_MS_LOGIN_URL=url, NO_COLOR="1")

            def tree(path: Path | str) -> dict:  # hunter_cli from ``path`` first on the import path
                return dict(
                    base_env, PYTHONPATH=os.pathsep.join(p for p in (str(path), base_env.get("PYTHONPATH")) if p)
                )

            env = tree(ROOT)
            trees = [("this tree", env)]
            if args.baseline:  # another hunter_cli tree, for a before/after in one run
                trees.append((f"baseline {args.baseline}", tree(args.baseline)))
            scan(work / "d.txt", work / "warm.db", ns, env, ["--no-tenant"])  # warm the DNS server's answer cache
            extra = [] if args.tenant_concurrency is None else ["--tenant-concurrency", str(args.tenant_concurrency)]
            for r in range(args.rounds):
                ref_t, ref_s, ref_cpu = scan(work / "d.txt", work / f"a{r}.db", ns, env, ["--no-tenant"])
                order = trees if r % 2 == 0 else trees[::-1]  # alternate which tree goes first
                for label, tree_env in order:
                    ms_before, dnsd_before, st_before = cpu_of(ms.pid), cpu_of(dns.pid), standin_stats(url)
                    db = work / f"b{r}-{len(rows)}.db"
                    ten_t, ten_s, ten_cpu = scan(work / "d.txt", db, ns, tree_env, extra)
                    st = standin_stats(url)
                    rows.append(
                        dict(
                            round=r + 1,
                            tree=label,
                            ref_t=ref_t,
                            ref_s=ref_s,
                            ref_cpu=ref_cpu,
                            ten_t=ten_t,
                            ten_s=ten_s,
                            ten_cpu=ten_cpu,
                            ms_cpu=cpu_of(ms.pid) - ms_before,
                            dnsd_cpu=cpu_of(dns.pid) - dnsd_before,
                            requests=st["requests"] - st_before["requests"],
                            throttled=st["throttled"] - st_before["throttled"],
                            connections=st["connections"] - st_before["connections"],
                            load=os.getloadavg()[0],
                        )
                    )
        finally:
            dns.terminate()
            ms.terminate()
            stats = {}
            for line in ms.stdout:
                if line.startswith("STATS "):
                    stats = json.loads(line[6:])
    n = args.domains
    cores = os.cpu_count() or 1
    print(f"{n} domains, {len(tenants)} with a tenant; Python {sys.version.split()[0]}, {cores} CPUs")
    print(
        f"commit {commit()}; stand-in delay {args.delay_ms:g} ms" + (f", 429 bursts {args.burst}" if args.burst else "")
    )
    for row in rows:
        req = max(1, row["requests"])
        print(f"round {row['round']}, {row['tree']} (load {row['load']:.1f})")
        print(
            f"  DNS only (reference)     {n / row['ref_t']:7.0f} domains/s  {row['ref_s']}  hunter CPU {row['ref_cpu']:.1f} s"
        )
        print(
            f"  DNS + tenant lookups     {n / row['ten_t']:7.0f} domains/s  {row['ten_s']}  hunter CPU {row['ten_cpu']:.1f} s"
        )
        print(f"  ratio                    {row['ref_t'] / row['ten_t']:7.2f}  (target >= 0.80)")
        print(
            f"  CPU during the tenant run: hunter {row['ten_cpu']:.1f} s, sign-in stand-in {row['ms_cpu']:.1f} s, DNS"
            f" server {row['dnsd_cpu']:.1f} s, together"
            f" {(row['ten_cpu'] + row['ms_cpu'] + row['dnsd_cpu']) / (row['ten_t'] * cores):.0%} of {cores} CPUs'"
            f" {row['ten_t']:.1f} s; the tenant lane cost hunter"
            f" {(row['ten_cpu'] - row['ref_cpu']) * 1e6 / req:.0f} µs of CPU a request"
        )
        print(
            f"  stand-in: {row['requests']} requests ({row['requests'] / n:.2f} a domain), {row['throttled']} answered"
            f" 429, over {row['connections']} TCP connections"
        )
    print(
        f"stand-in, whole run: at most {stats.get('peak_in_flight')} requests in flight,"
        f" {stats.get('peak_per_second')} in one second; mean {stats.get('mean_per_second')}/s"
    )


def standin_stats(url: str) -> dict:
    """The stand-in's counters so far (``GET /_stats``, not counted as a request)."""
    import urllib.request

    with urllib.request.urlopen(f"{url}/_stats", timeout=10) as resp:  # loopback only
        return json.loads(resp.read())


def commit() -> str:
    out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "hunter_cli"], capture_output=True, text=True
    )
    return out.stdout.strip() + (" + uncommitted changes" if dirty.stdout.strip() else "")


if __name__ == "__main__":
    main()
