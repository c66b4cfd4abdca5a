"""A small authoritative DNS server for the test suite and benchmarks.

It answers over real UDP and TCP sockets on loopback from records given as
master-file text, using only dnspython and the standard library.

In-process use (tests)::

    from dnsserver import DNSTestServer

    with DNSTestServer('''
    acme.com. 300 IN MX 10 acme-com.mail.protection.outlook.com.
    acme.com. 300 IN TXT "v=spf1 include:spf.protection.outlook.com -all"
    ''') as srv:
        srv.faults["_dmarc.acme.com"] = "servfail"
        ...  # query srv.address / srv.nameserver
        assert srv.count("acme.com", "MX") == 1

Subprocess use (benchmarks)::

    python tests/dnsserver.py --zone-file a.zone [--zone-file b.zone]
        [--host 127.0.0.1] [--port 0] [--no-log]

prints ``READY <host>:<port>`` once listening and serves until SIGTERM/SIGINT.

Answering rules: exact rrset -> NOERROR; CNAME -> chased inside the data (at
most 8 hops, loop-safe; NXDOMAIN if the chain ends at a name that does not
exist); name with other types only, or an empty non-terminal -> NOERROR with an
empty answer (NODATA); otherwise NXDOMAIN.  Negative answers carry the SOA of
the closest enclosing zone in the authority section when the data has one.
There is no delegation/referral logic and no wildcard expansion: every name in
the data is answered authoritatively, "*" labels are literal.

Zone text is master-file text with absolute names; ``$ORIGIN .``/``$TTL 300``
header lines are optional (prepended automatically), and any number of zones
(each with its own SOA) may be mixed in one text.

Speed: plain queries are parsed and answered by hand-written wire code (names
are never compressed against the question, so rdata keeps the zone's case);
complete responses are cached per transport keyed by the query bytes after
the id, and answer sections per (name, type).  Caches are dropped on
load()/add().

Faults (``server.faults``), checked per query before normal answering; keys are
a lower-case name without trailing dot (all qtypes) or ``(name, "TXT")`` (that
qtype only, wins over the plain name).  Values: ``"drop"``, ``"drop-once"``,
``("drop", n)`` (the first n queries dropped, then answers: deterministic loss),
``"servfail"``, ``"refused"``, ``"truncate"`` (UDP only: TC with empty answer),
``("delay", seconds)``, and the lies and garbage of a misbehaving resolver:
``"nxdomain"`` (NXDOMAIN whatever the data says), ``("address", "198.51.100.7")``
(that A record for an A query, NODATA for any other type: an ad server's
address), ``"garbage"`` (a response with the right id and question whose
header promises an answer record that is not there: c-ares cannot parse it).
The key ``"*"`` matches every name that has no fault of its own: with
``faults["*"] = "nxdomain"`` the server lies like a captive portal.  Faults
match the queried name, never CNAME targets.
"""

from __future__ import annotations

import argparse
import glob
import os
import socket
import struct
import sys
import threading
from collections.abc import Iterable

import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.tokenizer
import dns.zonefile
from serve import NormDict

__all__ = ["DNSTestServer", "load_zone_dir", "parse_records", "main"]

ZONE_HEADER = "$ORIGIN .\n$TTL 300\n"
OUR_PAYLOAD = 1232
MAX_CNAME_HOPS = 8
TCP_IDLE_TIMEOUT = 10.0
CACHE_LIMIT = 500_000  # entries per transport; the cache is simply cleared when full
UDP_BUFFER_BYTES = 4 * 1024 * 1024

_CNAME = dns.rdatatype.CNAME
_SOA = dns.rdatatype.SOA
_NOERROR = dns.rcode.NOERROR
_NXDOMAIN = dns.rcode.NXDOMAIN
_IN = dns.rdataclass.IN
_UNSUPPORTED_QTYPES = {
    dns.rdatatype.ANY,
    dns.rdatatype.AXFR,
    dns.rdatatype.IXFR,
    dns.rdatatype.MAILA,
    dns.rdatatype.MAILB,
}


# --------------------------------------------------------------------------
# Zone text helpers
# --------------------------------------------------------------------------


def _with_header(text: str) -> str:
    """Prefix master-file text with ``$ORIGIN .`` / ``$TTL 300``.

    The text's own ``$ORIGIN``/``$TTL`` lines (if any) come later and override
    these defaults, so this is harmless for text that already has them.
    """
    return ZONE_HEADER + text + ("" if text.endswith("\n") else "\n")


class _Collector:
    """Duck-typed stand-in for a dnspython transaction, fed by
    ``dns.zonefile.Reader``: it just collects rrsets.

    ``dns.zone.from_text`` cannot be used for data spanning many zones because
    it rejects any SOA that is not at the zone origin (and we parse everything
    with origin ".").  The Reader itself does the master-file parsing
    ($ORIGIN, $TTL, $GENERATE, relative names, multi-line records, ...).
    """

    class _Manager:
        @staticmethod
        def origin_information():
            return (dns.name.root, False, dns.name.root)

    manager = _Manager()

    def __init__(self):
        self.rrsets: dict[tuple[str, int, int], dns.rrset.RRset] = {}

    def check_put_rdataset(self, check) -> None:
        pass

    def _set_origin(self, origin) -> None:
        pass

    def add_unicode(self, value) -> None:
        pass

    def add(self, name, ttl, rdata) -> None:
        covers = rdata.covers()
        k = (_key(name), rdata.rdtype, covers)
        rrset = self.rrsets.get(k)
        if rrset is None:
            rrset = self.rrsets[k] = dns.rrset.RRset(name, rdata.rdclass, rdata.rdtype, covers)
        rrset.add(rdata, ttl)


def parse_records(text: str) -> list[dns.rrset.RRset]:
    """Parse master-file text (absolute names; header lines optional) into rrsets.

    Any number of zones may be mixed, including several SOA records.
    """
    collector = _Collector()
    tok = dns.tokenizer.Tokenizer(_with_header(text), "<zone text>")
    reader = dns.zonefile.Reader(
        tok,
        _IN,
        collector,  # type: ignore[arg-type]
        allow_include=False,
        allow_directives={"$ORIGIN", "$TTL", "$GENERATE"},
    )
    reader.read()
    return list(collector.rrsets.values())


def _concat_zone_texts(texts: Iterable[str]) -> str:
    # Reset origin/TTL before every piece so one file's $ORIGIN never leaks into
    # the next one's relative names.
    return "".join(_with_header(t) for t in texts)


def load_zone_dir(path: str | os.PathLike) -> str:
    """Concatenate all ``*.zone`` files in *path* (sorted by name) into one text."""
    files = sorted(glob.glob(os.path.join(os.fspath(path), "*.zone")))
    return _concat_zone_texts(_read(f) for f in files)


def _read(path: str | os.PathLike) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def _key(name: dns.name.Name) -> str:
    """Case-folded absolute text form used as the lookup key ("acme.com.")."""
    return name.to_text().lower()


def _log_name(key: str) -> str:
    return key[:-1] if len(key) > 1 else key


# --------------------------------------------------------------------------
# Immutable data snapshot (+ its response caches)
# --------------------------------------------------------------------------


class _State:
    """Records plus derived indexes and caches; replaced wholesale by load()/add().

    Keys are lower-cased absolute names in text form ("acme.com.").
    """

    __slots__ = ("nodes", "ancestors", "soa_owners", "rr_wire", "sections", "udp_cache", "tcp_cache")

    def __init__(self, nodes: dict[str, dict[int, dns.rrset.RRset]]):
        self.nodes = nodes
        ancestors: set[str] = set()
        soa_owners: set[str] = set()
        for key, rrsets in nodes.items():
            if _SOA in rrsets:
                soa_owners.add(key)
            name = next(iter(rrsets.values())).name
            while len(name) > 1:
                name = name.parent()
                k = _key(name)
                if k in ancestors:
                    break  # its ancestors are already recorded
                ancestors.add(k)
        self.ancestors = ancestors  # every proper ancestor of an owner name
        self.soa_owners = soa_owners
        # (key, rdtype) -> (list of "type class ttl rdlen rdata" blobs, CNAME target key)
        self.rr_wire: dict[tuple[str, int], tuple[list[bytes], str | None]] = {}
        # (key, qtype) -> (rcode, ancount, nscount, answer+authority bytes)
        self.sections: dict[tuple[str, int], tuple[int, int, int, bytes]] = {}
        # query bytes after the id -> (log name, qtype text, response after the id)
        self.udp_cache: dict[bytes, tuple[str, str, bytes]] = {}
        self.tcp_cache: dict[bytes, tuple[str, str, bytes]] = {}

    @staticmethod
    def nodes_from_text(text: str) -> dict[str, dict[int, dns.rrset.RRset]]:
        nodes: dict[str, dict[int, dns.rrset.RRset]] = {}
        for rrset in parse_records(text):
            nodes.setdefault(_key(rrset.name), {})[rrset.rdtype] = rrset
        return nodes

    def wire_of(self, key: str, rrset: dns.rrset.RRset):
        """Uncompressed wire blobs (without owner name) of *rrset*, memoised."""
        mk = (key, rrset.rdtype)
        got = self.rr_wire.get(mk)
        if got is None:
            head = _pack_rr_head(rrset.rdtype, rrset.rdclass, rrset.ttl)
            blobs = []
            for rd in rrset:
                w = rd.to_wire()
                blobs.append(head + len(w).to_bytes(2, "big") + w)
            target = _key(rrset[0].target) if rrset.rdtype == _CNAME else None
            got = self.rr_wire[mk] = (blobs, target)
        return got

    def build_sections(self, key: str, qtype: int, qlen: int):
        """Answer/authority sections for (key, qtype), memoised.

        *qlen* is the wire length of the question section (fixed for a given
        name), so compression pointers into the message are deterministic:
        the first owner name is a pointer to the qname (offset 12), a CNAME
        target's owner points at the target name inside the CNAME rdata.
        Everything else is written uncompressed, so rdata names keep their
        case exactly as in the zone data.
        """
        mk = (key, qtype)
        got = self.sections.get(mk)
        if got is not None:
            return got
        nodes = self.nodes
        out: list[bytes] = []
        pos = 12 + qlen
        owner = b"\xc0\x0c"
        an = 0
        seen = {key}
        hops = 0
        rcode = _NOERROR
        while True:
            node = nodes.get(key)
            if node is None:
                if key not in self.ancestors:
                    rcode = _NXDOMAIN
                break  # NXDOMAIN, or an empty non-terminal -> NODATA
            rrset = node.get(qtype)
            if rrset is not None:
                blobs, _ = self.wire_of(key, rrset)
                for blob in blobs:
                    out.append(owner)
                    out.append(blob)
                an += len(blobs)
                got = self.sections[mk] = (rcode, an, 0, b"".join(out))
                return got
            if qtype == _CNAME:
                break  # NODATA
            cname = node.get(_CNAME)
            if cname is None:
                break  # NODATA
            blobs, tkey = self.wire_of(key, cname)
            blob = blobs[0]
            target_off = pos + len(owner) + 10
            out.append(owner)
            out.append(blob)
            pos += len(owner) + len(blob)
            an += 1
            hops += 1
            if tkey in seen or hops > MAX_CNAME_HOPS:
                # CNAME loop or chain too long: stop with what we have.
                got = self.sections[mk] = (rcode, an, 0, b"".join(out))
                return got
            seen.add(tkey)
            key = tkey
            if target_off < 0x4000:
                owner = (0xC000 | target_off).to_bytes(2, "big")
            else:
                owner = cname[0].target.to_wire()
        # Negative answer: SOA of the closest enclosing zone, if any.
        ns = 0
        z = key
        while True:
            if z in self.soa_owners:
                soa = nodes[z][_SOA]
                blobs, _ = self.wire_of(z, soa)
                owner = soa.name.to_wire()
                for blob in blobs:
                    out.append(owner)
                    out.append(blob)
                ns = len(blobs)
                break
            if z == ".":
                break
            z = z.partition(".")[2] or "."
        got = self.sections[mk] = (rcode, an, ns, b"".join(out))
        return got


# --------------------------------------------------------------------------
# Faults
# --------------------------------------------------------------------------


def _norm_fault_key(key):
    if isinstance(key, tuple):
        name, qtype = key
        return (_norm_fault_name(name), str(qtype).upper())
    return _norm_fault_name(key)


def _norm_fault_name(name) -> str:
    name = str(name).lower()
    if len(name) > 1 and name.endswith("."):
        name = name[:-1]
    return name


class DNSTestServer:
    """Authoritative DNS server on loopback (UDP + TCP on the same port)."""

    def __init__(
        self,
        zone_text: str = "",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log: bool = True,
        tcp_idle_timeout: float = TCP_IDLE_TIMEOUT,
    ):
        self.host = host
        self._requested_port = port
        self.port = port
        self.log_enabled = log
        self.tcp_idle_timeout = tcp_idle_timeout
        self.queries: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()  # guards _state replacement and drop-once state
        self._drop_once_seen: set = set()
        self._drop_counts: dict = {}  # ("drop", n) faults: queries dropped so far, per key
        self._faults = NormDict(_norm_fault_key, on_set=self._rearm_fault)
        self._state = _State(_State.nodes_from_text(zone_text) if zone_text.strip() else {})
        self._udp: socket.socket | None = None
        self._tcp: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._conns: set[socket.socket] = set()
        self._timers: set[threading.Timer] = set()
        self._stop_event = threading.Event()
        self._started = False
        self._stopped = False

    # ---- construction helpers -------------------------------------------

    @classmethod
    def from_files(cls, *paths: str | os.PathLike, **kw) -> DNSTestServer:
        """Build a server from zone files and/or directories of ``*.zone`` files."""
        texts = []
        for p in paths:
            if os.path.isdir(p):
                texts.append(load_zone_dir(p))
            else:
                texts.append(_read(p))
        return cls(_concat_zone_texts(texts), **kw)

    # ---- data -------------------------------------------------------------

    def load(self, zone_text: str) -> None:
        """Replace all records with those in *zone_text* (atomic)."""
        nodes = _State.nodes_from_text(zone_text) if zone_text.strip() else {}
        state = _State(nodes)
        with self._lock:
            self._state = state

    def add(self, zone_text: str) -> None:
        """Merge the records in *zone_text* into the current data.

        Records of an existing (name, type) are added to that rrset (TTL from
        the new records).
        """
        new_nodes = _State.nodes_from_text(zone_text) if zone_text.strip() else {}
        with self._lock:
            nodes = {k: dict(v) for k, v in self._state.nodes.items()}
            for key, rrsets in new_nodes.items():
                node = nodes.setdefault(key, {})
                for rdtype, rrset in rrsets.items():
                    old = node.get(rdtype)
                    if old is not None:
                        merged = dns.rrset.RRset(old.name, old.rdclass, old.rdtype, old.covers)
                        merged.update(old)
                        merged.update(rrset)
                        rrset = merged
                    node[rdtype] = rrset
            self._state = _State(nodes)

    # ---- faults -----------------------------------------------------------

    @property
    def faults(self) -> dict:
        return self._faults

    @faults.setter
    def faults(self, value) -> None:
        with self._lock:
            self._drop_once_seen.clear()
            self._drop_counts.clear()
        self._faults = NormDict(_norm_fault_key, value, on_set=self._rearm_fault)

    def _rearm_fault(self, key) -> None:
        with self._lock:
            self._drop_once_seen.discard(key)
            self._drop_counts.pop(key, None)

    def clear_faults(self) -> None:
        self._faults.clear()
        with self._lock:
            self._drop_once_seen.clear()
            self._drop_counts.clear()

    # ---- query log -------------------------------------------------------

    def count(
        self,
        name: str | None = None,
        qtype: str | None = None,
        transport: str | None = None,
    ) -> int:
        if name is not None:
            name = _norm_fault_name(name)
        if qtype is not None:
            qtype = qtype.upper()
        if transport is not None:
            transport = transport.lower()
        n = 0
        for qn, qt, tr in list(self.queries):
            if (
                (name is None or qn == name)
                and (qtype is None or qt == qtype)
                and (transport is None or tr == transport)
            ):
                n += 1
        return n

    def reset_log(self) -> None:
        del self.queries[:]

    # ---- addresses -------------------------------------------------------

    @property
    def address(self) -> tuple[str, int]:
        return (self.host, self.port)

    @property
    def nameserver(self) -> str:
        if ":" in self.host:
            return f"[{self.host}]:{self.port}"
        return f"{self.host}:{self.port}"

    def make_resolver(self, **attrs):
        """A ``dns.resolver.Resolver`` pointed at this server (convenience)."""
        import dns.resolver

        r = dns.resolver.Resolver(configure=False)
        r.nameservers = [self.host]
        r.port = self.port
        for k, v in attrs.items():
            setattr(r, k, v)
        return r

    # ---- lifecycle -------------------------------------------------------

    def __enter__(self) -> DNSTestServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> DNSTestServer:
        if self._started:
            return self
        self._bind()
        self._started = True
        for target, name in ((self._udp_loop, "udp"), (self._tcp_accept_loop, "tcp")):
            t = threading.Thread(target=target, name=f"DNSTestServer-{name}-{self.port}", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def _bind(self) -> None:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        attempts = 50 if self._requested_port == 0 else 1
        last_err: OSError | None = None
        for _ in range(attempts):
            udp = socket.socket(family, socket.SOCK_DGRAM)
            try:
                udp.bind((self.host, self._requested_port))
            except OSError:
                udp.close()
                raise
            port = udp.getsockname()[1]
            tcp = socket.socket(family, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                tcp.bind((self.host, port))
                tcp.listen(128)
            except OSError as e:
                last_err = e
                tcp.close()
                udp.close()
                continue
            _set_udp_buffers(udp)
            self._udp, self._tcp, self.port = udp, tcp, port
            return
        raise OSError(f"could not bind UDP+TCP on {self.host}: {last_err}")

    def stop(self) -> None:
        if not self._started or self._stopped:
            return
        self._stopped = True
        self._stop_event.set()
        for t in list(self._timers):
            t.cancel()
        # Wake the blocking recvfrom()/accept() calls, then close.
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.sendto(b"", (self.host, self.port))
        except OSError:
            pass
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5):
                pass
        except OSError:
            pass
        for s in (self._tcp,):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for conn in list(self._conns):
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in self._threads:
            t.join(timeout=2.0)
        for s in (self._udp, self._tcp):
            try:
                s.close()
            except OSError:
                pass

    # ---- query processing ------------------------------------------------

    @staticmethod
    def _fault_for(faults, name: str, qt: str):
        key = (name, qt)
        f = dict.get(faults, key)  # keys are normalised on insertion
        if f is None:
            key = name
            f = dict.get(faults, name)
        if f is None:
            key = "*"
            f = dict.get(faults, "*")
        return key, f

    def _decide(self, key, fault):
        """Map a fault value to an action: None (answer normally), "drop",
        "servfail", "refused", "truncate", or a float delay."""
        if fault == "drop":
            return "drop"
        if fault == "drop-once":
            with self._lock:
                if key in self._drop_once_seen:
                    return None
                self._drop_once_seen.add(key)
            return "drop"
        if isinstance(fault, tuple) and len(fault) == 2 and fault[0] == "drop":
            with self._lock:
                dropped = self._drop_counts.get(key, 0)
                if dropped >= fault[1]:
                    return None
                self._drop_counts[key] = dropped + 1
            return "drop"
        if fault in ("servfail", "refused", "truncate", "nxdomain", "garbage"):
            return fault
        if isinstance(fault, tuple) and len(fault) == 2 and fault[0] == "address":
            return fault
        if isinstance(fault, tuple) and len(fault) == 2 and fault[0] == "delay":
            return float(fault[1])
        return None

    def _compute(self, pkt: bytes, state: _State, udp: bool):
        """Parse a query and build its normal (fault-free) answer.

        Returns (log name, qtype text, response wire without the id) and caches
        it, or None if the packet is to be ignored.
        """
        parsed = _parse_query(pkt)
        if parsed is None:
            return None
        qflags, key, question, qtype, qclass, payload = parsed
        if (qflags >> 11) & 0xF != 0 or qtype in _UNSUPPORTED_QTYPES:  # opcode != QUERY
            tail = _response_tail(qflags, question, payload, dns.rcode.NOTIMP, aa=False)
        elif qclass != _IN:
            tail = _response_tail(qflags, question, payload, dns.rcode.REFUSED, aa=False)
        else:
            rcode, an, ns, body = state.build_sections(key, qtype, len(question))
            tail = _response_tail(qflags, question, payload, rcode, an=an, ns=ns, body=body)
            if udp:
                limit = 512 if payload is None else min(max(payload, 512), 4096)
                if len(tail) + 2 > limit:
                    tail = _response_tail(qflags, question, payload, _NOERROR, tc=True)
            elif len(tail) + 2 > 65535:
                tail = _response_tail(qflags, question, payload, dns.rcode.SERVFAIL, aa=False)
        entry = (_log_name(key), _qtype_text(qtype), tail)
        cache = state.udp_cache if udp else state.tcp_cache
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        cache[pkt[2:]] = entry
        return entry

    @staticmethod
    def _fault_response(pkt: bytes, action) -> bytes | None:
        parsed = _parse_query(pkt)
        if parsed is None:
            return None
        qflags, _key_, question, qtype, _qc, payload = parsed
        if action == "truncate":
            tail = _response_tail(qflags, question, payload, _NOERROR, tc=True)
        elif action == "nxdomain":
            tail = _response_tail(qflags, question, payload, _NXDOMAIN)
        elif action == "garbage":
            # ANCOUNT says 1, but the message ends after the question.
            tail = _pack_tail_header(0x8000 | (qflags & 0x7900), 1, 1, 0, 0) + question
        elif isinstance(action, tuple):  # ("address", ip)
            an, body = 0, b""
            if qtype == dns.rdatatype.A:
                rd = socket.inet_aton(action[1])
                body = b"\xc0\x0c" + _pack_rr_head(dns.rdatatype.A, _IN, 300) + len(rd).to_bytes(2, "big") + rd
                an = 1
            tail = _response_tail(qflags, question, payload, _NOERROR, an=an, body=body)
        else:
            rcode = dns.rcode.SERVFAIL if action == "servfail" else dns.rcode.REFUSED
            tail = _response_tail(qflags, question, payload, rcode, aa=False)
        return pkt[:2] + tail

    # ---- UDP ------------------------------------------------------------

    def _udp_loop(self) -> None:
        sock = self._udp
        recvfrom = sock.recvfrom
        sendto = sock.sendto
        stop_event = self._stop_event
        log = self.queries.append if self.log_enabled else None
        while True:
            try:
                pkt, addr = recvfrom(65535)
            except OSError:
                if stop_event.is_set():
                    return
                continue
            if len(pkt) < 12:
                if stop_event.is_set():
                    return
                continue
            try:
                state = self._state
                entry = state.udp_cache.get(pkt[2:])
                if entry is None:
                    entry = self._compute(pkt, state, True)
                    if entry is None:
                        continue
                name, qt, tail = entry
                if log is not None:
                    log((name, qt, "udp"))
                faults = self._faults
                if faults:
                    key, fault = self._fault_for(faults, name, qt)
                    if fault is not None:
                        action = self._decide(key, fault)
                        if action is not None:
                            self._udp_fault(action, pkt, addr, pkt[:2] + tail)
                            continue
                sendto(pkt[:2] + tail, addr)
            except Exception:
                # Never let one bad packet (or a vanished client) kill the loop.
                if stop_event.is_set():
                    return
                continue

    def _udp_fault(self, action, pkt: bytes, addr, normal: bytes) -> None:
        if action == "drop":
            return
        if isinstance(action, float):
            timer = threading.Timer(action, self._udp_send_later)
            timer.args = (normal, addr, timer)
            timer.daemon = True
            self._timers.add(timer)
            timer.start()
            return
        wire = self._fault_response(pkt, action)
        if wire is not None:
            self._udp.sendto(wire, addr)

    def _udp_send_later(self, wire: bytes, addr, timer=None) -> None:
        self._timers.discard(timer)
        if self._stop_event.is_set():
            return
        try:
            self._udp.sendto(wire, addr)
        except OSError:
            pass

    # ---- TCP ------------------------------------------------------------

    def _tcp_accept_loop(self) -> None:
        lsock = self._tcp
        while not self._stop_event.is_set():
            try:
                conn, _ = lsock.accept()
            except OSError:
                if self._stop_event.is_set():
                    return
                continue
            if self._stop_event.is_set():
                conn.close()
                return
            self._conns.add(conn)
            t = threading.Thread(target=self._tcp_conn, args=(conn,), daemon=True)
            t.start()

    def _tcp_conn(self, conn: socket.socket) -> None:
        stop_event = self._stop_event
        try:
            conn.settimeout(self.tcp_idle_timeout)
            try:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
            while not stop_event.is_set():
                hdr = _recv_exact(conn, 2)
                if hdr is None:
                    return
                n = int.from_bytes(hdr, "big")
                pkt = _recv_exact(conn, n)
                if pkt is None:
                    return
                wire = self._tcp_handle(pkt)
                if wire is not None:
                    conn.sendall(len(wire).to_bytes(2, "big") + wire)
        except (OSError, ValueError):
            return
        finally:
            self._conns.discard(conn)
            try:
                conn.close()
            except OSError:
                pass

    def _tcp_handle(self, pkt: bytes) -> bytes | None:
        if len(pkt) < 12:
            return None
        try:
            state = self._state
            entry = state.tcp_cache.get(pkt[2:])
            if entry is None:
                entry = self._compute(pkt, state, False)
                if entry is None:
                    return None
            name, qt, tail = entry
            if self.log_enabled:
                self.queries.append((name, qt, "tcp"))
            faults = self._faults
            if faults:
                key, fault = self._fault_for(faults, name, qt)
                if fault is not None:
                    action = self._decide(key, fault)
                    if action == "drop":
                        return None
                    if isinstance(action, float):
                        if self._stop_event.wait(action):
                            return None
                    elif action in ("servfail", "refused", "nxdomain", "garbage") or isinstance(action, tuple):
                        return self._fault_response(pkt, action)
                    # "truncate" over TCP: answer normally
            return pkt[:2] + tail
        except Exception:
            return None


_pack_rr_head = struct.Struct("!HHI").pack  # type, class, ttl (rdlen follows)
_pack_tail_header = struct.Struct("!HHHHH").pack  # flags, qd, an, ns, ar
_unpack_header = struct.Struct("!HHHHHH").unpack_from
_unpack_type_class = struct.Struct("!HH").unpack_from
_unpack_opt = struct.Struct("!HHIH").unpack_from
_OPT_RR = b"\x00" + struct.pack("!HHIH", dns.rdatatype.OPT, OUR_PAYLOAD, 0, 0)
# Label bytes whose text form needs no escaping (so the key can be built fast).
_PLAIN_LABEL_BYTES = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
_qtype_text_cache: dict[int, str] = {}


def _qtype_text(qtype: int) -> str:
    t = _qtype_text_cache.get(qtype)
    if t is None:
        t = _qtype_text_cache[qtype] = dns.rdatatype.to_text(qtype)
    return t


def _parse_query(pkt: bytes):
    """Return (flags, key, question wire, qtype, qclass, EDNS payload or None),
    or None for packets to ignore (malformed, responses, not one question).

    Plain single-question queries (optionally with one OPT) are parsed by hand;
    anything else goes through dns.message.from_wire.
    """
    n = len(pkt)
    if n < 17:
        return None
    _id, flags, qd, an, ns, ar = _unpack_header(pkt, 0)
    if flags & 0x8000:
        return None  # a response, not a query
    if qd == 1 and an == 0 and ns == 0 and ar <= 1:
        i = 12
        labels: list[bytes] | None = []
        while i < n:
            ln = pkt[i]
            if ln == 0:
                break
            lab = pkt[i + 1 : i + 1 + ln]
            if ln > 63 or len(lab) != ln or lab.translate(None, _PLAIN_LABEL_BYTES):
                labels = None
                break
            labels.append(lab)
            i += 1 + ln
        else:
            return None
        qend = i + 5
        if labels is not None and qend <= n:
            qtype, qclass = _unpack_type_class(pkt, i + 1)
            payload = None
            ok = True
            if ar == 1:
                if qend + 11 <= n and pkt[qend] == 0:
                    rtype, rclass, _ttl, rdlen = _unpack_opt(pkt, qend + 1)
                    if rtype == 41 and qend + 11 + rdlen == n:
                        payload = rclass
                    else:
                        ok = False
                else:
                    ok = False
            elif qend != n:
                ok = False
            if ok:
                key = b".".join(labels).decode("ascii").lower() + "." if labels else "."
                return flags, key, pkt[12:qend], qtype, qclass, payload
    try:
        q = dns.message.from_wire(pkt)
    except Exception:
        return None
    if len(q.question) != 1:
        return None
    rr = q.question[0]
    question = rr.name.to_wire() + struct.pack("!HH", rr.rdtype, rr.rdclass)
    payload = q.payload if q.edns >= 0 else None
    return q.flags, _key(rr.name), question, rr.rdtype, rr.rdclass, payload


def _response_tail(
    qflags: int,
    question: bytes,
    payload: int | None,
    rcode: int,
    *,
    aa: bool = True,
    tc: bool = False,
    an: int = 0,
    ns: int = 0,
    body: bytes = b"",
) -> bytes:
    """A response without its 2-byte id: QR, AA (authoritative), opcode and RD
    copied from the query, the question copied verbatim, and an OPT record
    (payload 1232) if the query had EDNS."""
    flags = 0x8000 | (qflags & 0x7900) | (rcode & 0xF)
    if aa:
        flags |= 0x0400
    if tc:
        flags |= 0x0200
        an = ns = 0
        body = b""
    if payload is None:
        return _pack_tail_header(flags, 1, an, ns, 0) + question + body
    return _pack_tail_header(flags, 1, an, ns, 1) + question + body + _OPT_RR


def _recv_exact(conn: socket.socket, n: int) -> bytes | None:
    if n == 0:
        return b""
    buf = conn.recv(n)
    if not buf:
        return None
    if len(buf) == n:
        return buf
    parts = [buf]
    got = len(buf)
    while got < n:
        chunk = conn.recv(n - got)
        if not chunk:
            return None
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _set_udp_buffers(sock: socket.socket) -> None:
    for force, plain in (
        (getattr(socket, "SO_RCVBUFFORCE", None), socket.SO_RCVBUF),
        (getattr(socket, "SO_SNDBUFFORCE", None), socket.SO_SNDBUF),
    ):
        done = False
        if force is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, force, UDP_BUFFER_BYTES)
                done = True
            except OSError:
                pass
        if not done:
            try:
                sock.setsockopt(socket.SOL_SOCKET, plain, UDP_BUFFER_BYTES)
            except OSError:
                pass


# --------------------------------------------------------------------------
# Subprocess mode
# --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Authoritative DNS test server")
    ap.add_argument(
        "--zone-file",
        action="append",
        default=[],
        metavar="F",
        help="master file (or directory of *.zone files); repeatable",
    )
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--no-log", action="store_true", help="do not keep a query log")
    args = ap.parse_args(argv)

    server = DNSTestServer.from_files(*args.zone_file, host=args.host, port=args.port, log=not args.no_log)
    from serve import serve_until_signalled

    return serve_until_signalled(server, lambda: f"{args.host}:{server.port}")


if __name__ == "__main__":
    sys.exit(main())
