"""How long a scan takes to give up on a sign-in service that never answers, beside the same scan without it.

A loopback DNS server serves N synthetic Microsoft 365 domains; the Microsoft sign-in URL points at a
loopback "black hole" (it accepts connections and never answers, as a service behind a dropping firewall
does; offline, a name that never resolves costs each try the same wait). The list is scanned with tenant
lookups and, as the reference in the same run, with `--no-tenant`. Hunter counts the service as down
after 8 tries in a row reached nothing and stops the retries under way (docs/tenant.md), so the scan should
take about one try's timeout (10 s) beyond the reference, not minutes.

    python benchmarks/tenant_outage.py [--domains 300] [--baseline DIR] [--cap 600]

``--baseline DIR`` times another tree's ``hunter_cli`` too (``git archive REV hunter_cli | tar -x -C DIR``);
``--cap`` stops a run after that many seconds and says so.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tenant_lane import commit, start  # noqa: E402


def black_hole() -> tuple[socket.socket, int]:
    """A loopback listener that accepts every connection and never answers (closed when the benchmark ends)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1024)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            held.append(conn)  # kept open, never read from or written to

    threading.Thread(target=accept, daemon=True).start()
    return srv, srv.getsockname()[1]


def timed(domains: Path, db: Path, ns: str, env: dict, extra: list[str], cap: float) -> float | None:
    """Wall seconds of one `hunter scan`, or None when it ran past ``cap`` (then it is stopped)."""
    cmd = [sys.executable, "-m", "hunter_cli", "scan", str(domains), "--db", str(db), "--nameserver", ns, "-q"]
    t = time.perf_counter()
    try:
        out = subprocess.run(
            cmd + ["--no-whois", *extra], env=env, capture_output=True, text=True, cwd=db.parent, timeout=cap
        )
    except subprocess.TimeoutExpired:
        return None
    if out.returncode != 0:
        raise SystemExit(f"hunter scan exited {out.returncode}:\n{out.stderr[-2000:]}")
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--domains", type=int, default=300)
    ap.add_argument("--baseline", metavar="DIR", help="also time the hunter_cli package in DIR")
    ap.add_argument("--cap", type=float, default=600.0, help="stop a run after this many seconds")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        zone = [  # with the names the resolver check expects to exist (docs/reliability.md)
            "$ORIGIN .",
            "$TTL 300",
            'spf.protection.outlook.com. TXT "v=spf1 ip4:192.0.2.0/24 -all"',
            '_spf.google.com. TXT "v=spf1 ip4:198.51.100.0/24 -all"',
        ]
        names = []
        for i in range(args.domains):
            d = f"kesik{i}.com.tr"
            names.append(d)
            zone.append(f"{d}. MX 0 kesik{i}-com-tr.mail.protection.outlook.com.")
            zone.append(f"kesik{i}-com-tr.mail.protection.outlook.com. A 192.0.2.{i % 250 + 1}")
        (work / "z.zone").write_text("\n".join(zone) + "\n")
        (work / "d.txt").write_text("\n".join(names) + "\n")
        dns, ns = start(
            [sys.executable, str(ROOT / "tests" / "dnsserver.py"), "--zone-file", str(work / "z.zone"), "--no-log"],
            "DNS server",
        )
        hole, port = black_hole()
        try:
            base = dict(os.environ, HUNTER_MS_LOGIN_URL=f"http://127.0.0.1:{port}", NO_COLOR="1")

            def tree(path: Path | str) -> dict:
                return dict(base, PYTHONPATH=os.pathsep.join(p for p in (str(path), base.get("PYTHONPATH")) if p))

            runs = [("this tree", tree(ROOT))] + (
                [(f"baseline {args.baseline}", tree(args.baseline))] if args.baseline else []
            )
            ref = timed(work / "d.txt", work / "ref.db", ns, tree(ROOT), ["--no-tenant"], args.cap)
            rows = [
                (label, timed(work / "d.txt", work / f"{i}.db", ns, env, [], args.cap))
                for i, (label, env) in enumerate(runs)
            ]
        finally:
            dns.terminate()
            hole.close()
    print(f"{args.domains} domains; commit {commit()}; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"reference, --no-tenant: {ref:.1f} s" if ref is not None else "reference: over the cap")
    for label, t in rows:
        shown = f"{t:.1f} s" if t is not None else f"more than {args.cap:.0f} s (stopped)"
        extra = f" ({t - ref:+.1f} s beside the reference)" if t is not None and ref is not None else ""
        print(f"{label}, service never answers: {shown}{extra}")


if __name__ == "__main__":
    main()
