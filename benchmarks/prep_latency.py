"""How long `hunter prep DOMAIN` takes from a cold start to a printed brief.

Loopback stand-ins answer DNS, the Microsoft sign-in endpoints and RDAP at once,
so the figure is Hunter's own cost (interpreter start, imports, one scan, the
database, rendering). Printed beside two references measured in the same run:
a bare `python -c pass` and `hunter --help`.

    python benchmarks/prep_latency.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from dnsserver import DNSTestServer, load_zone_dir  # noqa: E402
from msserver import MsLoginServer, Tenant  # noqa: E402
from regserver import RdapServer, rdap_domain  # noqa: E402


def timed(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    py = sys.executable
    tenants = {"firma.com.tr": Tenant(id="3f2c8a71-5b0e-4c1d-9a6f-0e7d2b4c8a10", brand="Firma")}
    with (
        DNSTestServer(load_zone_dir(ROOT / "tests" / "zones")) as dns,
        MsLoginServer(tenants) as ms,
        RdapServer({"nomail.com": rdap_domain("nomail.com")}) as rdap,
        tempfile.TemporaryDirectory() as tmp,
    ):
        env = dict(
            os.environ,
            HUNTER_MS_LOGIN_URL=ms.base_url,
            HUNTER_RDAP_URL=rdap.base_url,
            HUNTER_WHOIS_HOST="127.0.0.1:9",
            NO_COLOR="1",
        )
        bare, helps, preps = [], [], []
        for i in range(args.runs):
            bare.append(timed([py, "-c", "pass"], env))
            helps.append(timed([py, "-m", "hunter_cli", "--help"], env))
            db = Path(tmp) / f"prep{i}.db"
            preps.append(
                timed(
                    [
                        py,
                        "-m",
                        "hunter_cli",
                        "prep",
                        "firma.com.tr",
                        "--db",
                        str(db),
                        "--nameserver",
                        dns.nameserver,
                        "--format",
                        "markdown",
                    ],
                    env,
                )
            )
    med = statistics.median
    print(f"runs: {args.runs}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"  python -c pass        {med(bare) * 1000:7.0f} ms (reference)")
    print(f"  hunter --help         {med(helps) * 1000:7.0f} ms")
    print(f"  hunter prep (cold)    {med(preps) * 1000:7.0f} ms  (target 1500 ms; max {max(preps) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
