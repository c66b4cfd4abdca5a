"""Tests for the in-repo authoritative DNS test server (tests/dnsserver.py)."""

from __future__ import annotations

import os
import selectors
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
from dnsserver import DNSTestServer, load_zone_dir, parse_records

HERE = Path(__file__).resolve().parent

BIG_TXT = " ".join('"' + (chr(ord("a") + i % 26) * 200) + '"' for i in range(30))

ZONE = f"""
$ORIGIN .
$TTL 300
acme.com. IN SOA ns1.acme.com. hostmaster.acme.com. 1 3600 600 86400 300
acme.com. IN NS ns1.acme.com.
acme.com. IN MX 10 acme-com.mail.protection.outlook.com.
acme.com. IN TXT "v=spf1 include:spf.protection.outlook.com -all"
acme.com. IN A 192.0.2.10
acme.com. IN AAAA 2001:db8::10
_dmarc.acme.com. IN TXT "v=DMARC1; p=reject"
selector1._domainkey.acme.com. IN CNAME selector1-acme-com._domainkey.acme.onmicrosoft.com.
selector1-acme-com._domainkey.acme.onmicrosoft.com. IN TXT "v=DKIM1; k=rsa; p=MIGf"
www.acme.com. IN CNAME web.acme.com.
web.acme.com. IN A 192.0.2.20
dangling.acme.com. IN CNAME gone.nowhere.example.
loop1.acme.com. IN CNAME loop2.acme.com.
loop2.acme.com. IN CNAME loop1.acme.com.
big.acme.com. IN TXT {BIG_TXT}
"""

IP = "127.0.0.1"
T = 1.0  # client timeout for queries that must be answered


@pytest.fixture(scope="module")
def server():
    with DNSTestServer(ZONE) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _clean(server):
    server.clear_faults()
    server.reset_log()
    yield
    server.clear_faults()


def udp(srv, name, rdtype="A", timeout=T, **kw):
    return dns.query.udp(dns.message.make_query(name, rdtype, **kw), IP, port=srv.port, timeout=timeout)


def tcp(srv, name, rdtype="A", timeout=T, **kw):
    return dns.query.tcp(dns.message.make_query(name, rdtype, **kw), IP, port=srv.port, timeout=timeout)


def texts(rrsets):
    return sorted(r.to_text() for rrset in rrsets for r in rrset)


# --------------------------------------------------------------------------
# Basic answering
# --------------------------------------------------------------------------


def test_noerror_answer(server):
    r = udp(server, "acme.com", "MX")
    assert r.rcode() == dns.rcode.NOERROR
    assert r.flags & dns.flags.AA and r.flags & dns.flags.QR
    assert texts(r.answer) == ["10 acme-com.mail.protection.outlook.com."]
    r = udp(server, "acme.com", "TXT")
    assert texts(r.answer) == ['"v=spf1 include:spf.protection.outlook.com -all"']
    assert texts(udp(server, "acme.com", "AAAA").answer) == ["2001:db8::10"]
    assert texts(udp(server, "acme.com", "NS").answer) == ["ns1.acme.com."]
    assert len(udp(server, "acme.com", "SOA").answer) == 1


def test_id_and_rd_copied(server):
    q = dns.message.make_query("acme.com", "A")
    q.id = 4242
    q.flags &= ~dns.flags.RD
    r = dns.query.udp(q, IP, port=server.port, timeout=T)
    assert r.id == 4242 and not r.flags & dns.flags.RD
    q2 = dns.message.make_query("acme.com", "A")
    q2.id = 777
    r2 = dns.query.udp(q2, IP, port=server.port, timeout=T)  # cached path
    assert r2.id == 777 and r2.flags & dns.flags.RD
    assert texts(r2.answer) == ["192.0.2.10"]


def test_nxdomain(server):
    r = udp(server, "nope.acme.com", "A")
    assert r.rcode() == dns.rcode.NXDOMAIN
    assert r.answer == []
    assert r.authority and r.authority[0].rdtype == dns.rdatatype.SOA


def test_nodata(server):
    r = udp(server, "_dmarc.acme.com", "MX")
    assert r.rcode() == dns.rcode.NOERROR
    assert r.answer == []


def test_empty_non_terminal_is_nodata(server):
    r = udp(server, "_domainkey.acme.com", "TXT")
    assert r.rcode() == dns.rcode.NOERROR and r.answer == []
    r = udp(server, "acme.onmicrosoft.com", "A")  # ancestor of an owner name only
    assert r.rcode() == dns.rcode.NOERROR and r.answer == []
    assert udp(server, "x._domainkey.acme.com", "TXT").rcode() == dns.rcode.NXDOMAIN


def test_cname_chase(server):
    r = udp(server, "selector1._domainkey.acme.com", "TXT")
    assert r.rcode() == dns.rcode.NOERROR
    types = [rrset.rdtype for rrset in r.answer]
    assert types == [dns.rdatatype.CNAME, dns.rdatatype.TXT]
    assert texts(r.answer[1:]) == ['"v=DKIM1; k=rsa; p=MIGf"']
    # Asking for the CNAME itself does not chase.
    r = udp(server, "www.acme.com", "CNAME")
    assert [rrset.rdtype for rrset in r.answer] == [dns.rdatatype.CNAME]
    # CNAME to an existing name without the type: NOERROR, CNAME only.
    r = udp(server, "www.acme.com", "MX")
    assert r.rcode() == dns.rcode.NOERROR
    assert [rrset.rdtype for rrset in r.answer] == [dns.rdatatype.CNAME]


def test_dangling_cname_is_nxdomain_with_cname(server):
    r = udp(server, "dangling.acme.com", "A")
    assert r.rcode() == dns.rcode.NXDOMAIN
    assert texts(r.answer) == ["gone.nowhere.example."]


def test_cname_loop_is_safe(server):
    r = udp(server, "loop1.acme.com", "A")
    assert r.rcode() == dns.rcode.NOERROR
    assert len(r.answer) == 2


def test_cname_hop_limit():
    chain = "\n".join(f"c{i}.test. IN CNAME c{i + 1}.test." for i in range(12)) + "\nc12.test. IN A 192.0.2.1\n"
    with DNSTestServer(chain) as srv:
        r = udp(srv, "c4.test", "A")  # 8 hops -> reaches the A record
        assert [x.rdtype for x in r.answer][-1] == dns.rdatatype.A
        assert len(r.answer) == 9
        r = udp(srv, "c0.test", "A")  # too long: stops, no crash
        assert r.rcode() == dns.rcode.NOERROR
        assert all(x.rdtype == dns.rdatatype.CNAME for x in r.answer)


def test_cname_chain_names_decode_correctly():
    chain = "\n".join(f"c{i}.chain.test. IN CNAME c{i + 1}.chain.test." for i in range(5))
    chain += "\nc5.chain.test. IN MX 10 mx.example.net.\n"
    with DNSTestServer(chain) as srv:
        for transport in (udp, tcp):
            r = transport(srv, "C0.Chain.Test", "MX")
            assert [str(x.name) for x in r.answer] == [
                "C0.Chain.Test.",
                "c1.chain.test.",
                "c2.chain.test.",
                "c3.chain.test.",
                "c4.chain.test.",
                "c5.chain.test.",
            ]
            assert texts(r.answer[-1:]) == ["10 mx.example.net."]


def test_case_insensitive(server):
    r = udp(server, "AcMe.CoM", "MX")
    assert texts(r.answer) == ["10 acme-com.mail.protection.outlook.com."]
    r = udp(server, "SELECTOR1._DOMAINKEY.ACME.COM", "TXT")
    assert len(r.answer) == 2
    assert server.count("acme.com", "MX") == 1  # logged lower-case


def test_question_case_preserved_0x20(server):
    r = udp(server, "aCmE.cOm", "MX")
    assert str(r.question[0].name) == "aCmE.cOm."
    assert str(r.answer[0].name) == "aCmE.cOm."  # owner points at the question
    assert texts(r.answer) == ["10 acme-com.mail.protection.outlook.com."]  # rdata keeps zone case


def test_unusual_names_and_edns_options():
    text = 'sp\\032ace.test. IN TXT "space"\nd\\.ot.test. IN TXT "dot"\n\\200x.test. IN A 192.0.2.7\n'
    with DNSTestServer(text) as srv:
        # Labels that need escaping take the dnspython parse path.
        assert texts(udp(srv, "sp\\032ace.test", "TXT").answer) == ['"space"']
        assert texts(udp(srv, "D\\.OT.test", "TXT").answer) == ['"dot"']
        assert udp(srv, "d.ot.test", "TXT").rcode() == dns.rcode.NXDOMAIN
        assert texts(tcp(srv, "\\200X.test", "A").answer) == ["192.0.2.7"]
        assert srv.count("d\\.ot.test", "TXT") == 1
        # EDNS with options (client cookie) still answers.
        cookie = dns.edns.CookieOption(b"12345678", b"")
        r = udp(srv, "sp\\032ace.test", "TXT", use_edns=0, options=[cookie])
        assert r.edns == 0 and texts(r.answer) == ['"space"']


def test_any_not_implemented(server):
    assert udp(server, "acme.com", "ANY").rcode() == dns.rcode.NOTIMP


# --------------------------------------------------------------------------
# Size limits / truncation
# --------------------------------------------------------------------------


def test_big_txt_truncated_over_udp_full_over_tcp(server):
    r = udp(server, "big.acme.com", "TXT", use_edns=0, payload=4096)
    assert r.flags & dns.flags.TC
    assert r.answer == []
    assert r.edns >= 0
    r = tcp(server, "big.acme.com", "TXT", use_edns=0, payload=4096)
    assert not r.flags & dns.flags.TC
    assert len(r.answer) == 1
    (rd,) = list(r.answer[0])
    assert len(rd.strings) == 30 and all(len(s) == 200 for s in rd.strings)


def test_udp_limit_depends_on_edns(server):
    # MX + TXT + SOA... a ~700-byte answer: fits with EDNS 1232, not in 512.
    strings = " ".join('"' + "x" * 200 + '"' for _ in range(3))
    with DNSTestServer(f"mid.test. IN TXT {strings}\n") as srv:
        r = udp(srv, "mid.test", "TXT")  # make_query: no EDNS -> 512 limit
        assert r.flags & dns.flags.TC and r.answer == []
        r = udp(srv, "mid.test", "TXT", use_edns=0, payload=1232)
        assert not r.flags & dns.flags.TC and len(r.answer) == 1
        assert r.edns == 0 and r.payload == 1232
        r = udp(srv, "mid.test", "TXT", use_edns=0, payload=100)  # min 512
        assert r.flags & dns.flags.TC


def test_tcp_pipelined_queries_on_one_connection(server):
    names = ["acme.com", "web.acme.com", "nope.acme.com", "acme.com"]
    with socket.create_connection((IP, server.port), timeout=T) as s:
        payload = b""
        ids = []
        for i, n in enumerate(names):
            q = dns.message.make_query(n, "A")
            q.id = 1000 + i
            ids.append(q.id)
            w = q.to_wire()
            payload += len(w).to_bytes(2, "big") + w
        s.sendall(payload)
        f = s.makefile("rb")
        got = []
        for _ in names:
            n = int.from_bytes(f.read(2), "big")
            got.append(dns.message.from_wire(f.read(n)))
    assert [m.id for m in got] == ids
    assert [m.rcode() for m in got] == [0, 0, dns.rcode.NXDOMAIN, 0]
    assert server.count(transport="tcp") == 4


def test_malformed_packets_ignored(server):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for junk in (b"", b"\x00", b"\xff" * 40, os.urandom(300), b"\x12\x34" + b"\x00" * 10):
            s.sendto(junk, (IP, server.port))
        # A response (QR set) is ignored too.
        resp = dns.message.make_response(dns.message.make_query("acme.com", "A"))
        s.sendto(resp.to_wire(), (IP, server.port))
    with socket.create_connection((IP, server.port), timeout=T) as s:
        s.sendall(b"\x00\x05hello")
    assert udp(server, "acme.com", "A").rcode() == dns.rcode.NOERROR
    assert tcp(server, "acme.com", "A").rcode() == dns.rcode.NOERROR


# --------------------------------------------------------------------------
# Faults
# --------------------------------------------------------------------------


def test_fault_drop(server):
    server.faults["acme.com"] = "drop"
    with pytest.raises(dns.exception.Timeout):
        udp(server, "acme.com", "MX", timeout=0.3)
    assert server.count("acme.com", "MX") == 1  # logged though unanswered
    assert udp(server, "web.acme.com").rcode() == dns.rcode.NOERROR


def test_fault_drop_once_then_success(server):
    server.faults["_dmarc.acme.com"] = "drop-once"
    with pytest.raises(dns.exception.Timeout):
        udp(server, "_dmarc.acme.com", "TXT", timeout=0.3)
    r = udp(server, "_dmarc.acme.com", "TXT")
    assert texts(r.answer) == ['"v=DMARC1; p=reject"']
    assert server.count("_dmarc.acme.com", "TXT") == 2
    # Re-setting the fault re-arms it.
    server.faults["_dmarc.acme.com"] = "drop-once"
    with pytest.raises(dns.exception.Timeout):
        udp(server, "_dmarc.acme.com", "TXT", timeout=0.3)


def test_fault_servfail_and_refused(server):
    server.faults["acme.com"] = "servfail"
    r = udp(server, "acme.com", "MX")
    assert r.rcode() == dns.rcode.SERVFAIL and r.answer == []
    assert tcp(server, "acme.com", "MX").rcode() == dns.rcode.SERVFAIL
    server.faults["acme.com"] = "refused"
    r = udp(server, "acme.com", "MX")
    assert r.rcode() == dns.rcode.REFUSED and r.answer == []
    del server.faults["acme.com"]
    assert udp(server, "acme.com", "MX").rcode() == dns.rcode.NOERROR


def test_fault_per_qtype_beats_name(server):
    server.faults["acme.com"] = "refused"
    server.faults[("acme.com", "TXT")] = "servfail"
    assert udp(server, "acme.com", "TXT").rcode() == dns.rcode.SERVFAIL
    assert udp(server, "acme.com", "MX").rcode() == dns.rcode.REFUSED
    server.faults.clear()
    server.faults[("ACME.com.", "txt")] = "servfail"  # keys are normalised
    assert udp(server, "acme.com", "TXT").rcode() == dns.rcode.SERVFAIL
    assert udp(server, "acme.com", "MX").rcode() == dns.rcode.NOERROR


def test_fault_applies_to_qname_not_cname_target(server):
    server.faults["web.acme.com"] = "servfail"
    r = udp(server, "www.acme.com", "A")
    assert r.rcode() == dns.rcode.NOERROR and len(r.answer) == 2


def test_fault_truncate_udp_vs_tcp(server):
    server.faults[("acme.com", "MX")] = "truncate"
    r = udp(server, "acme.com", "MX")
    assert r.flags & dns.flags.TC and r.answer == []
    r = tcp(server, "acme.com", "MX")
    assert not r.flags & dns.flags.TC and len(r.answer) == 1
    r, used_tcp = dns.query.udp_with_fallback(dns.message.make_query("acme.com", "MX"), IP, port=server.port, timeout=T)
    assert used_tcp and len(r.answer) == 1
    assert server.count("acme.com", "MX", "udp") == 2
    assert server.count("acme.com", "MX", "tcp") == 2


def test_fault_delay_does_not_block_others(server):
    server.faults["web.acme.com"] = ("delay", 0.4)
    result = {}

    def slow():
        t0 = time.monotonic()
        result["r"] = udp(server, "web.acme.com", "A", timeout=2)
        result["t"] = time.monotonic() - t0

    th = threading.Thread(target=slow)
    th.start()
    time.sleep(0.05)
    t0 = time.monotonic()
    assert udp(server, "acme.com", "A").rcode() == dns.rcode.NOERROR
    assert time.monotonic() - t0 < 0.2  # not blocked behind the delayed one
    th.join(3)
    assert result["t"] >= 0.35
    assert texts(result["r"].answer) == ["192.0.2.20"]
    with pytest.raises(dns.exception.Timeout):
        udp(server, "web.acme.com", "A", timeout=0.15)


# --------------------------------------------------------------------------
# Data management and log
# --------------------------------------------------------------------------


def test_load_replaces_and_add_merges():
    with DNSTestServer("a.test. IN A 192.0.2.1\n") as srv:
        assert texts(udp(srv, "a.test").answer) == ["192.0.2.1"]
        srv.load("b.test. IN A 192.0.2.2\n")  # no header lines needed
        assert udp(srv, "a.test").rcode() == dns.rcode.NXDOMAIN  # cache invalidated
        assert texts(udp(srv, "b.test").answer) == ["192.0.2.2"]
        srv.add('b.test. IN A 192.0.2.3\nc.test. 60 IN TXT "hi"\n')
        assert texts(udp(srv, "b.test").answer) == ["192.0.2.2", "192.0.2.3"]
        assert texts(udp(srv, "c.test", "TXT").answer) == ['"hi"']
        srv.load("")
        assert udp(srv, "b.test").rcode() == dns.rcode.NXDOMAIN


def test_multiple_zones_with_soa_and_origin():
    text = """
$ORIGIN example.org.
@ IN SOA ns1 host 1 2 3 4 60
www IN A 192.0.2.5
$ORIGIN example.net.
@ 120 IN SOA ns1 host 1 2 3 4 60
mail IN MX 5 mx.example.net.
"""
    names = sorted(str(r.name) for r in parse_records(text))
    assert "www.example.org." in names and "mail.example.net." in names
    with DNSTestServer(text) as srv:
        assert texts(udp(srv, "www.example.org").answer) == ["192.0.2.5"]
        r = udp(srv, "x.example.net")
        assert r.rcode() == dns.rcode.NXDOMAIN
        assert str(r.authority[0].name) == "example.net."


def test_query_log_and_count(server):
    udp(server, "acme.com", "MX")
    udp(server, "ACME.com.", "MX")
    udp(server, "acme.com", "TXT")
    tcp(server, "acme.com", "MX")
    assert ("acme.com", "MX", "udp") in server.queries
    assert server.count() == 4
    assert server.count("acme.com") == 4
    assert server.count("acme.com.", "mx") == 3
    assert server.count("acme.com", "MX", "udp") == 2
    assert server.count(transport="tcp") == 1
    assert server.count("web.acme.com") == 0
    server.reset_log()
    assert server.count() == 0 and server.queries == []


def test_addresses(server):
    host, port = server.address
    assert host == IP and port > 0
    assert server.nameserver == f"{IP}:{port}"
    res = server.make_resolver(lifetime=2)
    ans = res.resolve("acme.com", "MX")
    assert ans[0].exchange.to_text() == "acme-com.mail.protection.outlook.com."


def test_from_files_and_zone_dir(tmp_path):
    (tmp_path / "a.zone").write_text("$ORIGIN a.test.\n$TTL 60\nwww IN A 192.0.2.1\n")
    (tmp_path / "b.zone").write_text("www.b.test. IN A 192.0.2.2\n")  # no header
    (tmp_path / "ignored.txt").write_text("www.c.test. IN A 192.0.2.3\n")
    text = load_zone_dir(tmp_path)
    assert "c.test" not in text
    with DNSTestServer.from_files(tmp_path) as srv:
        assert texts(udp(srv, "www.a.test").answer) == ["192.0.2.1"]
        assert texts(udp(srv, "www.b.test").answer) == ["192.0.2.2"]
    with DNSTestServer.from_files(tmp_path / "b.zone", tmp_path / "ignored.txt") as srv:
        assert texts(udp(srv, "www.c.test").answer) == ["192.0.2.3"]


def test_stop_is_idempotent_and_frees_port():
    srv = DNSTestServer("a.test. IN A 192.0.2.1\n").start()
    port = srv.port
    srv.stop()
    srv.stop()
    with DNSTestServer("a.test. IN A 192.0.2.1\n", port=port) as again:
        assert again.port == port
        assert udp(again, "a.test").rcode() == dns.rcode.NOERROR


# --------------------------------------------------------------------------
# Subprocess mode
# --------------------------------------------------------------------------


def test_subprocess_mode(tmp_path):
    zf = tmp_path / "x.zone"
    zf.write_text("acme.com. IN MX 10 mx.acme.com.\n")
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "dnsserver.py"), "--zone-file", str(zf), "--no-log"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        assert sel.select(timeout=10), "server did not print READY"
        line = proc.stdout.readline().strip()
        assert line.startswith("READY "), line
        host, port = line.split()[1].rsplit(":", 1)
        r = dns.query.udp(dns.message.make_query("acme.com", "MX"), host, port=int(port), timeout=T)
        assert texts(r.answer) == ["10 mx.acme.com."]
        r = dns.query.tcp(dns.message.make_query("nope.acme.com", "MX"), host, port=int(port), timeout=T)
        assert r.rcode() == dns.rcode.NXDOMAIN
    finally:
        proc.terminate()
        try:
            rc = proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert rc == 0, proc.stderr.read()
