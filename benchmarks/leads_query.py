"""How long `hunter leads` takes to show a first page out of 100,000 stored leads.

Builds a database of N synthetic leads (seeded; a realistic mix of providers,
gateways, tenants, DMARC policies, scores, categories, companies, tags and a
current_json of realistic size), then times, best of --runs:

1. in-process: open the store, build the query, fetch the first page with its
   tags, count the matches and render the Rich table (what the command does
   minus interpreter start-up), for `--category P1 --category P2 --limit 50`
   and a few other option sets;
2. as a subprocess: `python -m hunter_cli leads --category P1 --category P2 --limit 50`;

beside references measured in the same run: `python -m hunter_cli --help` and
the same `leads` command with a tag nothing has (start-up, imports and option
parsing with no rows to show) as subprocesses, and a full-table scan (`SELECT *
FROM domains` into a list, then filtered and sorted in Python), which is what a
query that loads every row would cost. The target is a first page in under 1 s.
The EXPLAIN QUERY PLAN of each in-process case is printed under its figure.

3. `--search`, in the same run, both ways: through the FTS5 trigram index over the
   folded `search_text` column (what `hunter leads --search` does now), and through
   the LIKE over a Python fold function registered in SQLite that it replaced
   (`search_index=False`; every row is read and folded). Each figure is the
   query as `hunter leads` runs it: first page, count of all matches, and tags.
   Targets: under 100 ms at 100,000 leads, under 300 ms at 1,000,000.

    python benchmarks/leads_query.py [--leads 100000] [--runs 5] [--keep DIR [--reuse]] [--search-only]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shlex
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hunter_cli import store  # noqa: E402
from hunter_cli.render import leads as render  # noqa: E402
from hunter_cli.store import leads as core  # noqa: E402
from hunter_cli.store.search import search_text  # noqa: E402

# (provider, provider_name, share)
PROVIDERS = [
    ("m365", "Microsoft 365", 0.34),
    ("google", "Google Workspace", 0.18),
    ("hosting", "Natro", 0.07),
    ("hosting", "Turhost", 0.05),
    ("hosting", "İsimtescil", 0.03),
    ("hosting", "Güzel Hosting", 0.03),
    ("hosting", "Hostinger", 0.02),
    ("self-hosted", "Own mail server", 0.08),
    ("yandex", "Yandex 360", 0.03),
    ("zoho", "Zoho Mail", 0.02),
    ("none", "No mail", 0.07),
    ("unknown", None, 0.05),
    ("other", None, 0.03),
]
GATEWAYS = ["mimecast", "proofpoint", "barracuda", "hornetsecurity", "trendmicro", "sophos"]
USER_TAGS = [
    "vip",
    "called",
    "q3-campaign",
    "istanbul",
    "ankara",
    "izmir",
    "partner-referral",
    "do-not-call",
    "renewal-2026",
]
WORDS = [
    "Anadolu",
    "Ege",
    "Marmara",
    "Yıldız",
    "Güneş",
    "Deniz",
    "Kuzey",
    "Özdemir",
    "Şahin",
    "Çelik",
    "Demir",
    "İnci",
    "Birlik",
    "Atlas",
    "Akdeniz",
    "Başkent",
    "Doğu",
    "Kartal",
    "Ilgaz",
    "Toros",
]
DOMAIN_WORDS = [
    "anadolu",
    "ege",
    "marmara",
    "yildiz",
    "gunes",
    "deniz",
    "kuzey",
    "ozdemir",
    "sahin",
    "celik",
    "demir",
    "inci",
    "birlik",
    "atlas",
    "akdeniz",
    "baskent",
    "dogu",
    "kartal",
    "ilgaz",
    "toros",
]
TRADES = ["Tekstil", "Gıda", "Lojistik", "İnşaat", "Bilişim", "Otomotiv", "Kimya", "Enerji", "Turizm", "Makina"]
FORMS = ["A.Ş.", "Ltd. Şti.", "San. ve Tic. A.Ş.", "Holding A.Ş."]
TLDS = [".com.tr", ".com.tr", ".com.tr", ".com", ".com", ".net", ".de", ".org.tr"]


def _weighted(rnd: random.Random, items):
    r, acc = rnd.random(), 0.0
    for item in items:
        acc += item[-1]
        if r < acc:
            return item
    return items[-1]


def _view(
    domain: str, provider: str, provider_name, gateway, dmarc, spf_all, dkim, tenant, score, segment, category
) -> str:
    """A current view (JSON text) of the size a real scan stores (about 1.5 KB)."""
    return json.dumps(
        {
            "domain": domain,
            "status": "ok",
            "scanned_at": "2026-01-01T00:00:00+00:00",
            "provider": provider,
            "provider_name": provider_name,
            "gateway": gateway,
            "mx": [{"host": f"mx{i}.{domain}", "preference": 10 * i} for i in (1, 2)],
            "null_mx": False,
            "spf": {
                "valid": True,
                "record": f"v=spf1 include:spf.{provider}.example {spf_all or ''}".strip(),
                "all": spf_all,
                "includes": [f"spf.{provider}.example"],
                "redirect": None,
                "terms": ["include", spf_all],
                "lookups": 1,
                "lookup_limit_exceeded": False,
                "expanded": [f"spf.{provider}.example"],
                "problems": [],
            },
            "dmarc": None
            if dmarc is None
            else {
                "valid": True,
                "record": f"v=DMARC1; p={dmarc}; rua=mailto:dmarc@{domain}",
                "policy": dmarc,
                "subdomain_policy": dmarc,
                "pct": 100,
                "rua": [f"mailto:dmarc@{domain}"],
                "ruf": [],
                "adkim": "r",
                "aspf": "r",
                "problems": [],
            },
            "dkim": {
                "selectors": [{"selector": "selector1", "cname": None, "key_type": "rsa", "revoked": False}]
                if dkim
                else [],
                "checked": ["selector1", "selector2", "google", "default", "k1", "s1", "s2", "zmail", "dkim", "mail"],
                "domainkey_exists": bool(dkim),
                "tenant_domain": None,
            },
            "verifications": [],
            "evidence": [f"MX mx1.{domain} belongs to {provider_name or provider}"],
            "tenant": None
            if tenant in (None, "none")
            else {
                "id": "00000000-0000-4000-8000-000000000000",
                "namespace_type": tenant,
                "brand": None,
                "region": "EU",
            },
            "registration": None,
            "score": score,
            "segment": segment,
            "category": category,
            "reasons": [f"provider:{provider} +10", "spf +10"],
            "errors": [],
        },
        ensure_ascii=False,
    )


def build(path: Path, n: int, seed: int = 7) -> dict:
    """N leads in one transaction; returns counts of what was generated."""
    rnd = random.Random(seed)
    conn = store.connect(path)
    domains, tags = [], []
    counts = {"scanned": 0, "never_scanned": 0, "failed": 0, "tags": 0}
    for i in range(n):
        name = rnd.choice(DOMAIN_WORDS)
        domain = f"{name}{i:06d}{rnd.choice(TLDS)}"
        company = f"{rnd.choice(WORDS)} {rnd.choice(TRADES)} {rnd.choice(FORMS)}" if rnd.random() < 0.6 else None
        added = f"2025-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}T09:00:00+00:00"
        if rnd.random() < 0.05:  # imported, never scanned
            counts["never_scanned"] += 1
            domains.append((domain, domain, company, added) + (None,) * 19 + (search_text(domain, domain, company),))
            continue
        counts["scanned"] += 1
        provider, pname, _ = _weighted(rnd, PROVIDERS)
        gateway = rnd.choice(GATEWAYS) if provider in ("m365", "google") and rnd.random() < 0.08 else None
        dmarc = _weighted(rnd, [(None, 0.45), ("none", 0.25), ("quarantine", 0.15), ("reject", 0.15)])[0]
        spf_all = _weighted(rnd, [(None, 0.15), ("~all", 0.45), ("-all", 0.35), ("?all", 0.05)])[0]
        dkim = int(rnd.random() < (0.7 if provider in ("m365", "google") else 0.25))
        if provider == "m365":
            tenant = "Federated" if rnd.random() < 0.08 else "Managed"
        elif rnd.random() < 0.05:
            tenant = None  # lookup failed or was off
        else:
            tenant = "Managed" if rnd.random() < 0.12 else "none"
        score = None if rnd.random() < 0.02 else max(0, min(100, int(rnd.gauss(45, 22))))
        if provider == "none":
            segment, category = "Skip", "P6"
        elif score is None:
            segment, category = None, None
        elif provider == "m365":
            segment, category = "Existing", ("P4" if score >= 70 else "P3")
        elif score >= 60:
            segment, category = "Migration", ("P2" if provider in ("google", "zoho", "yandex") else "P1")
        elif score >= 40 or provider == "self-hosted":
            segment, category = "Cold", ("P1" if provider in ("self-hosted", "hosting") else "P5")
        else:
            segment, category = "Skip", "P6"
        scanned = f"2026-{rnd.randint(1, 3):02d}-{rnd.randint(1, 28):02d}T{rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}:00+00:00"
        status = "failed" if rnd.random() < 0.02 else "ok"
        counts["failed"] += status == "failed"
        changed = scanned if rnd.random() < 0.1 else None
        expires = (
            f"20{rnd.randint(26, 30)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}" if rnd.random() < 0.4 else None
        )
        view = _view(domain, provider, pname, gateway, dmarc, spf_all, dkim, tenant, score, segment, category)
        domains.append(
            (
                domain,
                domain,
                company,
                added,
                scanned,
                status,
                scanned,
                scanned,
                provider,
                pname,
                gateway,
                dmarc,
                spf_all,
                dkim,
                tenant,
                "00000000-0000-4000-8000-000000000000" if tenant not in (None, "none") else None,
                score,
                segment,
                category,
                view,
                changed,
                expires,
                None,
                search_text(domain, domain, company),
            )
        )
        auto = []
        if dmarc in (None, "none"):
            auto.append("weak-dmarc")
        if gateway:
            auto.append("gateway")
        if segment == "Migration":
            auto.append("migration-ready")
        for t in auto:
            tags.append((domain, t, "auto", scanned))
        if rnd.random() < 0.25:
            for t in rnd.sample(USER_TAGS, rnd.randint(1, 2)):
                tags.append((domain, t, "user", scanned))
    # the measured commit's form of the current view: packed from schema 9 on (hunter_cli/store/packing.py)
    packed = any(r[1] == "current_view" for r in conn.execute("PRAGMA table_info(domains)"))
    if packed:
        from hunter_cli.store.packing import pack

        domains = [(*row[:19], row[19] and pack(row[19]), *row[20:]) for row in domains]
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO domains (domain, domain_unicode, company, added_at, "
        "last_attempt_at, last_status, last_good_at, last_ok_at,"
        " provider, provider_name, gateway, dmarc_policy, spf_all, dkim, tenant, tenant_id, score, segment, category,"
        f" {'current_view' if packed else 'current_json'}, last_change_at, expires, last_scan_id, search_text)"
        " VALUES (" + ", ".join("?" * 24) + ")",
        domains,
    )
    conn.executemany("INSERT INTO tags (domain, tag, source, added_at) VALUES (?, ?, ?, ?)", tags)
    _footprint_columns(conn, random.Random(seed + 1))
    conn.execute("COMMIT")
    conn.close()
    counts["tags"] = len(tags)
    return counts


def _footprint_columns(conn: sqlite3.Connection, rnd: random.Random) -> None:
    """The footprint filter columns (schema 9 on) of the scanned leads: a mix of workload tags, unknown
    workloads and services, so that --workload, --missing and --uses have rows to find."""
    have = {r[1] for r in conn.execute("PRAGMA table_info(domains)")}
    if "workload_tags" not in have:
        return
    rows = []
    for rowid, provider in conn.execute("SELECT rowid, provider FROM domains WHERE provider IS NOT NULL").fetchall():
        asked = rnd.random() < 0.9
        tags = [t for t, p in WORKLOAD_MIX if rnd.random() < (p * 2 if provider == "m365" else p / 4)]
        unknown = ["intune"] if rnd.random() < 0.03 else []
        services = [s for s, p in SERVICE_MIX if rnd.random() < p]
        rows.append(
            (
                ("," + ",".join(tags) + ",") if asked and tags else ("," if asked else None),
                ("," + ",".join(unknown) + ",") if asked and unknown else ("," if asked else None),
                ("," + ",".join(services) + ",") if services else ",",
                rowid,
            )
        )
    conn.executemany(
        "UPDATE domains SET workload_tags = ?, workloads_unknown = ?, service_ids = ? WHERE rowid = ?", rows
    )


WORKLOAD_MIX = [("exchange-online", 0.4), ("teams", 0.25), ("intune", 0.12), ("exchange-onprem", 0.03)]
SERVICE_MIX = [("google", 0.2), ("zoom", 0.08), ("slack", 0.05), ("okta", 0.02), ("mailchimp", 0.06)]


def best(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def in_process(db: Path, argv: dict) -> int:
    """What `hunter leads` does after parsing its options: connect, query, count, tags, render."""
    from rich.console import Console

    conn = core.prepare(store.connect(db))
    try:
        f = core.LeadFilter(**argv.get("filter", {}))
        rows, total = core.page(conn, f, core.parse_sort(argv.get("sort", [])), argv.get("limit", 50))
        console = Console(file=io.StringIO(), width=120, no_color=True)
        console.print(render.leads_table(rows, console.width))
        console.print(render.footer(len(rows), total))
        return total
    finally:
        conn.close()


def python_scan(db: Path) -> int:
    """Reference: every row into Python, then filter and sort there."""
    conn = sqlite3.connect(db)
    try:
        cur = conn.execute("SELECT * FROM domains")
        rows = cur.fetchall()
        names = [c[0] for c in cur.description]
    finally:
        conn.close()
    cat, score, name = names.index("category"), names.index("score"), names.index("domain")
    wanted = [r for r in rows if r[cat] in ("P1", "P2")]
    wanted.sort(key=lambda r: (r[cat], -(r[score] if r[score] is not None else -1), r[name]))
    return len(wanted[:50]) and len(wanted)


SEARCHES = [
    ("anadolu", "common word: domains and companies"),
    ("inşaat", "Turkish letters typed, İNŞAAT stored"),
    ("insaat", "the same typed without Turkish letters"),
    ("ozdemir gida", "two words of one company (Özdemir Gıda)"),
    ("012345.", "one domain (its number)"),
    ("no-such-name", "nothing matches"),
    ("çe", "two letters: LIKE on the folded column"),
]


def search_cases(db: Path, runs: int) -> None:
    """`hunter leads --search TEXT` (first 50 + count + tags): FTS5 index against the old LIKE path."""
    conn = core.prepare(store.connect(db))
    try:
        print("\n--search: first page of 50 + count + tags; index = FTS5 trigram, LIKE = the path it replaced")
        for text, what in SEARCHES:
            f = core.LeadFilter(search=text)
            t_fts, (rows, total) = best(lambda f=f: core.page(conn, f, core.DEFAULT_SORT, 50), runs)
            t_like, (rows_like, total_like) = best(
                lambda f=f: core.page(conn, f, core.DEFAULT_SORT, 50, search_index=False), max(1, min(3, runs))
            )
            note = "" if total == total_like else f"  (LIKE path finds {total_like}: no Turkish folding of ASCII)"
            print(
                f"  --search {text!r:<16} index {t_fts * 1000:8.1f} ms   LIKE {t_like * 1000:8.1f} ms"
                f"   {total:>7} match  {what}{note}"
            )
            walk = (core.search_matches(conn, f) or 0) >= core.WALK_ABOVE
            plan = "; ".join(core.explain(conn, *core.select_sql(f, core.DEFAULT_SORT, 50, walk=walk)))
            print(f"      plan: {plan}")
    finally:
        conn.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--leads", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", type=Path, help="Directory to keep the generated database in.")
    ap.add_argument("--search-only", action="store_true", help="Measure --search only (index against LIKE).")
    ap.add_argument("--reuse", action="store_true", help="Keep a database already in --keep DIR (same --leads).")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory()
    folder = args.keep or Path(tmp.name)
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "leads-bench.db"
    start = time.perf_counter()
    if args.reuse and args.keep and db.exists():
        conn = store.connect(db)
        try:
            n = conn.execute("SELECT count(*) FROM domains").fetchone()[0]
        finally:
            conn.close()
        if n != args.leads:
            sys.exit(f"{db} holds {n} leads, not {args.leads}; drop --reuse to build it again")
        counts = dict.fromkeys(("scanned", "never_scanned", "failed", "tags"), "?")
    else:
        if db.exists():
            db.unlink()
        counts = build(db, args.leads, args.seed)
    built = time.perf_counter() - start
    size = db.stat().st_size + (Path(str(db) + "-wal").stat().st_size if Path(str(db) + "-wal").exists() else 0)
    print(
        f"database: {args.leads} leads ({counts['scanned']} scanned, {counts['never_scanned']} never scanned,"
        f" {counts['failed']} failed), {counts['tags']} tags, {size / 1e6:.0f} MB;"
        + (" reused" if counts["tags"] == "?" else f" built in {built:.1f} s")
    )
    print(
        f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, best of {args.runs}"
    )

    search_cases(db, args.runs)
    if args.search_only:
        tmp.cleanup()
        return

    cases = [
        ("--category P1 --category P2 --limit 50", {"filter": {"categories": ("P1", "P2")}}),
        ("(default: all leads, first 50)", {}),
        ("--segment Migration --sort -score", {"filter": {"segments": ("Migration",)}, "sort": ["-score"]}),
        ("--provider hosting --sort company", {"filter": {"providers": ("hosting",)}, "sort": ["company"]}),
        ("--tag vip --gateway any", {"filter": {"tags": ("vip",), "gateways": ("any",)}}),
        ("--search anadolu", {"filter": {"search": "anadolu"}}),
        ("--stale 30d --sort scanned", {"filter": {"stale_before": "2026-02-15T00:00:00+00:00"}, "sort": ["scanned"]}),
        ("--workload exchange-online", {"filter": {"workloads": ("exchange-online",)}}),
        ("--missing intune --uses zoom", {"filter": {"missing": ("intune",), "uses": ("zoom",)}}),
    ]
    print(
        "\nin-process: all = store.connect + query + count + tags + Rich table; query = the SELECT, COUNT and tags only"
    )
    for label, argv in cases:
        t, total = best(lambda argv=argv: in_process(db, argv), args.runs)
        f = core.LeadFilter(**argv.get("filter", {}))
        order = core.parse_sort(argv.get("sort", []))
        conn = core.prepare(store.connect(db))
        t_query, _ = best(lambda conn=conn, f=f, order=order: core.page(conn, f, order, 50), args.runs)
        plan = "; ".join(core.explain(conn, *core.select_sql(f, order, 50)))
        conn.close()
        print(f"  hunter leads {label:<42} all {t * 1000:7.1f} ms   query {t_query * 1000:7.1f} ms  ({total} match)")
        print(f"      plan: {plan}")

    py = sys.executable
    env = dict(os.environ, NO_COLOR="1", COLUMNS="120")
    cmd = [py, "-m", "hunter_cli", "leads", "--category", "P1", "--category", "P2", "--limit", "50", "--db", str(db)]

    def run(c):
        return subprocess.run(c, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)

    t_cli, _ = best(lambda: run(cmd), args.runs)
    t_help, _ = best(lambda: run([py, "-m", "hunter_cli", "--help"]), args.runs)
    t_none, _ = best(lambda: run(cmd[:-2] + ["--tag", "no-such-tag", "--db", str(db)]), args.runs)
    t_json, _ = best(lambda: run(cmd[:-4] + ["--format", "csv", "--db", str(db)]), max(1, min(3, args.runs)))
    t_scan, n = best(lambda: python_scan(db), max(1, min(3, args.runs)))
    print("\nsubprocess (interpreter start-up included):")
    print(f"  {shlex.join(['python'] + cmd[1:-1])} DB  {t_cli * 1000:8.1f} ms  (target < 1000 ms)")
    print(f"  python -m hunter_cli --help  (reference)                         {t_help * 1000:8.1f} ms")
    print(f"  same command + --tag no-such-tag (start-up, imports, options; no rows) {t_none * 1000:8.1f} ms")
    print(f"  same filter, --format csv, every match                           {t_json * 1000:8.1f} ms")
    print("\nreference, loading every row into Python:")
    print(f"  SELECT * FROM domains -> list, filter P1/P2 + sort in Python      {t_scan * 1000:8.1f} ms  ({n} match)")
    tmp.cleanup()


if __name__ == "__main__":
    main()
