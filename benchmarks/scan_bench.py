"""Reproducible benchmark of ``hunter scan`` against a loopback DNS server,
with checkdmarc measured in the same run as the reference.

Usage (from the repository root)::

    python benchmarks/scan_bench.py [--domains 10000] [--seed 1]
        [--reference-sample 300] [--reference-mode both|full|subset]
        [--no-reference] [--quick-run] [--memory 100000] [--host 127.0.0.1]
        [--concurrency C] [--keep DIR] [--json-out FILE]

What it does
------------
0. Re-executes itself under ``unshare --net`` (a private network namespace
   holding only ``lo``; ``--no-netns`` skips this), so the kernel itself keeps
   every packet of the server, hunter and checkdmarc on loopback.  By default
   hunter and tests/dnsserver.py come from a ``git archive`` snapshot of HEAD
   (``--commit REV`` another commit, ``--worktree`` the working tree as
   installed), so the printed commit is what was measured and edits in
   progress in a shared tree cannot break or skew the run.
1. Generates N synthetic company domains ``firmaNNNNN.<tld>`` (tld: 50% .com.tr,
   35% .com, 15% .de) with the record mix below and writes them as one master
   file (absolute names, ``$ORIGIN .``/``$TTL 300``).
2. Starts ``tests/dnsserver.py`` as its own process (its own interpreter, never
   sharing the scanner's) on HOST, port 0, and waits for ``READY``.  The zone
   load time is reported on its own line; it is not part of any measured
   figure.  The server's own ``main()`` is started through a small wrapper
   that, once the zone is loaded, calls ``gc.freeze()`` and switches the cycle
   collector off for the serving phase (``--server-gc freeze`` only freezes,
   ``--server-gc default`` leaves the collector alone).  The wrapper also
   dumps the server's query log to a file on request (``DUMP PATH`` on its
   stdin); the main run's server keeps that log (the memory run's and
   ``--no-ceiling`` runs' do not, ``--no-log``).
   Measured with a 100k-domain zone (~725k records, ~775 MB): with the
   default GC, full collections stop the server for 1-2 s under load, its
   4 MB UDP receive buffer overflows (~20k datagrams dropped per stop) and
   ~1% of the domains fail on timeouts; with freeze only, shorter 100%-CPU
   stops remain and one run in three still lost ~0.2% of the domains; with
   the collector off, no stop, no drop, no failure (server RSS grows from
   ~775 MB to ~1.4 GB over the 100k scan, mostly its answer caches).  Without
   the wrapper the run measures the test server's GC, not hunter.
   The server builds each answer the first time it is asked and keeps it, so
   a run that follows another over the same names meets a warm server, and
   the first a cold one, whose CPU (a third of a core) competes with the
   client on a 2-core machine.  Every timed run meets the server in the same
   state: by default (``--server-cache warm``) one untimed ``hunter scan``
   over the list warms it first, the nearest this machine gets to a resolver
   on another one; ``--server-cache cold`` instead empties its caches before
   each timed run (``COLD`` on the wrapper's stdin).
3. Runs ``python -m hunter_cli scan domains.txt --json --db fresh.db
   --nameserver HOST:PORT -q`` as a subprocess (HUNTER_* variables removed from
   its environment), plus ``--no-tenant --no-whois`` when this hunter has them:
   those lanes ask Microsoft's sign-in service and RDAP/WHOIS servers on the
   internet, so only the DNS lane is measured.  Wall time = time.perf_counter() around the subprocess
   (so it includes interpreter start-up, imports and the database writes);
   peak RSS = ``ru_maxrss`` of exactly that child, from ``os.wait4(pid)``.
   It then checks the JSON output (N lines, every domain exactly once), that
   ``SELECT count(*) FROM scans`` in the fresh database is N, and counts the
   statuses.  Anything but ``ok`` for every domain makes the figure invalid
   (the server or the machine was overloaded) and is reported loudly.  The
   DNS server's CPU time (utime+stime from /proc/PID/stat) over the scan is
   reported so one can see whether the server was the bottleneck.
4. Reference: checkdmarc, run on the first M domains of the same list against
   the same server, in a subprocess of this script (``--checkdmarc-worker``)
   whose sockets are wrapped by a loopback guard: any connect/sendto to an
   address outside 127.0.0.0/8 or ::1, and any host-name lookup through the
   system resolver, is refused and counted (the figure is then flagged).
   checkdmarc is pointed at the server with
   ``nameservers=[dns.nameserver.Do53Nameserver(HOST, PORT)]`` (it accepts
   Nameserver objects, so no second server on port 53 is needed).  Modes:

   * full:   ``checkdmarc.check_domains([domain], nameservers=NS, timeout=3.0,
     retries=2, check_mx_tls=False)`` per domain: checkdmarc's standard check
     (DNSSEC, SOA, NS, MTA-STS, MX + host A/AAAA/PTR/TLSA/DNSSEC, SPF, DMARC,
     TLS-RPT, BIMI DNS record).  ``check_mx_tls=False`` means no SMTP
     connection; MTA-STS policies and BIMI assets are only fetched over HTTPS
     when the domain publishes such a record, and this zone publishes none.
   * subset: ``checkdmarc.smtp.check_mx`` + ``checkdmarc.spf.check_spf`` +
     ``checkdmarc.dmarc.check_dmarc`` per domain (same options): the part of
     checkdmarc closest to what hunter does.  checkdmarc has no DKIM selector
     probing, hunter does.

   Each mode runs in its own fresh process, so checkdmarc's module caches
   start cold, as hunter's do.  The rate is the sample size divided by the
   time spent inside the checkdmarc calls (imports excluded).  checkdmarc
   checks domains one after another; hunter runs 500 at once by default.
5. The bare-wire ceiling (``--no-ceiling`` skips it): how fast the measured
   commit's own DNS transport can put *the scan's own questions* on the wire
   and take the answers, with nothing on top.  Right after the hunter run the
   server's query log of that run is dumped and grouped by the domain each
   question serves (:func:`build_replay`): questions at or under a scanned
   domain are its own (``<domain>._report._dmarc.<host>`` too); a question
   outside every scanned domain (an MX host, an SPF include target, a
   provider's netblocks) goes to the domains whose zone records lead to it,
   in list order, one per time it was asked, so a provider name hunter asks
   once per run is replayed once; names no domain leads to (the resolver
   check before the first domain) form a preamble asked first.  A fresh
   process (``--bare-wire-worker replay``) then runs
   ``hunter_cli.dns.resolver`` from the measured commit (c-ares, the same
   ``gc.freeze()``/threshold and uvloop set-up as ``hunter scan``), keeps the
   same number of domains in flight as hunter (``--concurrency``, default
   500, scheduled as hunter schedules them), and asks each domain's first
   wave (MX and TXT at the domain, TXT at ``_dmarc`` and ``_domainkey``)
   together with ``query_many`` and then all its remaining questions together:
   two rounds per domain, where hunter needs more (DKIM selectors after the
   probe, MX host addresses after MX, SPF includes after TXT, nested includes
   after those), and nothing else: no parsing into results, no
   classification, scoring, JSON or database.  The server's log of the replay
   is dumped too and compared with the scan's: the run says whether the
   replay asked exactly the same questions.  The ratios ``hunter / ceiling``
   are printed by wall time (domains/s: hunter's around its whole process,
   start-up included; the ceiling's inside its event loop) and by CPU time
   (both processes' user+sys CPU, start-up included; hunter's writer process
   included, and shown apart).  With ``--quick-run`` the log is dumped after
   each run and ``scan --quick`` gets its own ceiling and ratio.  For information the
   same transport asking only the four first-wave questions per domain, and
   one raw UDP socket sending those four (2,000 in flight, answers matched by
   id only, which is the test server's limit rather than a resolver's), are
   timed as well.
6. With ``--memory N2``: a second, hunter-only run over a fresh zone of N2
   domains (same generator and seed, so the first N domains are identical),
   served by a fresh server instance, reporting peak RSS.

Record mix (per domain; every ratio is drawn with the seeded RNG, and the
actual counts are printed by every run)
------------------------------------------------------------------------------
* 35% Microsoft 365: ``MX 0 <dashed-domain>.mail.protection.outlook.com`` (with
  an A record for that host), SPF ``v=spf1 include:spf.protection.outlook.com
  -all``, 40% an ``MS=ms########`` TXT; 50% of them DKIM CNAMEs
  ``selector1/selector2._domainkey`` -> ``selectorN-<dashed>._domainkey.
  <name>.onmicrosoft.com`` with a TXT key at each target.
* 20% Google Workspace: 50% ``MX 1 smtp.google.com``, 50% the classic
  ``aspmx.l.google.com`` + alt1..alt4 set; SPF ``include:_spf.google.com
  ~all``; 30% a google-site-verification TXT; 50% a ``google._domainkey``
  TXT key.
* 5% behind a gateway: Mimecast MX ``eu-smtp-inbound-1/-2.mimecast.com``, SPF
  ``include:_netblocks.mimecast.com include:spf.protection.outlook.com -all``,
  50% with the M365 DKIM CNAMEs as above.
* 20% Turkish shared hosting or self-hosted: half self-hosted (``MX 10
  mail.<domain>`` with an A record, apex A, SPF ``v=spf1 a mx ~all``), half
  Natro (``MX 10 mx1.natrohost.com``, SPF ``include:_spfcls.natrohost.com
  ~all``); 20% of all of them a ``default._domainkey`` TXT key.
* 10% no MX: half with only an apex A record (plus SOA/NS), half NXDOMAIN
  (no record at all under the name).
* 10% other: MX on a host in no provider catalogue (four made-up mail hosts),
  70% with SPF ``include:spf.<that host's domain> ~all``, 30% without SPF.
* DMARC on 45% of all domains (47.4% of those that exist, as the NXDOMAIN 5%
  can have none): p=none 50%, quarantine 30%, reject 20%, with an in-domain
  ``rua=mailto:``.
* Every domain that exists has an SOA and two NS records at its apex (as every
  registered domain does; negative answers then carry the SOA).
* Microsoft footprint and other services (drawn from a second RNG seeded per
  domain, so the mix above is the same as before they existed): Microsoft 365
  and gateway domains 60% ``autodiscover`` CNAME to autodiscover.outlook.com,
  30% ``lyncdiscover``/``sip`` CNAMEs and the ``_sip._tls`` /
  ``_sipfederationtls._tcp`` SRV records, 25% ``enterpriseenrollment`` and
  ``enterpriseregistration`` CNAMEs; self-hosted domains 15% on-premises
  Exchange (``autodiscover`` CNAME and ``_autodiscover._tcp`` SRV to their own
  mail host); every existing domain 10% a Zoom, 5% a Slack verification token,
  5% a ``_smtp._tls`` TXT record (no MTA-STS: checkdmarc would fetch its
  policy over HTTPS).  The other footprint questions get NXDOMAIN, as they do
  for most real domains.
* Provider-side records: TXT at spf.protection.outlook.com, _spf.google.com,
  _netblocks{,2,3}.google.com, _netblocks.mimecast.com, _spfcls.natrohost.com
  and the four unknown hosts' SPF names, and A records for every shared MX
  host, so SPF expansion and MX address lookups resolve.  All addresses are
  made up (198.18.0.0/15, the benchmarking range); they are not the providers'
  real netblocks.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PARSE_SECONDS_PER_RECORD = 180e-6  # tests/dnsserver.py's zone parsing cost, for the wait estimate
BUSY_SHARE = 0.15  # other processes above this share of one core during a run: flagged as disturbed
CHECKDMARC_TIMEOUT = 3.0  # same per-answer timeout as hunter's default
CHECKDMARC_RETRIES = 2  # same as hunter's default
KEY = "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDbenchKeyNotARealKey0123456789abcdefABCDEFghijklmnop"

MIX = [  # (category, share)
    ("m365", 0.35),
    ("google", 0.20),
    ("gateway", 0.05),
    ("hosting", 0.20),
    ("nomx", 0.10),
    ("other", 0.10),
]
TLDS = [("com.tr", 0.50), ("com", 0.35), ("de", 0.15)]
DMARC_SHARE = 0.45  # of all domains; NXDOMAIN ones (5%) cannot have one, so the others get 0.45 / 0.95
NXDOMAIN_SHARE_OF_NOMX = 0.5
DMARC_POLICIES = [("none", 0.50), ("quarantine", 0.30), ("reject", 0.20)]
UNKNOWN_HOSTS = [  # (mx host, spf include name): in no provider catalogue
    ("mx.posta-servis.net", "spf.posta-servis.net"),
    ("mail.kurumsal-eposta.net", "spf.kurumsal-eposta.net"),
    ("mx1.mailhost-ornek.de", "spf.mailhost-ornek.de"),
    ("smtp.bilgi-isp.com", "spf.bilgi-isp.com"),
]
DNS_HOSTS = ["ns1.natrohost.com", "ns1.dns-ornek.net", "ns1.cloud-dns-ornek.com"]


def _pick(rng: random.Random, table):
    x = rng.random()
    acc = 0.0
    for value, share in table:
        acc += share
        if x < acc:
            return value
    return table[-1][0]


def _ip(i: int) -> str:
    """An address in 198.18.0.0/15 (RFC 2544, benchmarking)."""
    i %= 2**17 - 2
    i += 1
    return f"198.{18 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}"


# --------------------------------------------------------------------------
# Zone generation
# --------------------------------------------------------------------------


def provider_records() -> list[str]:
    out = [
        "; provider-side records (made-up addresses in 198.18.0.0/15)",
        'spf.protection.outlook.com. IN TXT "v=spf1 ip4:198.18.10.0/24 ip4:198.18.11.0/24 ip6:2001:db8:10::/48 -all"',
        '_spf.google.com. IN TXT "v=spf1 include:_netblocks.google.com include:_netblocks2.google.com include:_netblocks3.google.com ~all"',
        '_netblocks.google.com. IN TXT "v=spf1 ip4:198.18.20.0/24 ip4:198.18.21.0/24 ~all"',
        '_netblocks2.google.com. IN TXT "v=spf1 ip6:2001:db8:20::/48 ~all"',
        '_netblocks3.google.com. IN TXT "v=spf1 ip4:198.18.22.0/24 ~all"',
        '_netblocks.mimecast.com. IN TXT "v=spf1 ip4:198.18.30.0/24 ip4:198.18.31.0/24 ~all"',
        '_spfcls.natrohost.com. IN TXT "v=spf1 ip4:198.18.40.0/24 ~all"',
    ]
    shared_a = (
        [
            "smtp.google.com",
            "aspmx.l.google.com",
            "alt1.aspmx.l.google.com",
            "alt2.aspmx.l.google.com",
            "alt3.aspmx.l.google.com",
            "alt4.aspmx.l.google.com",
            "eu-smtp-inbound-1.mimecast.com",
            "eu-smtp-inbound-2.mimecast.com",
            "mx1.natrohost.com",
        ]
        + [h for h, _ in UNKNOWN_HOSTS]
        + DNS_HOSTS
        + [h.replace("ns1.", "ns2.") for h in DNS_HOSTS]
    )
    for i, host in enumerate(shared_a):
        out.append(f"{host}. IN A 198.19.250.{i + 1}")
    for i, (_, spf) in enumerate(UNKNOWN_HOSTS):
        out.append(f'{spf}. IN TXT "v=spf1 ip4:198.18.{50 + i}.0/24 ~all"')
    return out


def domain_records(idx: int, rng: random.Random, width: int):
    """Returns (domain, category, details Counter, record lines)."""
    tld = _pick(rng, TLDS)
    label = f"firma{idx:0{width}d}"
    d = f"{label}.{tld}"
    dashed = d.replace(".", "-")
    cat = _pick(rng, MIX)
    det: Counter = Counter()
    recs: list[str] = []
    ip = _ip(idx)

    def ms_dkim():
        tenant = f"{label}.onmicrosoft.com"
        for sel in ("selector1", "selector2"):
            target = f"{sel}-{dashed}._domainkey.{tenant}"
            recs.append(f"{sel}._domainkey.{d}. IN CNAME {target}.")
            recs.append(f'{target}. IN TXT "{KEY}"')
        det["dkim_m365_cname"] += 1

    if cat == "nomx" and rng.random() < NXDOMAIN_SHARE_OF_NOMX:
        det["nomx_nxdomain"] += 1
        return d, cat, det, recs  # no record at all: NXDOMAIN

    ns = rng.choice(DNS_HOSTS)
    recs.append(f"{d}. IN SOA {ns}. hostmaster.{d}. 2025010101 3600 900 1209600 300")
    recs.append(f"{d}. IN NS {ns}.")
    recs.append(f"{d}. IN NS {ns.replace('ns1.', 'ns2.')}.")

    if cat == "m365":
        mxhost = f"{dashed}.mail.protection.outlook.com"
        recs.append(f"{d}. IN MX 0 {mxhost}.")
        recs.append(f"{mxhost}. IN A {ip}")
        recs.append(f'{d}. IN TXT "v=spf1 include:spf.protection.outlook.com -all"')
        if rng.random() < 0.40:
            recs.append(f'{d}. IN TXT "MS=ms{rng.randrange(10**7, 10**8)}"')
            det["ms_verification"] += 1
        if rng.random() < 0.50:
            ms_dkim()
    elif cat == "google":
        if rng.random() < 0.5:
            recs.append(f"{d}. IN MX 1 smtp.google.com.")
            det["google_smtp_mx"] += 1
        else:
            recs.append(f"{d}. IN MX 1 aspmx.l.google.com.")
            recs.append(f"{d}. IN MX 5 alt1.aspmx.l.google.com.")
            recs.append(f"{d}. IN MX 5 alt2.aspmx.l.google.com.")
            recs.append(f"{d}. IN MX 10 alt3.aspmx.l.google.com.")
            recs.append(f"{d}. IN MX 10 alt4.aspmx.l.google.com.")
            det["google_aspmx_set"] += 1
        recs.append(f'{d}. IN TXT "v=spf1 include:_spf.google.com ~all"')
        if rng.random() < 0.30:
            recs.append(f'{d}. IN TXT "google-site-verification={rng.getrandbits(160):040x}"')
        if rng.random() < 0.50:
            recs.append(f'google._domainkey.{d}. IN TXT "{KEY}"')
            det["dkim_google"] += 1
    elif cat == "gateway":
        recs.append(f"{d}. IN MX 10 eu-smtp-inbound-1.mimecast.com.")
        recs.append(f"{d}. IN MX 10 eu-smtp-inbound-2.mimecast.com.")
        recs.append(f'{d}. IN TXT "v=spf1 include:_netblocks.mimecast.com include:spf.protection.outlook.com -all"')
        if rng.random() < 0.50:
            ms_dkim()
    elif cat == "hosting":
        if rng.random() < 0.5:
            det["hosting_self"] += 1
            recs.append(f"{d}. IN MX 10 mail.{d}.")
            recs.append(f"mail.{d}. IN A {ip}")
            recs.append(f"{d}. IN A {ip}")
            recs.append(f'{d}. IN TXT "v=spf1 a mx ~all"')
        else:
            det["hosting_natro"] += 1
            recs.append(f"{d}. IN MX 10 mx1.natrohost.com.")
            recs.append(f'{d}. IN TXT "v=spf1 include:_spfcls.natrohost.com ~all"')
        if rng.random() < 0.20:
            recs.append(f'default._domainkey.{d}. IN TXT "{KEY}"')
            det["dkim_default"] += 1
    elif cat == "nomx":
        det["nomx_a_only"] += 1
        recs.append(f"{d}. IN A {ip}")
    else:  # other
        host, spf = rng.choice(UNKNOWN_HOSTS)
        recs.append(f"{d}. IN MX 10 {host}.")
        if rng.random() < 0.70:
            recs.append(f'{d}. IN TXT "v=spf1 include:{spf} ~all"')
        else:
            det["other_no_spf"] += 1

    footprint_records(idx, d, cat, det, recs)

    nx_share = dict(MIX)["nomx"] * NXDOMAIN_SHARE_OF_NOMX
    if rng.random() < DMARC_SHARE / (1 - nx_share):
        p = _pick(rng, DMARC_POLICIES)
        recs.append(f'_dmarc.{d}. IN TXT "v=DMARC1; p={p}; rua=mailto:dmarc@{d}"')
        det[f"dmarc_{p}"] += 1
    return d, cat, det, recs


def footprint_records(idx: int, d: str, cat: str, det: Counter, recs: list[str]) -> None:
    """The Microsoft footprint and service tokens of one existing domain (docs/footprint.md).

    Drawn from an RNG of its own, seeded by the domain's index, so adding them left the
    main RNG's sequence, and with it the rest of the record mix, unchanged.
    """
    rng = random.Random(1_000_003 * (idx + 1))
    if cat in ("m365", "gateway"):
        if rng.random() < 0.60:
            recs.append(f"autodiscover.{d}. IN CNAME autodiscover.outlook.com.")
            det["fp_autodiscover_online"] += 1
        if rng.random() < 0.30:
            recs.append(f"lyncdiscover.{d}. IN CNAME webdir.online.lync.com.")
            recs.append(f"sip.{d}. IN CNAME sipdir.online.lync.com.")
            recs.append(f"_sip._tls.{d}. IN SRV 100 1 443 sipdir.online.lync.com.")
            recs.append(f"_sipfederationtls._tcp.{d}. IN SRV 100 1 5061 sipfed.online.lync.com.")
            det["fp_teams_online"] += 1
        if rng.random() < 0.25:
            recs.append(f"enterpriseenrollment.{d}. IN CNAME enterpriseenrollment-s.manage.microsoft.com.")
            recs.append(f"enterpriseregistration.{d}. IN CNAME enterpriseregistration.windows.net.")
            det["fp_intune"] += 1
    elif cat == "hosting" and any(r.startswith(f"mail.{d}.") for r in recs) and rng.random() < 0.15:
        recs.append(f"autodiscover.{d}. IN CNAME mail.{d}.")
        recs.append(f"_autodiscover._tcp.{d}. IN SRV 0 0 443 mail.{d}.")
        det["fp_exchange_onprem"] += 1
    if rng.random() < 0.10:
        recs.append(f'{d}. IN TXT "ZOOM_verify_{rng.getrandbits(64):016x}"')
        det["fp_zoom"] += 1
    if rng.random() < 0.05:
        recs.append(f'{d}. IN TXT "slack-domain-verification={rng.getrandbits(160):040x}"')
        det["fp_slack"] += 1
    if rng.random() < 0.05:
        # TLS reporting only: an MTA-STS record would make checkdmarc fetch the policy over HTTPS
        # (the loopback guard refuses that and the reference is then not valid)
        recs.append(f'_smtp._tls.{d}. IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@{d}"')
        det["fp_tls_rpt"] += 1


def generate(n: int, seed: int, workdir: Path, tag: str) -> dict:
    """Writes <tag>.zone and <tag>.domains.txt; returns domains, mix and zone size."""
    rng = random.Random(seed)
    width = max(5, len(str(n - 1)))
    zone_path = workdir / f"{tag}.zone"
    list_path = workdir / f"{tag}.domains.txt"
    domains: list[str] = []
    cats: list[str] = []
    refs: list[frozenset[str]] = []
    details: Counter = Counter()
    records = 0
    provider = provider_records()
    shared = record_references(provider)
    with open(zone_path, "w") as zf:
        zf.write(f"$ORIGIN .\n$TTL 300\n; scan_bench.py synthetic zone: {n} domains, seed {seed}\n")
        for line in provider:
            zf.write(line + "\n")
            records += not line.startswith(";")
        for i in range(n):
            d, cat, det, recs = domain_records(i, rng, width)
            domains.append(d)
            cats.append(cat)
            refs.append(_closure(d, record_references(recs), shared))
            details.update(det)
            records += len(recs)
            zf.write("\n".join(recs))
            if recs:
                zf.write("\n")
    list_path.write_text("\n".join(domains) + "\n")
    return {
        "n": n,
        "seed": seed,
        "domains": domains,
        "categories": cats,
        "references": refs,
        "mix": Counter(cats),
        "details": details,
        "records": records,
        "zone_path": zone_path,
        "list_path": list_path,
        "zone_bytes": zone_path.stat().st_size,
    }


_SPF_TARGET_TERMS = ("include:", "redirect=", "a:", "mx:", "exists:", "ptr:")


def record_references(lines: list[str]) -> dict[str, set[str]]:
    """Names each owner's records point to, from zone lines as written here: MX exchanges,
    CNAME targets, and SPF include/redirect/a/mx/exists/ptr targets (``{owner: {name, ...}}``)."""
    out: dict[str, set[str]] = {}
    for line in lines:
        if line.startswith(";"):
            continue
        owner, _, rtype, rdata = line.split(None, 3)
        owner = owner.rstrip(".").lower()
        found = out.setdefault(owner, set())
        if rtype == "MX":
            found.add(rdata.split()[1].rstrip(".").lower())
        elif rtype == "CNAME":
            found.add(rdata.rstrip(".").lower())
        elif rtype == "TXT" and rdata.startswith('"v=spf1'):
            for term in rdata.strip('"').split()[1:]:
                for prefix in _SPF_TARGET_TERMS:
                    if term.lower().startswith(prefix):
                        found.add(term[len(prefix) :].split("/")[0].rstrip(".").lower())
    return out


def _closure(domain: str, own: dict[str, set[str]], shared: dict[str, set[str]]) -> frozenset[str]:
    """Every name outside ``domain`` that its records lead to, directly or through provider records."""
    todo = [t for targets in own.values() for t in targets]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(shared.get(name, ()))
    return frozenset(n for n in seen if n != domain and not n.endswith("." + domain))


def mix_lines(gen: dict, first: int | None = None) -> list[str]:
    cats = gen["categories"][:first] if first else gen["categories"]
    n = len(cats)
    mix = Counter(cats)
    det = gen["details"]
    pct = lambda k, tot=n: f"{k:>7} {100.0 * k / tot if tot else 0:5.1f}%"  # noqa: E731
    notes = {
        "m365": f"DKIM CNAMEs {det['dkim_m365_cname']} (incl. gateway), MS= TXT {det['ms_verification']}",
        "google": f"smtp.google.com {det['google_smtp_mx']}, aspmx set {det['google_aspmx_set']}, DKIM {det['dkim_google']}",
        "gateway": "Mimecast MX + M365 SPF",
        "hosting": f"self-hosted {det['hosting_self']}, Natro {det['hosting_natro']}, default._domainkey {det['dkim_default']}",
        "nomx": f"A only {det['nomx_a_only']}, NXDOMAIN {det['nomx_nxdomain']}",
        "other": f"no SPF {det['other_no_spf']}",
    }
    lines = []
    for cat, share in MIX:
        note = notes[cat] if first is None else ""
        lines.append(f"  {cat:<9} {pct(mix[cat])}  (target {share:.0%})  {note}".rstrip())
    if first is None:
        dm = det["dmarc_none"] + det["dmarc_quarantine"] + det["dmarc_reject"]
        lines.append(
            f"  DMARC     {pct(dm)}  (target {DMARC_SHARE:.0%})  "
            f"p=none {det['dmarc_none']}, quarantine {det['dmarc_quarantine']}, reject {det['dmarc_reject']}"
        )
        lines.append(
            f"  footprint autodiscover online {det['fp_autodiscover_online']}, Teams online {det['fp_teams_online']},"
            f" Intune {det['fp_intune']}, Exchange on-premises {det['fp_exchange_onprem']}, Zoom {det['fp_zoom']},"
            f" Slack {det['fp_slack']}, TLS-RPT {det['fp_tls_rpt']}"
        )
    return lines


# --------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------


def proc_cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    except (OSError, IndexError, ValueError):
        return None


def proc_status_kb(pid: int, key: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


NETNS_ENV = "SCAN_BENCH_IN_NETNS"


def netns_prefix() -> list[str] | None:
    """`unshare` arguments that give a new network namespace (root: plain; otherwise
    inside a user namespace), or None when that is not possible here."""
    exe = shutil.which("unshare")
    if not exe:
        return None
    prefix = [exe, "--net"] if os.geteuid() == 0 else [exe, "--map-root-user", "--net"]
    try:
        ok = subprocess.run(prefix + ["true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return prefix if ok else None


def bring_loopback_up() -> list[str]:
    """In a fresh network namespace only `lo` exists, and it is down: bring it up
    (ioctl SIOCSIFFLAGS, no iproute2 needed) and return the interface names."""
    import fcntl
    import socket
    import struct

    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sk:
        ifr = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(sk, siocgifflags, ifr))[1]
        fcntl.ioctl(sk, siocsifflags, struct.pack("16sH14x", b"lo", flags | iff_up))
    with open("/proc/net/dev") as f:
        return [line.split(":")[0].strip() for line in f.readlines()[2:]]


def udp_drops(pid: int | None) -> int | None:
    """UDP datagrams dropped for a full receive buffer (RcvbufErrors) in the network
    namespace of process PID: the server's or the scanner's socket could not keep up."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/net/snmp") as f:
            rows = [line.split() for line in f if line.startswith("Udp:")]
        return int(rows[1][rows[0].index("RcvbufErrors")])
    except (OSError, ValueError, IndexError):
        return None


def machine_cpu_seconds() -> float | None:
    """User+nice+system CPU seconds of the whole machine so far (all cores), from /proc/stat
    (irq/softirq time, e.g. loopback packet processing, is left out: no process is charged for it)."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return (v[0] + v[1] + v[2]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


# Starts tests/dnsserver.py's own main() after making DNSTestServer.start() move every
# object that exists by then (the parsed zone) into the permanent GC generation ("freeze"),
# and with "off" also switch the cycle collector off for the serving phase ("default"
# leaves the collector alone). It also reads commands on stdin: "DUMP PATH" writes the
# server's query log so far (name, type, transport: tab-separated, one query a line) to
# PATH, empties it and answers "DUMPED N". Works with any commit's tests/dnsserver.py
# that keeps its log in DNSTestServer.queries.
SERVER_WRAPPER = """\
import gc, sys, threading
mode = sys.argv[1]
sys.path.insert(0, sys.argv[2])
import dnsserver
_start = dnsserver.DNSTestServer.start
def commands(server):
    for line in sys.stdin:
        cmd, _, arg = line.strip().partition(" ")
        if cmd == "DUMP":
            log = server.queries
            n = len(log)
            entries = log[:n]
            del log[:n]
            with open(arg, "w") as f:
                f.writelines(f"{name}\\t{qt}\\t{tr}\\n" for name, qt, tr in entries)
            sys.stdout.write(f"DUMPED {n}\\n")
            sys.stdout.flush()
        elif cmd == "COLD":
            # the answers built so far are forgotten: the next timed run finds the server as the first did
            with server._lock:
                server._state = dnsserver._State(server._state.nodes)
            if mode != "default":
                gc.collect()
                gc.freeze()
            sys.stdout.write("COLD\\n")
            sys.stdout.flush()
def start(self):
    if mode != "default":
        gc.collect()
        gc.freeze()
    if mode == "off":
        gc.disable()
    threading.Thread(target=commands, args=(self,), daemon=True).start()
    return _start(self)
dnsserver.DNSTestServer.start = start
sys.exit(dnsserver.main(sys.argv[3:]))
"""


class DNSServer:
    """tests/dnsserver.py in its own process."""

    def __init__(
        self,
        dnsserver: Path,
        zone_path: Path,
        host: str,
        records: int,
        log_path: Path,
        gc_mode: str = "freeze",
        query_log: bool = False,
    ):
        self.gc_mode = gc_mode
        self.query_log = query_log
        self.dnsserver = dnsserver
        self.zone_path = zone_path
        self.host = host
        self.records = records
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self.address = None
        self.load_seconds = None

    def start(self, timeout: float) -> None:
        self._log = open(self.log_path, "w")
        t0 = time.perf_counter()
        server_args = ["--zone-file", str(self.zone_path), "--host", self.host, "--port", "0"]
        if not self.query_log:
            server_args.append("--no-log")
        launcher = [sys.executable, "-c", SERVER_WRAPPER, self.gc_mode, str(self.dnsserver.parent)]
        self.proc = subprocess.Popen(
            launcher + server_args,
            stdout=subprocess.PIPE,
            stderr=self._log,
            stdin=subprocess.PIPE,
            text=True,
            start_new_session=True,  # Ctrl-C goes to us; we stop the server ourselves
        )
        lines: queue.Queue = queue.Queue()
        self._lines = lines

        def reader():
            for line in self.proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=reader, daemon=True).start()
        deadline = t0 + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                self.stop()
                raise RuntimeError(f"DNS server not READY after {timeout:.0f} s (zone {self.zone_path})")
            try:
                line = lines.get(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if line is None:
                rc = self.proc.wait()
                raise RuntimeError(
                    f"DNS server exited with {rc} before READY; see {self.log_path}:\n"
                    + self.log_path.read_text()[-2000:]
                )
            if line.startswith("READY "):
                host, _, port = line.split()[1].rpartition(":")
                self.address = (host, int(port))
                break
        self.load_seconds = time.perf_counter() - t0

    @property
    def nameserver(self) -> str:
        return f"{self.address[0]}:{self.address[1]}"

    def dump_log(self, path: Path, timeout: float = 120.0) -> int:
        """Write the server's query log since the last dump to PATH (``name\\ttype\\ttransport`` lines) and
        empty it; returns the number of queries written. Needs ``query_log=True``."""
        assert self.proc is not None and self.proc.stdin is not None and self.query_log
        self.proc.stdin.write(f"DUMP {path}\n")
        self.proc.stdin.flush()
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise RuntimeError(f"DNS server did not dump its query log within {timeout:.0f} s")
            try:
                line = self._lines.get(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError("DNS server exited while dumping its query log")
            if line.startswith("DUMPED "):
                return int(line.split()[1])

    def cold(self, timeout: float = 300.0) -> None:
        """Empty the server's answer caches (built lazily as questions come), so that every timed run
        (hunter, --quick, the ceilings, checkdmarc) meets the server in the same state."""
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write("COLD\n")
        self.proc.stdin.flush()
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise RuntimeError(f"DNS server did not empty its caches within {timeout:.0f} s")
            try:
                line = self._lines.get(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError("DNS server exited while emptying its caches")
            if line.startswith("COLD"):
                return

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def cpu(self) -> float | None:
        return proc_cpu_seconds(self.proc.pid) if self.proc else None

    def rss_mb(self) -> float | None:
        kb = proc_status_kb(self.proc.pid, "VmRSS") if self.proc else None
        return kb / 1024 if kb else None

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        self.proc = None
        self._log.close()


def hunter_env(code: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUNTER_")}
    if code["pythonpath"]:
        env["PYTHONPATH"] = code["pythonpath"] + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


class CodeError(Exception):
    pass


def prepare_code(workdir: Path, worktree: bool, rev: str = "HEAD") -> dict:
    """Which hunter (and tests/dnsserver.py) to run: a `git archive` snapshot of REV
    (default HEAD: immune to edits in progress in the shared tree) or the working tree."""
    if worktree:
        code = {"mode": "worktree", "root": REPO, "pythonpath": None, "commit": git_commit()}
    else:
        full = subprocess.run(
            ["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        # tests/dnsserver.py imports its helpers from tests/serve.py (where that exists at REV)
        paths = ["hunter_cli", "tests/dnsserver.py"]
        listed = subprocess.run(
            ["git", "ls-tree", "--name-only", full, "tests/serve.py"], cwd=REPO, capture_output=True, text=True
        ).stdout.split()
        tar = subprocess.run(
            ["git", "archive", "--format=tar", full, *paths, *listed],
            cwd=REPO,
            capture_output=True,
            check=True,
        ).stdout
        root = workdir / f"src-{full[:12]}"
        root.mkdir(parents=True, exist_ok=True)
        import io
        import tarfile

        with tarfile.open(fileobj=io.BytesIO(tar)) as tf:
            try:
                tf.extractall(root, filter="data")
            except TypeError:  # Python without extraction filters
                tf.extractall(root)
        short = subprocess.run(
            ["git", "rev-parse", "--short", full], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        code = {"mode": "snapshot", "root": root, "pythonpath": str(root), "commit": short}
    code["dnsserver"] = code["root"] / "tests" / "dnsserver.py"
    # Lanes other than DNS (Microsoft tenant over HTTPS, RDAP/WHOIS) reach the internet:
    # they are switched off so that only the DNS scan is measured and nothing leaves loopback.
    helped = subprocess.run(
        [sys.executable, "-m", "hunter_cli", "scan", "--help"],
        cwd=str(code["root"]),
        env=hunter_env(code),
        capture_output=True,
        text=True,
    )
    if helped.returncode != 0:
        raise CodeError(
            f"`hunter scan --help` fails at {code['commit']} ({code['mode']}):\n" + helped.stderr.strip()[-1500:]
        )
    helptext = helped.stdout
    code["extra_flags"] = [f for f in ("--no-tenant", "--no-whois") if f in helptext]
    code["has_processes"] = "--processes" in helptext
    code["has_quick"] = "--quick" in helptext
    probe = subprocess.run(
        [sys.executable, "-c", "import hunter_cli; print(hunter_cli.__file__)"],
        cwd=str(code["root"]),
        env=hunter_env(code),
        capture_output=True,
        text=True,
    )
    code["imported_from"] = probe.stdout.strip() or probe.stderr.strip()[-300:]
    return code


def cold(server: DNSServer, args) -> None:
    """Empty the server's answer caches before a timed run when ``--server-cache cold``."""
    if args.server_cache == "cold":
        server.cold()


def run_hunter(
    gen: dict,
    server: DNSServer,
    workdir: Path,
    tag: str,
    concurrency: int | None,
    code: dict,
    flags: tuple[str, ...] = (),
) -> dict:
    db = workdir / f"{tag}.db"
    for p in (db, Path(str(db) + "-wal"), Path(str(db) + "-shm")):
        p.unlink(missing_ok=True)
    out_path = workdir / f"{tag}.jsonl"
    err_path = workdir / f"{tag}.stderr"
    cmd = [
        sys.executable,
        "-m",
        "hunter_cli",
        "scan",
        str(gen["list_path"]),
        "--json",
        "--db",
        str(db),
        "--nameserver",
        server.nameserver,
        "-q",
    ]
    cmd += code["extra_flags"] + list(flags)
    if concurrency:
        cmd += ["--concurrency", str(concurrency)]
    env = hunter_env(code)
    shown = " ".join(cmd).replace(str(workdir), "$WORK").replace(sys.executable, "python")
    print(f"  $ {shown} > $WORK/{out_path.name}", flush=True)
    cpu0 = server.cpu()
    drops0 = udp_drops(server.pid)
    mach0 = machine_cpu_seconds()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=str(code["root"]))
        own_cpu = children_cpu = None
        try:  # exited, not yet reaped: its own CPU and its writer process's are still apart in /proc
            os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
            wall = time.perf_counter() - t0
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rpartition(")")[2].split()
            tick = os.sysconf("SC_CLK_TCK")
            own_cpu = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
            children_cpu = (int(fields[13]) + int(fields[14])) / tick  # cutime + cstime (the writer process)
        except (OSError, AttributeError, IndexError, ValueError):
            pass
        _, status, ru = os.wait4(proc.pid, 0)
        if own_cpu is None:
            wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu1 = server.cpu()
    drops1 = udp_drops(server.pid)
    mach1 = machine_cpu_seconds()
    server_cpu = (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else None
    other_cpu = None
    if mach0 is not None and mach1 is not None and server_cpu is not None:
        other_cpu = max(0.0, (mach1 - mach0) - server_cpu - ru.ru_utime - ru.ru_stime)

    # verification
    expected = gen["domains"]
    statuses: Counter = Counter()
    providers: Counter = Counter()
    error_kinds: Counter = Counter()
    seen: Counter = Counter()
    bad_lines = 0
    lines = 0
    with open(out_path, "rb") as f:
        for raw in f:
            lines += 1
            try:
                obj = json.loads(raw)
            except ValueError:
                bad_lines += 1
                continue
            seen[obj.get("domain")] += 1
            statuses[obj.get("status")] += 1
            for e in obj.get("errors") or ():
                error_kinds[f"{e.get('check')}:{e.get('kind')}"] += 1
            providers[(obj.get("provider") or "-") + ("+" + obj["gateway"] if obj.get("gateway") else "")] += 1
    exp_set = set(expected)
    missing = len(exp_set - set(seen))
    dupes = sum(1 for c in seen.values() if c > 1)
    extra = len(set(seen) - exp_set)
    db_rows = db_distinct = None
    internal = None
    try:
        conn = sqlite3.connect(str(db))
        db_rows = conn.execute("SELECT count(*) FROM scans").fetchone()[0]
        db_distinct = conn.execute("SELECT count(DISTINCT domain) FROM scans").fetchone()[0]
        row = conn.execute("SELECT stats_json FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        if row and row[0]:
            internal = json.loads(row[0]).get("seconds")
        conn.close()
    except sqlite3.Error as exc:
        print(f"  !! cannot read {db}: {exc}")
    n = len(expected)
    problems = []
    if proc.returncode != 0:
        problems.append(f"hunter exited with {proc.returncode}")
    if lines != n or bad_lines:
        problems.append(f"JSON output has {lines} lines ({bad_lines} unparsable), expected {n}")
    if missing or dupes or extra:
        problems.append(f"JSON domains: {missing} missing, {dupes} duplicated, {extra} unexpected")
    if db_rows != n:
        problems.append(f"scans table has {db_rows} rows, expected {n}")
    not_ok = n - statuses.get("ok", 0)
    if not_ok:
        problems.append(f"{not_ok} domains not ok ({dict(statuses)}): the server or the machine was overloaded")
    stderr_tail = err_path.read_text(errors="replace")[-1500:]
    return {
        "domains": n,
        "wall_s": wall,
        "rate": n / wall if wall else None,
        "peak_rss_mb": ru.ru_maxrss / 1024,
        "scan_process_cpu_s": own_cpu,
        "writer_process_cpu_s": children_cpu,
        "user_cpu_s": ru.ru_utime,
        "sys_cpu_s": ru.ru_stime,
        "internal_scan_s": internal,
        "db_rows": db_rows,
        "db_distinct_domains": db_distinct,
        "json_lines": lines,
        "statuses": dict(statuses),
        "error_kinds": dict(error_kinds.most_common()),
        "other_processes_cpu_s": other_cpu,
        "udp_rcvbuf_drops": (drops1 - drops0) if drops0 is not None and drops1 is not None else None,
        "providers": dict(providers.most_common()),
        "hunter_cpu_share": (ru.ru_utime + ru.ru_stime) / wall if wall else None,
        "server_cpu_s": server_cpu,
        "server_busy": (server_cpu / wall) if server_cpu is not None and wall else None,
        "exit_code": proc.returncode,
        "problems": problems,
        "valid": not problems,
        "stderr_tail": stderr_tail if (proc.returncode or stderr_tail.strip()) else "",
    }


BARE_WIRE_QUESTIONS = ("{d} MX", "{d} TXT", "_dmarc.{d} TXT", "_domainkey.{d} TXT")
BARE_WIRE_WINDOW = 2000  # queries in flight: about what hunter's 500 concurrent domains keep outstanding


def _bare_query(qid: int, name: str, qtype: int) -> bytes:
    """A plain DNS query with RD and an EDNS OPT record (as c-ares sends with ARES_FLAG_EDNS)."""
    import struct

    qname = b"".join(bytes([len(p)]) + p.encode("ascii") for p in name.split(".") if p) + b"\0"
    header = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 1)
    opt = b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)
    return header + qname + struct.pack("!HH", qtype, 1) + opt


def bare_wire_worker(nameserver: str, domains_path: str) -> int:
    """Send every domain's base questions from one raw UDP socket, ``BARE_WIRE_WINDOW`` in flight,
    matching answers by id only (no parsing); prints one JSON line with the time taken."""
    import selectors
    import socket

    host, _, port = nameserver.rpartition(":")
    codes = {"MX": 15, "TXT": 16}
    questions = []
    for d in Path(domains_path).read_text().split():
        for q in BARE_WIRE_QUESTIONS:
            name, qtype = q.format(d=d).split()
            questions.append((name, codes[qtype]))
    sock = socket.socket(socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
    sock.connect((host.strip("[]"), int(port)))
    sock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ)
    pending: dict[int, bytes] = {}
    free = list(range(65536))
    nxt = answered = resent = 0
    t0 = time.perf_counter()
    last = t0
    while answered < len(questions):
        while nxt < len(questions) and len(pending) < BARE_WIRE_WINDOW:
            qid = free.pop()
            pkt = _bare_query(qid, *questions[nxt])
            pending[qid] = pkt
            sock.send(pkt)
            nxt += 1
        if not sel.select(timeout=1.0):
            if time.perf_counter() - last > 30:
                break
            for pkt in pending.values():  # a lost datagram: ask again
                sock.send(pkt)
                resent += 1
            continue
        while True:
            try:
                data = sock.recv(65535)
            except BlockingIOError:
                break
            qid = int.from_bytes(data[:2], "big")
            if pending.pop(qid, None) is not None:
                free.append(qid)
                answered += 1
                last = time.perf_counter()
    seconds = time.perf_counter() - t0
    print(json.dumps({"questions": len(questions), "answered": answered, "resent": resent, "seconds": seconds}))
    return 0


def run_worker(main) -> int:
    """Run a worker's ``main()`` coroutine as hunter runs its scan (frozen GC, uvloop when present) and
    print its figures as one JSON line."""
    import asyncio
    import gc

    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    try:
        import uvloop

        res = uvloop.run(main())
    except ImportError:
        res = asyncio.run(main())
    print(json.dumps(res))
    return 0


def transport_worker(nameserver: str, domains_path: str, concurrency: int) -> int:
    """Hunter's own DNS transport (hunter_cli.dns.resolver, c-ares) asking every domain's base questions,
    ``concurrency`` domains at once on the event loop hunter uses, with nothing on top: no parsing into
    results, no further lookups, no classification, scoring, JSON or database. Prints one JSON line."""
    import asyncio

    from hunter_cli.dns.resolver import LookupFailure, ResolverConfig, open_resolver, parse_nameserver

    domains = Path(domains_path).read_text().split()

    async def main() -> dict:
        resolver = await open_resolver(ResolverConfig(nameservers=(parse_nameserver(nameserver),)))
        limit = asyncio.Semaphore(concurrency)
        failures = 0

        async def one(d: str) -> None:
            nonlocal failures
            async with limit:
                qs = [tuple(q.format(d=d).split()) for q in BARE_WIRE_QUESTIONS]
                out = await resolver.query_many(qs)
                failures += sum(isinstance(o, LookupFailure) for o in out)

        t0 = time.perf_counter()
        await asyncio.gather(*(one(d) for d in domains))
        seconds = time.perf_counter() - t0
        await resolver.close()
        n = len(domains) * len(BARE_WIRE_QUESTIONS)
        return {"questions": n, "answered": n - failures, "resent": None, "seconds": seconds}

    return run_worker(main)


REPLAY_TYPES = frozenset({"A", "AAAA", "MX", "TXT", "CNAME", "NS", "SOA", "SRV"})  # what hunter's resolver can ask


def read_query_log(path: Path) -> tuple[list[tuple[str, str]], int]:
    """The UDP questions of a dumped server log, in order, and how many TCP queries it also had."""
    questions: list[tuple[str, str]] = []
    tcp = 0
    with open(path) as f:
        for line in f:
            name, qtype, transport = line.rstrip("\n").split("\t")
            if transport == "udp":
                questions.append((name, qtype))
            else:
                tcp += 1
    return questions, tcp


def _owner(name: str, index: dict[str, int]) -> int | None:
    """The scanned domain a question is at or under (``<domain>._report._dmarc.<host>`` counts for
    ``domain``: RFC 7489 7.1), or None."""
    cut = name.find("._report._dmarc.")
    if cut > 0 and name[:cut] in index:
        return index[name[:cut]]
    labels = name.split(".")
    for j in range(len(labels) - 1):
        i = index.get(".".join(labels[j:]))
        if i is not None:
            return i
    return None


def build_replay(gen: dict, questions: list[tuple[str, str]]) -> tuple[dict, dict]:
    """Group the questions hunter sent by the domain they serve, for the faithful ceiling.

    A question at or under a scanned domain is that domain's. A question outside every
    scanned domain (an MX host, an SPF include target, a provider's netblocks) is given to
    the domains whose records lead to it (:func:`record_references`), in list order: the
    first time it was asked to the first such domain, the second time to the second, and
    so on, so a name hunter asks once per run is replayed once too. A question no domain
    leads to (the resolver check before the first domain) goes into a preamble asked first.
    Each domain's questions are split in two rounds: the first wave (MX and TXT at the
    domain, TXT at ``_dmarc`` and ``_domainkey``) and everything else.

    Returns (plan, stats); plan is ``{"preamble": [[name, type], ...], "domains": [[round,
    ...], ...]}`` with one entry per domain in list order, each round a list of [name, type].
    """
    domains = gen["domains"]
    index = {d: i for i, d in enumerate(domains)}
    referers: dict[str, list[int]] = {}
    for i, names in enumerate(gen["references"]):
        for name in names:
            referers.setdefault(name, []).append(i)
    first: list[list[tuple[str, str]]] = [[] for _ in domains]
    rest: list[list[tuple[str, str]]] = [[] for _ in domains]
    preamble: list[tuple[str, str]] = []
    used: Counter = Counter()
    outside = skipped = 0
    for name, qtype in questions:
        if qtype not in REPLAY_TYPES:
            skipped += 1
            continue
        owner = _owner(name, index)
        if owner is None:
            refs = referers.get(name)
            if refs:
                outside += 1
                owner = refs[used[name] % len(refs)]
                used[name] += 1
        if owner is None:
            preamble.append((name, qtype))
            continue
        d = domains[owner]
        if (qtype == "TXT" and name in (d, "_dmarc." + d, "_domainkey." + d)) or (qtype == "MX" and name == d):
            first[owner].append((name, qtype))
        else:
            rest[owner].append((name, qtype))
    plan = {
        "preamble": preamble,
        "domains": [[r for r in (f, m) if r] for f, m in zip(first, rest, strict=True)],
    }
    n = len(domains) or 1
    stats = {
        "questions": len(questions) - skipped,
        "per_domain": (len(questions) - skipped - len(preamble)) / n,
        "first_wave": sum(map(len, first)),
        "second_round": sum(map(len, rest)),
        "domains_with_second_round": sum(1 for m in rest if m),
        "outside_names_attributed": outside,
        "preamble": len(preamble),
        "preamble_names": sorted({f"{q} {t}" for q, t in preamble})[:8],
        "skipped_types": skipped,
    }
    return plan, stats


def replay_worker(nameserver: str, plan_path: str, concurrency: int) -> int:
    """The faithful bare-wire ceiling: hunter's own DNS transport (hunter_cli.dns.resolver, c-ares)
    asking exactly the questions the measured scan sent, grouped by domain (:func:`build_replay`):
    ``concurrency`` domains in flight as hunter schedules them, each domain's first wave together,
    then the rest of its questions together. Nothing on top: no parsing into results, no
    classification, scoring, JSON or database. Prints one JSON line."""
    import asyncio

    from hunter_cli.dns.resolver import LookupFailure, ResolverConfig, open_resolver, parse_nameserver

    plan = json.loads(Path(plan_path).read_text())
    preamble = [tuple(q) for q in plan["preamble"]]
    work = [[[tuple(q) for q in r] for r in rounds] for rounds in plan["domains"]]
    del plan

    async def main() -> dict:
        resolver = await open_resolver(ResolverConfig(nameservers=(parse_nameserver(nameserver),)))
        limit = asyncio.Semaphore(concurrency)
        failures = 0
        asked = 0

        async def one(rounds) -> None:
            nonlocal failures, asked
            for qs in rounds:
                out = await resolver.query_many(qs)
                asked += len(qs)
                failures += sum(isinstance(o, LookupFailure) for o in out)

        def release(_task) -> None:
            limit.release()

        t0 = time.perf_counter()
        if preamble:
            out = await resolver.query_many(preamble)
            asked += len(preamble)
            failures += sum(isinstance(o, LookupFailure) for o in out)
        running = set()
        for rounds in work:
            await limit.acquire()
            task = asyncio.ensure_future(one(rounds))
            running.add(task)
            task.add_done_callback(running.discard)
            task.add_done_callback(release)
        while running:
            await asyncio.wait(set(running))
        seconds = time.perf_counter() - t0
        sent = getattr(resolver, "queries_sent", None)
        await resolver.close()
        return {"questions": asked, "answered": asked - failures, "resent": None, "sent": sent, "seconds": seconds}

    return run_worker(main)


def run_bare_wire(
    gen: dict, server: DNSServer, kind: str, code: dict, concurrency: int | None, plan_path: Path | None = None
) -> dict:
    """A ceiling in a fresh process: ``replay`` is hunter's own c-ares layer asking exactly the questions
    the measured scan sent, two rounds per domain (the ceiling the ratio uses, from ``plan_path``);
    ``transport`` the same layer asking only the four first-wave questions, and ``raw`` one raw UDP
    socket sending those four (both for information)."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--bare-wire-worker",
        kind,
        "--worker-nameserver",
        server.nameserver,
        "--worker-domains",
        str(plan_path if kind == "replay" else gen["list_path"]),
        "--concurrency",
        str(concurrency or 500),
    ]
    import resource

    cpu0 = server.cpu()
    mach0 = machine_cpu_seconds()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=str(REPO), env=hunter_env(code)
    )
    outer = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    mach1 = machine_cpu_seconds()
    cpu1 = server.cpu()
    try:
        res = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": f"bare-wire worker failed (exit {proc.returncode}): {proc.stderr[-2000:]}"}
    res["kind"] = kind
    res["worker_cpu_s"] = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)  # includes start-up
    res["domains"] = gen["n"]
    res["rate"] = gen["n"] / res["seconds"] if res["seconds"] else None
    res["server_cpu_s"] = (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else None
    if mach0 is not None and mach1 is not None:
        res["machine_cpu_s"] = mach1 - mach0
        if res["server_cpu_s"] is not None:
            res["other_processes_cpu_s"] = max(0.0, res["machine_cpu_s"] - res["server_cpu_s"] - res["worker_cpu_s"])
    res["outer_wall_s"] = outer
    res["valid"] = res["answered"] == res["questions"]
    return res


def run_replay(
    gen: dict, server: DNSServer, workdir: Path, code: dict, concurrency: int | None, tag: str = "main"
) -> dict:
    """The faithful ceiling: the server's log of the scan measured as ``tag`` (dumped right after
    that run by :func:`dump_scan_log`), grouped by domain, replayed with hunter's transport
    (``replay`` worker); the server's log then says whether the replay asked the same questions."""
    scan_log = workdir / f"{tag}.scan-queries.tsv"
    if not scan_log.exists():
        server.dump_log(scan_log)
    questions, tcp = read_query_log(scan_log)
    plan, stats = build_replay(gen, questions)
    plan_path = workdir / f"{tag}.replay.json"
    plan_path.write_text(json.dumps(plan))
    del plan
    print(
        f"  the scan sent {len(questions)} UDP questions ({tcp} more over TCP, which c-ares repeats by itself on "
        f"truncation); grouped by domain: {stats['per_domain']:.2f} per domain, first wave {stats['first_wave']}, "
        f"second round {stats['second_round']} (in {stats['domains_with_second_round']} domains), "
        f"{stats['outside_names_attributed']} outside names given to the domains that lead to them, "
        f"preamble {stats['preamble']} {stats['preamble_names']}"
        + (
            f", {stats['skipped_types']} of types hunter's resolver cannot ask skipped"
            if stats["skipped_types"]
            else ""
        )
    )
    res = run_bare_wire(gen, server, "replay", code, concurrency, plan_path)
    if "error" in res:
        report_bare_wire(res)
        return res
    res["plan"] = stats
    res["scan_tcp_queries"] = tcp
    replay_log = workdir / f"{tag}.replay-queries.tsv"
    server.dump_log(replay_log)
    replayed, _ = read_query_log(replay_log)
    want, got = Counter(questions), Counter(replayed)
    res["missing_vs_scan"] = sum((want - got).values())
    res["extra_vs_scan"] = sum((got - want).values())
    report_bare_wire(res)
    same = not res["missing_vs_scan"] and not res["extra_vs_scan"]
    print(
        "  the server saw the replay ask "
        + (
            "exactly the scan's questions"
            if same
            else f"{res['missing_vs_scan']} fewer and {res['extra_vs_scan']} more questions than the scan "
            "(retries after a lost datagram, or questions left out)"
        )
    )
    return res


def dump_scan_log(server: DNSServer, workdir: Path, tag: str) -> None:
    """Keep the questions of the run just measured apart from the next run's (each gets its own ceiling)."""
    server.dump_log(workdir / f"{tag}.scan-queries.tsv")


def report_bare_wire(b: dict) -> None:
    if "error" in b:
        print(f"  !!!!! {b['error']}")
        return
    if b["kind"] == "replay":
        print(
            f"  {b['questions']} questions ({b['questions'] / b['domains']:.2f} per domain), exactly those the scan "
            "sent, two rounds per domain; hunter's c-ares transport alone, hunter's concurrency and event loop"
        )
    else:
        how = (
            "hunter's c-ares transport alone, hunter's concurrency, on hunter's event loop"
            if b["kind"] == "transport"
            else f"one raw UDP socket, {BARE_WIRE_WINDOW} in flight, answers matched by id only"
        )
        print(
            f"  {b['questions']} questions ({len(BARE_WIRE_QUESTIONS)} per domain: MX, TXT, _dmarc TXT, "
            f"_domainkey TXT); {how}"
        )
    print(
        f"  {b['domains']} domains in {b['seconds']:.2f} s = {b['rate']:.1f} domains/s; answered {b['answered']}"
        + (f", re-sent {b['resent']}" if b.get("resent") is not None else "")
        + f"; DNS server CPU {fmt(b.get('server_cpu_s'))} s; worker CPU {fmt(b.get('worker_cpu_s'))} s"
    )
    other = b.get("other_processes_cpu_s")
    if other is not None:
        share = other / b["outer_wall_s"] if b.get("outer_wall_s") else 0
        print(
            f"  other processes on the machine: {other:.1f} CPU s ({share:.0%} of one core)"
            + ("  !! the machine was not idle: figures are disturbed" if share > BUSY_SHARE else "")
        )
    if not b["valid"]:
        print("  !!!!! THIS FIGURE IS NOT VALID (unanswered questions)")


def run_reference(mode: str, gen: dict, count: int, server: DNSServer, workdir: Path) -> dict:
    sample = workdir / f"reference-{count}.txt"
    sample.write_text("\n".join(gen["domains"][:count]) + "\n")
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--checkdmarc-worker",
        mode,
        "--worker-nameserver",
        server.nameserver,
        "--worker-domains",
        str(sample),
    ]
    import resource

    cpu0 = server.cpu()
    mach0 = machine_cpu_seconds()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)  # sums over waited children: the delta is this worker
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=str(REPO))
    outer = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    mach1 = machine_cpu_seconds()
    cpu1 = server.cpu()
    try:
        res = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"mode": mode, "error": f"worker failed (exit {proc.returncode}): {proc.stderr[-2000:]}"}
    res["outer_wall_s"] = outer
    res["server_cpu_s"] = (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else None
    worker_cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    res["worker_cpu_s"] = worker_cpu
    if mach0 is not None and mach1 is not None and res["server_cpu_s"] is not None:
        res["other_processes_cpu_s"] = max(0.0, (mach1 - mach0) - res["server_cpu_s"] - worker_cpu)
    res["stderr_tail"] = proc.stderr[-1500:]
    return res


# --------------------------------------------------------------------------
# checkdmarc worker (runs in its own process)
# --------------------------------------------------------------------------


def install_loopback_guard() -> dict:
    """Refuse (and count) any socket traffic to a non-loopback address and any
    host-name resolution through the system resolver."""
    import errno
    import ipaddress
    import socket

    stats = {"blocked": [], "udp_sends": 0, "tcp_connects": 0}

    def loopback(address) -> bool:
        if not isinstance(address, tuple):
            return True  # AF_UNIX path
        host = address[0]
        try:
            return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            return False

    def inet(sock) -> bool:
        return sock.family in (socket.AF_INET, socket.AF_INET6)

    def refuse(what, address):
        stats["blocked"].append(f"{what} {address!r}")
        raise OSError(errno.ENETUNREACH, f"scan_bench loopback guard refused {what} to {address!r}")

    orig_connect = socket.socket.connect
    orig_connect_ex = socket.socket.connect_ex
    orig_sendto = socket.socket.sendto
    orig_sendmsg = socket.socket.sendmsg

    def connect(self, address):
        if inet(self):
            if not loopback(address):
                refuse("connect", address)
            stats["tcp_connects"] += self.type == socket.SOCK_STREAM
        return orig_connect(self, address)

    def connect_ex(self, address):
        if inet(self):
            if not loopback(address):
                stats["blocked"].append(f"connect_ex {address!r}")
                return errno.ENETUNREACH
            stats["tcp_connects"] += self.type == socket.SOCK_STREAM
        return orig_connect_ex(self, address)

    def sendto(self, data, *args):
        address = args[-1]
        if inet(self):
            if not loopback(address):
                refuse("sendto", address)
            stats["udp_sends"] += 1
        return orig_sendto(self, data, *args)

    def sendmsg(self, buffers, *args):
        if inet(self) and len(args) >= 3 and args[2] is not None and not loopback(args[2]):
            refuse("sendmsg", args[2])
        return orig_sendmsg(self, buffers, *args)

    orig_getaddrinfo = socket.getaddrinfo

    def literal_loopback(host) -> bool:
        if host is None:
            return True
        if isinstance(host, bytes):
            host = host.decode()
        return loopback((host,))

    def getaddrinfo(host, *args, **kw):
        if not literal_loopback(host):
            stats["blocked"].append(f"getaddrinfo {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, "scan_bench loopback guard: no name resolution")
        return orig_getaddrinfo(host, *args, **kw)

    def no_lookup(name):
        def f(host, *a, **kw):
            stats["blocked"].append(f"{name} {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, "scan_bench loopback guard: no name resolution")

        return f

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.socket.sendto = sendto
    socket.socket.sendmsg = sendmsg
    socket.getaddrinfo = getaddrinfo
    for name in ("gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
        setattr(socket, name, no_lookup(name))
    return stats


def checkdmarc_worker(mode: str, nameserver: str, domains_file: str) -> int:
    guard = install_loopback_guard()
    import logging

    import checkdmarc
    import dns.nameserver
    import dns.version
    from checkdmarc.dmarc import check_dmarc
    from checkdmarc.smtp import check_mx
    from checkdmarc.spf import check_spf

    warnings_seen: Counter = Counter()

    class Count(logging.Handler):
        def emit(self, record):
            warnings_seen[record.getMessage()[:120]] += 1

    logging.getLogger("checkdmarc").addHandler(Count(level=logging.WARNING))
    logging.getLogger("checkdmarc").setLevel(logging.WARNING)

    host, _, port = nameserver.rpartition(":")
    ns = [dns.nameserver.Do53Nameserver(host, int(port))]
    opts = dict(nameservers=ns, timeout=CHECKDMARC_TIMEOUT, retries=CHECKDMARC_RETRIES)
    domains = [d.strip() for d in open(domains_file) if d.strip()]
    if mode == "full":
        call = (
            f"checkdmarc.check_domains([domain], nameservers=[Do53Nameserver('{host}', {port})], "
            f"timeout={CHECKDMARC_TIMEOUT}, retries={CHECKDMARC_RETRIES}, check_mx_tls=False)"
        )

        def check(d):
            return checkdmarc.check_domains([d], check_mx_tls=False, **opts)
    else:
        call = (
            f"checkdmarc.smtp.check_mx(domain, check_mx_tls=False, **o); checkdmarc.spf.check_spf(domain, **o); "
            f"checkdmarc.dmarc.check_dmarc(domain, **o) with o = nameservers=[Do53Nameserver('{host}', {port})], "
            f"timeout={CHECKDMARC_TIMEOUT}, retries={CHECKDMARC_RETRIES}"
        )

        def check(d):
            return {
                "mx": check_mx(d, check_mx_tls=False, **opts),
                "spf": check_spf(d, **opts),
                "dmarc": check_dmarc(d, **opts),
            }

    exceptions: Counter = Counter()
    spf_valid = dmarc_valid = mx_found = timeouts = 0
    t0 = time.perf_counter()
    for d in domains:
        try:
            r = check(d)
        except Exception as exc:  # a crash on one domain must not hide the others
            exceptions[type(exc).__name__] += 1
            continue
        spf_valid += bool(r["spf"].get("valid"))
        dmarc_valid += bool(r["dmarc"].get("valid"))
        mx_found += bool(r["mx"].get("hosts"))
        if "timed out" in json.dumps(r, default=str).lower():
            timeouts += 1
    elapsed = time.perf_counter() - t0
    n = len(domains)
    print(
        json.dumps(
            {
                "mode": mode,
                "call": call,
                "domains": n,
                "seconds": elapsed,
                "rate": n / elapsed if elapsed else None,
                "checkdmarc_version": checkdmarc.__version__,
                "dnspython_version": dns.version.version,
                "spf_valid": spf_valid,
                "dmarc_valid": dmarc_valid,
                "mx_found": mx_found,
                "domains_with_timeouts": timeouts,
                "exceptions": dict(exceptions),
                "udp_queries": guard["udp_sends"],
                "tcp_connections": guard["tcp_connects"],
                "blocked_non_loopback": guard["blocked"][:20],
                "blocked_count": len(guard["blocked"]),
                "warnings": dict(warnings_seen.most_common(5)),
            }
        )
    )
    return 0


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------


def git_commit() -> str:
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        return rev + (" (+ uncommitted changes in tracked files)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def fmt(x, spec=".2f", none="n/a"):
    return none if x is None else format(x, spec)


def disturbed(run: dict, wall) -> str:
    other = run.get("other_processes_cpu_s")
    if other is None or not wall or other / wall <= BUSY_SHARE:
        return ""
    return f"   <-- machine busy: other processes {other / wall:.0%} of a core"


def print_table(results: dict) -> None:
    head = f"{'run':<34}{'domains':>8}{'wall s':>9}{'dom/s':>9}{'peak RSS MB':>12}{'DB rows':>9}{'DNS srv CPU s':>15}"
    print(head)
    print("-" * len(head))
    for key, label in (
        ("hunter", "hunter scan"),
        ("one", "hunter scan --processes 1"),
        ("quick", "hunter scan --quick"),
        ("quick_one", "hunter scan --quick --processes 1"),
        ("memory", "hunter scan (memory run)"),
    ):
        h = results.get(key)
        if not h:
            continue
        busy = f" ({h['server_busy']:.0%})" if h.get("server_busy") is not None else ""
        rate = f"{h['rate']:.1f}" if h["json_lines"] == h["domains"] and h["exit_code"] == 0 else "FAILED"
        print(
            f"{label:<34}{h['domains']:>8}{h['wall_s']:>9.2f}{rate:>9}{h['peak_rss_mb']:>12.1f}"
            f"{fmt(h['db_rows'], 'd'):>9}{fmt(h['server_cpu_s']) + busy:>15}"
            + ("" if h["valid"] else "   <-- NOT VALID")
            + disturbed(h, h["wall_s"])
        )
    for ref in results.get("reference", []):
        if "error" in ref:
            print(f"{'checkdmarc ' + ref['mode']:<34}  failed: {ref['error'][:200]}")
            continue
        label = "checkdmarc check_domains" if ref["mode"] == "full" else "checkdmarc mx+spf+dmarc"
        srv = ref.get("server_cpu_s")
        busy = f" ({srv / ref['outer_wall_s']:.0%})" if srv is not None and ref.get("outer_wall_s") else ""
        print(
            f"{label:<34}{ref['domains']:>8}{ref['seconds']:>9.2f}{ref['rate']:>9.1f}{'-':>12}{'-':>9}"
            f"{fmt(srv) + busy:>15}"
            + ("" if ref.get("valid", True) else "   <-- NOT VALID")
            + disturbed(ref, ref.get("outer_wall_s"))
        )
    for key, label in (
        ("ceiling", "bare-wire ceiling (replay)"),
        ("ceiling_quick", "bare-wire ceiling, --quick's"),
        ("bare_wire", "c-ares, 4 q/d (information)"),
        ("raw_wire", "raw UDP, 4 q/d (information)"),
    ):
        b = results.get(key)
        if b and "error" not in b:
            print(
                f"{label:<34}{b['domains']:>8}{b['seconds']:>9.2f}{b['rate']:>9.1f}"
                f"{'-':>12}{'-':>9}{fmt(b.get('server_cpu_s')):>15}"
                + ("" if b["valid"] else "   <-- NOT VALID")
                + disturbed(b, b.get("outer_wall_s"))
            )
    h = results.get("hunter")
    hq = results.get("quick")
    for ref in results.get("reference", []):
        if h and h["valid"] and "rate" in ref and ref["rate"]:
            label = "check_domains" if ref["mode"] == "full" else "mx+spf+dmarc"
            print(f"ratio hunter / checkdmarc {label}: {h['rate'] / ref['rate']:.1f}x")
            if hq and hq["valid"]:
                print(f"ratio hunter --quick / checkdmarc {label}: {hq['rate'] / ref['rate']:.1f}x")
    for run, key, label in (
        (h, "ceiling", "hunter / bare-wire ceiling (replay)"),
        (results.get("one"), "ceiling", "hunter --processes 1 / bare-wire ceiling (replay)"),
        (hq, "ceiling_quick", "hunter --quick / its bare-wire ceiling (replay of --quick's questions)"),
        (results.get("quick_one"), "ceiling_quick", "hunter --quick --processes 1 / its bare-wire ceiling"),
        (h, "bare_wire", "hunter / 4-question transport (information)"),
    ):
        b = results.get(key)
        if run and run["valid"] and b and b.get("valid") and b.get("rate"):
            # by CPU: CPU seconds for the same domains, both processes (hunter's writer process included)
            # with start-up; steadier than wall time on a busy machine
            cpu = run.get("user_cpu_s", 0) + run.get("sys_cpu_s", 0)
            by_cpu = f"{b['worker_cpu_s'] / cpu:.2f}" if cpu and b.get("worker_cpu_s") else "n/a"
            line = f"ratio {label}: {run['rate'] / b['rate']:.2f} by wall time, {by_cpu} by CPU time"
            own = run.get("scan_process_cpu_s")
            if results.get("hunter_has_processes") and not run.get("one_process"):
                own = None  # the scan workers scanned: the run's own process is not the scanning one
            if own and run.get("writer_process_cpu_s") and b.get("worker_cpu_s"):
                # with the writer on the other core, the scanning process's CPU is what a run on an idle
                # two-core machine waits for
                line += f", {b['worker_cpu_s'] / own:.2f} by the scanning process's CPU"
            print(line)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--domains", type=int, default=10_000, help="domains in the main run (default 10000)")
    ap.add_argument("--seed", type=int, default=1, help="RNG seed for the record mix (default 1)")
    ap.add_argument(
        "--reference-sample",
        type=int,
        default=300,
        metavar="M",
        help="checkdmarc runs on the first M domains (default 300)",
    )
    ap.add_argument(
        "--reference-mode",
        choices=("both", "full", "subset"),
        default="both",
        help="checkdmarc call(s) to time; see the module docstring (default both)",
    )
    ap.add_argument("--no-reference", action="store_true", help="skip checkdmarc")
    ap.add_argument(
        "--quick-run",
        action="store_true",
        help="also run `hunter scan --quick` (no Microsoft footprint questions) over the same list and server",
    )
    ap.add_argument("--memory", type=int, metavar="N2", help="second hunter-only run over N2 domains (peak RSS)")
    ap.add_argument("--host", default="127.0.0.1", help="loopback address for the DNS server (default 127.0.0.1)")
    ap.add_argument("--concurrency", type=int, help="pass --concurrency to hunter (default: hunter's own, 500)")
    ap.add_argument(
        "--one-process",
        action="store_true",
        help="also time each hunter run with --processes 1 (one scanning process), as the reference for scan workers",
    )
    ap.add_argument(
        "--server-timeout",
        type=float,
        help="seconds to wait for the server's READY (default: 120 + 400 us per zone record)",
    )
    ap.add_argument(
        "--commit",
        default="HEAD",
        metavar="REV",
        help="commit whose hunter_cli/ and tests/dnsserver.py are benchmarked (default HEAD)",
    )
    ap.add_argument(
        "--worktree",
        action="store_true",
        help="benchmark the working tree as it is (editable install, uncommitted edits included) "
        "instead of a `git archive` snapshot of HEAD",
    )
    ap.add_argument(
        "--no-netns",
        action="store_true",
        help="do not run in a private network namespace (by default the whole benchmark re-executes "
        "itself under `unshare --net`, so that no packet can leave loopback)",
    )
    ap.add_argument(
        "--server-gc",
        choices=("off", "freeze", "default"),
        default="off",
        help="off (default): the wrapper that starts tests/dnsserver.py calls gc.freeze() "
        "and gc.disable() once the zone is loaded, so that collections never stop the server "
        "under load; freeze: gc.freeze() only; default: leave the server's GC as it is",
    )
    ap.add_argument(
        "--server-cache",
        choices=("warm", "cold"),
        default="warm",
        help="warm (default): one untimed `hunter scan` over the list first, so that every timed run meets "
        "a server that has built its answers (the nearest a shared 2-core machine gets to a resolver on "
        "another one); cold: the server's answer caches emptied before every timed run",
    )
    ap.add_argument("--keep", metavar="DIR", help="write generated files, outputs and DBs here and keep them")
    ap.add_argument("--json-out", metavar="FILE", help="write the figures as JSON")
    ap.add_argument(
        "--no-ceiling",
        action="store_true",
        help="skip the bare-wire ceilings (the replay of the scan's questions, and the 4-question figures)",
    )
    ap.add_argument("--checkdmarc-worker", choices=("full", "subset"), help=argparse.SUPPRESS)
    ap.add_argument("--bare-wire-worker", choices=("replay", "transport", "raw"), help=argparse.SUPPRESS)
    ap.add_argument("--worker-nameserver", help=argparse.SUPPRESS)
    ap.add_argument("--worker-domains", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.checkdmarc_worker:
        return checkdmarc_worker(args.checkdmarc_worker, args.worker_nameserver, args.worker_domains)
    if args.bare_wire_worker == "raw":
        return bare_wire_worker(args.worker_nameserver, args.worker_domains)
    if args.bare_wire_worker == "replay":
        return replay_worker(args.worker_nameserver, args.worker_domains, args.concurrency or 500)
    if args.bare_wire_worker == "transport":
        return transport_worker(args.worker_nameserver, args.worker_domains, args.concurrency or 500)

    import ipaddress

    if not ipaddress.ip_address(args.host).is_loopback:
        ap.error("--host must be a loopback address (127.0.0.0/8 or ::1)")
    if args.domains < 1:
        ap.error("--domains must be at least 1")

    if os.environ.get(NETNS_ENV) == "1":
        try:
            ifaces = bring_loopback_up()
        except OSError as exc:
            print(f"cannot bring up lo in the private network namespace: {exc}", file=sys.stderr)
            return 1
        if set(ifaces) - {"lo"}:
            print(f"private network namespace has other interfaces: {ifaces}", file=sys.stderr)
            return 1
        network = "private network namespace (unshare --net), interfaces: lo only: nothing can leave loopback"
    elif not args.no_netns:
        prefix = netns_prefix()
        if prefix is not None:
            sys.stdout.flush()
            os.execve(
                prefix[0],
                prefix
                + [sys.executable, str(Path(__file__).resolve())]
                + (sys.argv[1:] if argv is None else list(argv)),
                {**os.environ, NETNS_ENV: "1"},
            )
        network = (
            "!! no private network namespace (unshare unavailable): loopback-only is NOT enforced "
            "by the kernel, only by hunter's flags and the checkdmarc socket guard"
        )
        print(f"WARNING: {network}", file=sys.stderr)
    else:
        network = (
            "--no-netns: host network namespace; loopback-only is enforced only by hunter's flags "
            "and the checkdmarc socket guard"
        )

    reference_modes = (
        [] if args.no_reference else (["full", "subset"] if args.reference_mode == "both" else [args.reference_mode])
    )
    if reference_modes:
        import importlib.util

        if importlib.util.find_spec("checkdmarc") is None:
            ap.error(
                "checkdmarc is not installed: pip install 'checkdmarc>=5.0' (or the bench extra), "
                "or pass --no-reference"
            )

    if args.keep:
        workdir = Path(args.keep).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="hunter-bench-"))
    started = datetime.now(timezone.utc)
    results: dict = {
        "date": started.isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "hunter_commit": git_commit(),
        "seed": args.seed,
        "workdir": str(workdir) if args.keep else None,
    }
    try:
        import importlib.metadata as md

        results["checkdmarc_version"] = md.version("checkdmarc") if reference_modes else None
    except Exception:
        results["checkdmarc_version"] = None

    print(f"Hunter scan benchmark  {started:%Y-%m-%d %H:%M} UTC")
    try:
        code = prepare_code(workdir, args.worktree, args.commit)
    except (OSError, subprocess.CalledProcessError, CodeError) as exc:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        print(f"cannot prepare the hunter code to benchmark: {exc}", file=sys.stderr)
        return 1
    if code["mode"] == "snapshot":
        results["hunter_commit"] = code["commit"]
        print(
            f"  hunter commit {code['commit']}: git archive snapshot of {args.commit} (uncommitted edits are not "
            f"measured; --worktree measures the working tree)"
        )
    else:
        print(f"  hunter commit {results['hunter_commit']}: working tree {REPO}")
    results["hunter_code"] = code["mode"]
    results["hunter_extra_flags"] = code["extra_flags"]
    results["hunter_has_processes"] = code.get("has_processes", False)
    results["network"] = network
    print(f"  hunter_cli imported from {code['imported_from']}")
    if code["extra_flags"]:
        print(
            f"  hunter lanes that would reach the internet are off: {' '.join(code['extra_flags'])} "
            f"(only the DNS scan is measured)"
        )
    print(f"  network: {network}")
    print(f"  Python {results['python']} ({results['implementation']}), {results['cpus']} CPUs, {results['platform']}")
    print(f"  work dir {workdir}{'' if args.keep else ' (removed at the end)'}")
    servers: list[DNSServer] = []
    try:
        # ---------------- main run ----------------
        gen = generate(args.domains, args.seed, workdir, "main")
        results["mix"] = {k: gen["mix"][k] for k, _ in MIX}
        results["mix_details"] = dict(gen["details"])
        results["zone_records"] = gen["records"]
        print(f"\nRecord mix, {gen['n']} domains, seed {args.seed} (actual counts):")
        print("\n".join(mix_lines(gen)))
        server = DNSServer(
            code["dnsserver"],
            gen["zone_path"],
            args.host,
            gen["records"],
            workdir / "main.server.log",
            args.server_gc,
            query_log=not args.no_ceiling,
        )
        servers.append(server)
        timeout = args.server_timeout or 120 + 400e-6 * gen["records"]
        print(
            f"\nDNS server: loading {gen['records']} records ({gen['zone_bytes'] / 1e6:.1f} MB), "
            f"expect ~{gen['records'] * PARSE_SECONDS_PER_RECORD:.0f} s ...",
            flush=True,
        )
        server.start(timeout)
        results["server_load_s"] = server.load_seconds
        results["server_rss_mb"] = server.rss_mb()
        print(
            f"  READY {server.nameserver} after {server.load_seconds:.1f} s (not part of any figure), "
            f"RSS {fmt(server.rss_mb(), '.0f')} MB"
        )

        print(f"\nhunter scan over {args.domains} domains:", flush=True)
        if args.server_cache == "warm":
            print(f"\nwarming the server: one untimed hunter scan over the {args.domains} domains", flush=True)
            run_hunter(gen, server, workdir, "warm-up", args.concurrency, code)
            if not args.no_ceiling:
                dump_scan_log(server, workdir, "warm-up")  # not a run to replay
        h = run_hunter(gen, server, workdir, "main", args.concurrency, code)
        results["hunter"] = h
        report_run(h)
        if not args.no_ceiling:
            dump_scan_log(server, workdir, "main")
        one = args.one_process and code.get("has_processes")
        if one:
            print(f"\nhunter scan --processes 1 (one scanning process) over the same {args.domains} domains:")
            cold(server, args)
            results["one"] = run_hunter(gen, server, workdir, "one", args.concurrency, code, ("--processes", "1"))
            results["one"]["one_process"] = True
            report_run(results["one"])
            if not args.no_ceiling:
                dump_scan_log(server, workdir, "one")  # not a run to replay
        if args.quick_run and code.get("has_quick"):
            print(f"\nhunter scan --quick (no footprint questions) over the same {args.domains} domains:", flush=True)
            cold(server, args)
            hq = run_hunter(gen, server, workdir, "quick", args.concurrency, code, ("--quick",))
            results["quick"] = hq
            report_run(hq)
            if not args.no_ceiling:
                dump_scan_log(server, workdir, "quick")
            if one:
                print(f"\nhunter scan --quick --processes 1 over the same {args.domains} domains:", flush=True)
                cold(server, args)
                results["quick_one"] = run_hunter(
                    gen, server, workdir, "quick-one", args.concurrency, code, ("--quick", "--processes", "1")
                )
                results["quick_one"]["one_process"] = True
                report_run(results["quick_one"])
                if not args.no_ceiling:
                    dump_scan_log(server, workdir, "quick-one")  # not a run to replay
        elif args.quick_run:
            print("\n  this hunter has no --quick: the quick run is skipped")

        if not args.no_ceiling:
            print(
                f"\nbare-wire ceiling: hunter's DNS transport alone replaying the scan's own questions, "
                f"same {args.domains} domains, same server:",
                flush=True,
            )
            cold(server, args)
            results["ceiling"] = run_replay(gen, server, workdir, code, args.concurrency)
            if results.get("quick"):
                print(
                    f"\nbare-wire ceiling of `scan --quick`: the quick run's own questions replayed the same way, "
                    f"same {args.domains} domains, same server:",
                    flush=True,
                )
                cold(server, args)
                results["ceiling_quick"] = run_replay(gen, server, workdir, code, args.concurrency, "quick")
            for kind, key, title in (
                ("transport", "bare_wire", "for information: hunter's DNS transport, four first-wave questions only"),
                ("raw", "raw_wire", "for information: raw UDP socket, four first-wave questions"),
            ):
                print(f"\n{title}, same {args.domains} domains, same server:", flush=True)
                cold(server, args)
                bare = run_bare_wire(gen, server, kind, code, args.concurrency)
                results[key] = bare
                report_bare_wire(bare)

        refs = []
        m = min(args.reference_sample, args.domains)
        for mode in reference_modes:
            print(f"\ncheckdmarc ({mode}) over the first {m} domains of the same list, same server:", flush=True)
            cold(server, args)
            ref = run_reference(mode, gen, m, server, workdir)
            ref["valid"] = (
                "error" not in ref
                and not ref.get("blocked_count")
                and not ref.get("exceptions")
                and not ref.get("domains_with_timeouts")
            )
            refs.append(ref)
            report_reference(ref)
        if refs:
            print(f"  reference sample mix (first {m} domains):")
            print("\n".join(mix_lines(gen, first=m)))
        results["reference"] = refs
        server.stop()

        # ---------------- memory run ----------------
        if args.memory:
            print(f"\nMemory run: fresh zone of {args.memory} domains (same generator and seed), hunter only")
            gen2 = generate(args.memory, args.seed, workdir, "memory")
            results["memory_mix"] = {k: gen2["mix"][k] for k, _ in MIX}
            results["memory_zone_records"] = gen2["records"]
            print("\n".join(mix_lines(gen2)))
            del gen  # the big lists of the main run are not needed any more
            server2 = DNSServer(
                code["dnsserver"],
                gen2["zone_path"],
                args.host,
                gen2["records"],
                workdir / "memory.server.log",
                args.server_gc,
            )
            servers.append(server2)
            timeout = args.server_timeout or 120 + 400e-6 * gen2["records"]
            print(
                f"DNS server: loading {gen2['records']} records ({gen2['zone_bytes'] / 1e6:.1f} MB), "
                f"expect ~{gen2['records'] * PARSE_SECONDS_PER_RECORD:.0f} s ...",
                flush=True,
            )
            server2.start(timeout)
            results["memory_server_load_s"] = server2.load_seconds
            results["memory_server_rss_mb"] = server2.rss_mb()
            print(
                f"  READY {server2.nameserver} after {server2.load_seconds:.1f} s (not part of any figure), "
                f"RSS {fmt(server2.rss_mb(), '.0f')} MB"
            )
            print(f"hunter scan over {args.memory} domains:", flush=True)
            h2 = run_hunter(gen2, server2, workdir, "memory", args.concurrency, code)
            results["memory"] = h2
            report_run(h2)
            server2.stop()

        # ---------------- summary ----------------
        print("\n" + "=" * 96)
        print(
            f"{started:%Y-%m-%d} | hunter {results['hunter_commit']} | Python {results['python']} | "
            f"{results['cpus']} CPUs | checkdmarc {results.get('checkdmarc_version') or '-'} | seed {args.seed}"
        )
        print("=" * 96)
        print_table(results)
        invalid = [k for k in ("hunter", "quick", "memory") if results.get(k) and not results[k]["valid"]]
        invalid += [f"checkdmarc {r['mode']}" for r in results.get("reference", []) if not r.get("valid", True)]
        if invalid:
            print("\n" + "!" * 96)
            print(f"!! NOT VALID: {', '.join(invalid)} -- see the problems listed above")
            print("!" * 96)
        results["valid"] = not invalid
    finally:
        for s in servers:
            s.stop()
        if args.json_out:
            for k in ("hunter", "quick", "memory"):
                if k in results:
                    results[k].pop("stderr_tail", None)
            Path(args.json_out).write_text(json.dumps(results, indent=2, default=str) + "\n")
            print(f"\nfigures written to {args.json_out}")
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if results.get("valid") else 1


def report_run(h: dict) -> None:
    print(
        f"  {h['domains']} domains in {h['wall_s']:.2f} s = {h['rate']:.1f} domains/s "
        f"(hunter's own scan timer: {fmt(h['internal_scan_s'])} s); peak RSS {h['peak_rss_mb']:.1f} MB; "
        f"CPU user {h['user_cpu_s']:.1f} s + sys {h['sys_cpu_s']:.1f} s "
        f"(= {fmt(h['hunter_cpu_share'], '.0%')} of one core over the wall time)"
    )
    if h.get("scan_process_cpu_s") is not None:
        print(
            f"  of which hunter's own process {h['scan_process_cpu_s']:.1f} s "
            f"({h['scan_process_cpu_s'] / h['wall_s']:.0%} of one core), "
            f"its child processes (writer; scan workers unless --processes 1) {h['writer_process_cpu_s']:.1f} s"
        )
    print(
        f"  statuses {h['statuses']}; JSON lines {h['json_lines']}; DB scans rows {h['db_rows']} "
        f"({h['db_distinct_domains']} distinct domains); exit code {h['exit_code']}"
    )
    busy = h.get("server_busy")
    print(
        f"  DNS server CPU over the scan: {fmt(h['server_cpu_s'])} s"
        + (f" = {busy:.0%} of one core over the wall time" if busy is not None else "")
    )
    other = h.get("other_processes_cpu_s")
    if other is not None:
        share = other / h["wall_s"] if h["wall_s"] else 0
        print(
            f"  other processes on the machine over the scan: {other:.1f} CPU s ({share:.0%} of one core)"
            + ("  !! the machine was not idle: figures are disturbed" if share > BUSY_SHARE else "")
        )
    if h.get("udp_rcvbuf_drops") is not None:
        print(
            f"  UDP datagrams dropped on a full receive buffer during the scan: {h['udp_rcvbuf_drops']}"
            + ("" if args_netns_private() else " (counter is for the whole host network namespace)")
        )
    if h.get("error_kinds"):
        print(f"  errors by check:kind: {h['error_kinds']}")
    if busy is not None and busy > 0.85:
        print("  !! the DNS server used >85% of a core: it may have limited the scan rate")
    print(f"  hunter providers: {', '.join(f'{k} {v}' for k, v in h['providers'].items())}")
    if h["stderr_tail"]:
        print("  hunter stderr (tail):\n    " + h["stderr_tail"].strip().replace("\n", "\n    "))
    for p in h["problems"]:
        print(f"  !!!!! {p}")
    if h["problems"]:
        print("  !!!!! THIS FIGURE IS NOT VALID")


def args_netns_private() -> bool:
    return os.environ.get(NETNS_ENV) == "1"


def report_reference(r: dict) -> None:
    if "error" in r:
        print(f"  !!!!! {r['error']}")
        return
    print(f"  call: {r['call']}")
    print(
        f"  {r['domains']} domains in {r['seconds']:.2f} s = {r['rate']:.2f} domains/s "
        f"(process incl. imports {r['outer_wall_s']:.2f} s); checkdmarc {r['checkdmarc_version']}, "
        f"dnspython {r['dnspython_version']}"
    )
    n = r["domains"] or 1
    print(
        f"  MX found {r['mx_found']}, SPF valid {r['spf_valid']}, DMARC valid {r['dmarc_valid']}; "
        f"DNS traffic {r['udp_queries']} UDP queries + {r['tcp_connections']} TCP connections "
        f"({(r['udp_queries'] + r['tcp_connections']) / n:.1f} per domain), all to loopback"
    )
    print(
        f"  DNS server CPU: {fmt(r['server_cpu_s'])} s; domains with a DNS timeout: {r['domains_with_timeouts']}; "
        f"exceptions: {r['exceptions'] or 'none'}"
    )
    other = r.get("other_processes_cpu_s")
    if other is not None:
        share = other / r["outer_wall_s"] if r["outer_wall_s"] else 0
        print(
            f"  checkdmarc process CPU {r['worker_cpu_s']:.1f} s; other processes on the machine: {other:.1f} CPU s "
            f"({share:.0%} of one core)"
            + ("  !! the machine was not idle: figures are disturbed" if share > BUSY_SHARE else "")
        )
    if r["blocked_count"]:
        print(f"  !!!!! loopback guard refused {r['blocked_count']} non-loopback attempts: {r['blocked_non_loopback']}")
    if r.get("warnings"):
        print(f"  checkdmarc warnings: {r['warnings']}")
    if not r["valid"]:
        print("  !!!!! THIS FIGURE IS NOT VALID (timeouts, exceptions or blocked traffic)")


if __name__ == "__main__":
    sys.exit(main())
