"""Registration data: RDAP bootstrap and parsing, WHOIS parsing, and lookup() over real sockets."""

from __future__ import annotations

import asyncio
import json
import socket
from importlib import resources

import httpx
import pytest
from regserver import RdapServer, WhoisServer, rdap_domain, trabis_whois

from hunter_cli.models import Registration
from hunter_cli.registration import RegistrationFailure
from hunter_cli.registration import rdap as rdap_mod
from hunter_cli.registration.lookup import lookup, split_host_port
from hunter_cli.registration.rdap import Bootstrap, BootstrapError, load_bootstrap, parse_rdap, refresh_bootstrap
from hunter_cli.registration.whois import parse_whois, whois_date, whois_query, whois_server

BUNDLED_RAW = resources.files("hunter_cli.data").joinpath("rdap_dns.json").read_bytes()
BOOT = Bootstrap.from_bytes(BUNDLED_RAW)


# --------------------------------------------------------------------------- bootstrap


def test_bundled_bootstrap_is_the_iana_registry():
    data = json.loads(BUNDLED_RAW)
    assert set(data) == {"description", "publication", "services", "version"}
    assert data["description"] == "RDAP bootstrap file for Domain Name System registrations"
    assert data["version"] == "1.0"
    for tld in ("com", "net", "org"):
        assert tld in BOOT
    assert "tr" not in BOOT  # TRABIS has no RDAP service


def test_base_url_com_is_verisign():
    assert BOOT.base_url("acme.com") == "https://rdap.verisign.com/com/v1/"
    assert BOOT.base_url("ACME.COM.") == "https://rdap.verisign.com/com/v1/"
    assert BOOT.base_url("www.acme.net") == "https://rdap.verisign.com/net/v1/"


def test_base_url_none_for_tr_and_unknown():
    assert BOOT.base_url("firma.com.tr") is None
    assert BOOT.base_url("firma.tr") is None
    assert BOOT.base_url("acme.no-such-tld") is None
    assert BOOT.base_url("") is None


def test_base_url_longest_label_match_https_and_trailing_slash():
    boot = Bootstrap.from_json(
        {
            "version": "1.0",
            "publication": "2026-01-01T00:00:00Z",
            "services": [
                [["uk"], ["https://rdap.example-uk.test/uk"]],
                [["co.uk", "ORG.UK"], ["http://rdap.example-co.test/", "https://rdap.example-co.test/"]],
                [["kg"], ["http://rdap.example-kg.test"]],
            ],
        }
    )
    assert boot.base_url("acme.co.uk") == "https://rdap.example-co.test/"
    assert boot.base_url("acme.org.uk") == "https://rdap.example-co.test/"
    assert boot.base_url("acme.uk") == "https://rdap.example-uk.test/uk/"
    assert boot.base_url("acme.me.uk") == "https://rdap.example-uk.test/uk/"
    assert boot.base_url("acme.kg") == "http://rdap.example-kg.test/"  # http only: used as is


@pytest.mark.parametrize(
    "doc",
    [[], {"services": []}, {"services": [["com", "https://x/"]]}, {"services": [[["com"], ["ftp://x/"]]]}],
)
def test_bootstrap_rejects_malformed_documents(doc):
    with pytest.raises(BootstrapError):
        Bootstrap.from_json(doc)


def test_load_bootstrap_prefers_the_users_refreshed_copy(tmp_path, monkeypatch):
    user = tmp_path / "rdap_dns.json"
    monkeypatch.setattr(rdap_mod, "user_bootstrap_path", lambda: user)
    load_bootstrap.cache_clear()
    try:
        assert load_bootstrap().source == "bundled"
        user.write_text(
            json.dumps({"publication": "2099-01-01T00:00:00Z", "services": [[["com"], ["https://r.test/"]]]})
        )
        load_bootstrap.cache_clear()
        boot = load_bootstrap()
        assert boot.source == str(user) and boot.publication == "2099-01-01T00:00:00Z"
        assert boot.base_url("a.com") == "https://r.test/"
        user.write_text("{ broken")  # a damaged user copy never stops a scan
        load_bootstrap.cache_clear()
        assert load_bootstrap().source == "bundled"
        with pytest.raises(BootstrapError):
            load_bootstrap(str(user))
    finally:
        load_bootstrap.cache_clear()


def test_refresh_bootstrap_writes_the_file_byte_for_byte(tmp_path, monkeypatch):
    monkeypatch.setattr(rdap_mod, "user_bootstrap_path", lambda: tmp_path / "never-used.json")
    dest = tmp_path / "data" / "rdap_dns.json"
    with RdapServer() as srv:
        srv.files["/rdap/dns.json"] = ("application/json", BUNDLED_RAW)
        srv.files["/rdap/bad.json"] = ("application/json", b"<html>not json</html>")

        async def go():
            async with httpx.AsyncClient(trust_env=False) as client:
                path = await refresh_bootstrap(client, url=srv.base_url + "rdap/dns.json", dest=dest)
                assert path == dest and dest.read_bytes() == BUNDLED_RAW
                with pytest.raises(BootstrapError):
                    await refresh_bootstrap(client, url=srv.base_url + "rdap/bad.json", dest=dest)
                with pytest.raises(BootstrapError):
                    await refresh_bootstrap(client, url=srv.base_url + "rdap/missing.json", dest=dest)

        asyncio.run(go())
    assert dest.read_bytes() == BUNDLED_RAW  # failed refreshes left the good copy alone
    assert [p.name for p in dest.parent.iterdir()] == ["rdap_dns.json"]  # no temporary files left


# --------------------------------------------------------------------------- parse_rdap


def test_parse_rdap_full_verisign_object():
    reg = parse_rdap(
        rdap_domain(
            "google.com", created="1997-09-15", expires="2028-09-14", nameservers=["ns1.google.com", "ns2.google.com"]
        )
    )
    assert reg == Registration(
        status="ok",
        source="rdap",
        registrar="MarkMonitor Inc.",
        created="1997-09-15",
        expires="2028-09-14",
        nameservers=["ns1.google.com", "ns2.google.com"],
    )


def test_parse_rdap_missing_pieces():
    obj = rdap_domain("acme.com")
    del obj["entities"]
    obj["nameservers"] = [{"objectClassName": "nameserver", "ldhName": "NS1.ACME.COM."}, {"ldhName": ""}, "junk"]
    obj["events"] = [
        {"eventAction": "expiration", "eventDate": "2030-01-31T23:59:59+03:00"},
        {"eventAction": "registration"},
    ]
    reg = parse_rdap(obj)
    assert reg.status == "ok" and reg.registrar is None and reg.created is None
    assert reg.expires == "2030-01-31" and reg.nameservers == ["ns1.acme.com"]


def test_parse_rdap_registrar_fallbacks_to_handle_and_public_ids():
    obj = rdap_domain("acme.com")
    ent = obj["entities"][0]
    ent["vcardArray"] = ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", ""]]]
    assert parse_rdap(obj).registrar == "292"
    del ent["handle"]
    assert parse_rdap(obj).registrar == "IANA Registrar ID 292"
    # a registrar nested under another entity is still found
    nested = {
        "events": [],
        "entities": [
            {
                "roles": ["registrant"],
                "entities": [{"roles": ["Registrar"], "vcardArray": ["vcard", [["fn", {}, "text", "Nested Reg"]]]}],
            }
        ],
    }
    assert parse_rdap(nested).registrar == "Nested Reg"


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        "text",
        {},
        {"events": "x", "entities": 5, "nameservers": {"a": 1}},
        {"events": [{"eventAction": "registration", "eventDate": "yesterday"}]},
        {"entities": [{"roles": "registrar", "vcardArray": ["vcard", "x"]}]},
        {"vcardArray": [["fn"]], "events": [None, 1, {"eventAction": 3}]},
    ],
)
def test_parse_rdap_never_raises_on_odd_input(data):
    reg = parse_rdap(data)
    assert reg.status == "unavailable" and reg.source == "rdap" and reg.note


def test_parse_rdap_error_object_is_unavailable():
    reg = parse_rdap({"errorCode": 404, "title": "Not Found", "description": ["nothing here"]})
    assert reg.status == "unavailable" and "404" in reg.note and "Not Found" in reg.note


# --------------------------------------------------------------------------- WHOIS parsing

# whois.trabis.gov.tr's answer for google.tr, 2025 (from a public test fixture).
TRABIS_GOOGLE_TR = """** Domain Name: google.tr
Domain Status: Active
Frozen Status: -
Transfer Status: The domain is LOCKED to transfer. 

** Registrant:
   Google LLC
   Hidden upon user request
   Hidden upon user request
   Hidden upon user request
   Hidden upon user request


** Registrar:
NIC Handle\t\t: ogv40
Organization Name\t: ODTÜ GELİŞTİRME VAKFI BİLGİ TEKNOLOJİLERİ SAN. VE TİC. A.Ş.
Address\t\t\t: Mustafa Kemal Mahallesi Dumlupınar Bulvarı
\t  No:280G/1104 Çankaya
\t  06800 Ankara Türkiye
Phone\t\t\t: 90-312-9881106-
Fax\t\t\t: - 


** Domain Servers:
ns1.googledomains.com
ns2.googledomains.com
ns3.googledomains.com
ns4.googledomains.com


** Additional Info:
Created on..............: 2024-Aug-26.
Expires on..............: 2025-Aug-25.


** Whois Server:
Last Update Time: 2025-06-19T03:33:35+03:00
"""

# The METU-era layout (before TRABIS): contacts but no registrar section.
METU_OLD_TR = """** Domain Name: ornek.com.tr

** Administrative Contact:
NIC Handle\t\t: mih81-metu
Organization Name\t: Medyatel Iletisim Hizmetleri A.S.
Phone\t\t\t: + 216-216-2220707-


** Domain Servers:
ns1.dortdort.com
ns2.dortdort.com 185.1.2.3

** Additional Info:
Created on..............: 2016-Jul-28.
Expires on..............: 2019-Jul-27.
"""


def test_parse_whois_trabis_tr():
    reg = parse_whois(TRABIS_GOOGLE_TR, "tr")
    assert reg == Registration(
        status="ok",
        source="whois",
        registrar="ODTÜ GELİŞTİRME VAKFI BİLGİ TEKNOLOJİLERİ SAN. VE TİC. A.Ş.",
        created="2024-08-26",
        expires="2025-08-25",
        nameservers=[
            "ns1.googledomains.com",
            "ns2.googledomains.com",
            "ns3.googledomains.com",
            "ns4.googledomains.com",
        ],
    )


def test_parse_whois_old_tr_layout_takes_no_contact_for_the_registrar():
    reg = parse_whois(METU_OLD_TR, "tr")
    assert reg.status == "ok" and reg.registrar is None
    assert (reg.created, reg.expires) == ("2016-07-28", "2019-07-27")
    assert reg.nameservers == ["ns1.dortdort.com", "ns2.dortdort.com"]


def test_parse_whois_generated_trabis_text_round_trips():
    text = trabis_whois("firma.com.tr", registrar="İHS TELEKOM", created="2003-02-01", expires="2027-01-31")
    reg = parse_whois(text, "tr")
    assert (reg.registrar, reg.created, reg.expires) == ("İHS TELEKOM", "2003-02-01", "2027-01-31")
    assert reg.nameservers == ["ns1.firma.com.tr", "ns2.firma.com.tr"]


ICANN_STYLE = """   Domain Name: ACME.IO
   Registry Domain ID: 1234567-CoCCA
   Registrar WHOIS Server: whois.markmonitor.com
   Registrar URL: http://www.markmonitor.com
   Updated Date: 2024-05-01T09:10:11Z
   Creation Date: 2001-09-11T04:00:00Z
   Registry Expiry Date: 2031-09-10T04:00:00Z
   Registrar Registration Expiration Date: 2031-09-11T04:00:00Z
   Registrar: MarkMonitor Inc.
   Registrar IANA ID: 292
   Domain Status: clientTransferProhibited https://icann.org/epp#clientTransferProhibited
   Name Server: NS1.ACME.IO
   Name Server: NS2.ACME.IO
   DNSSEC: unsigned
   URL of the ICANN Whois Inaccuracy Complaint Form: https://www.icann.org/wicf/
>>> Last update of WHOIS database: 2026-11-27T10:00:00Z <<<

NOTICE: The data is provided for information purposes only; a record not found here may exist elsewhere.
"""

RU_STYLE = """% TCI Whois Service. Terms of use:
% https://tcinet.ru/documents/whois_ru_rf.pdf (in Russian)

domain:        YANDEX.RU
nserver:       ns1.yandex.ru.
nserver:       ns2.yandex.ru.
state:         REGISTERED, DELEGATED, VERIFIED
org:           YANDEX, LLC.
registrar:     RU-CENTER-RU
admin-contact: https://www.nic.ru/whois
created:       1997-09-23T09:45:07Z
paid-till:     2026-09-30T21:00:00Z
free-date:     2026-11-01
source:        TCI
"""

IT_STYLE = """Domain:             acme.it
Status:             ok
Signed:             no
Created:            1999-12-10 00:00:00
Last Update:        2025-05-12 00:52:45
Expire Date:        2026-04-21

Registrant
  Organization:     Acme S.p.A.

Registrar
  Organization:     Register S.p.A.
  Name:             REGISTER-REG
  Web:              https://www.register.it

Nameservers
  dns1.register.it
  dns2.register.it
"""

EU_STYLE = """% The WHOIS service offered by EURid ...

Domain: acme.eu
Script: LATIN

Registrant:
        NOT DISCLOSED!

Registrar:
        Name: Gandi SAS
        Website: www.gandi.net

Name servers:
        ns1.acme.eu (192.0.2.1)
        ns1.acme.eu (2001:db8::1)
        ns2.example.net

Please visit www.eurid.eu for more info.
"""

DK_STYLE = """# Hello 192.0.2.10. Your session has been logged.
Domain:               acme.dk
DNS:                  acme.dk
Registered:           1998-01-19
Expires:              2027-03-31
Registration period:  5 years
Status:               Active

Nameservers
Hostname:             ns1.acme.dk
Hostname:             ns2.acme.dk
"""

DENIC_STYLE = """Domain: acme.de
Nserver: ns1.acme.de
Nserver: ns2.acme.de 192.0.2.53
Status: connect
Changed: 2024-03-12T21:44:25+01:00
"""

PT_STYLE = """Domain: acme.pt
Domain Status: Registered
Creation Date: 31/01/1998 00:00:00
Expiration Date: 28/02/2027 23:59:00
Owner Name: Acme Lda
Name Server: ns1.acme.pt | IPv4:  and IPv6:
Name Server: ns2.acme.pt | IPv4: 192.0.2.2 and IPv6:
"""

AT_STYLE = """domain:         acme.at
registrar:      World4You Internet Services GmbH ( https://nic.at/registrar/434 )
nserver:        ns1.acme.at
remarks:        192.0.2.1
nserver:        ns2.acme.at
changed:        20101210 12:35:26
source:         AT-DOM
"""

CH_STYLE = """Domain name:
acme.ch

Registrar:
Swizzonic AG

First registration date:
25.03.1996

DNSSEC:N

Name servers:
ns1.acme.ch
ns2.acme.ch\t[192.0.2.5]
"""


@pytest.mark.parametrize(
    "text,tld,expected",
    [
        (ICANN_STYLE, "io", ("MarkMonitor Inc.", "2001-09-11", "2031-09-10", ["ns1.acme.io", "ns2.acme.io"])),
        (RU_STYLE, "ru", ("RU-CENTER-RU", "1997-09-23", "2026-09-30", ["ns1.yandex.ru", "ns2.yandex.ru"])),
        (IT_STYLE, "it", ("Register S.p.A.", "1999-12-10", "2026-04-21", ["dns1.register.it", "dns2.register.it"])),
        (EU_STYLE, "eu", ("Gandi SAS", None, None, ["ns1.acme.eu", "ns2.example.net"])),
        (DK_STYLE, "dk", (None, "1998-01-19", "2027-03-31", ["ns1.acme.dk", "ns2.acme.dk"])),
        (DENIC_STYLE, "de", (None, None, None, ["ns1.acme.de", "ns2.acme.de"])),
        (PT_STYLE, "pt", (None, "1998-01-31", "2027-02-28", ["ns1.acme.pt", "ns2.acme.pt"])),
        (AT_STYLE, "at", ("World4You Internet Services GmbH", None, None, ["ns1.acme.at", "ns2.acme.at"])),
        (CH_STYLE, "ch", ("Swizzonic AG", "1996-03-25", None, ["ns1.acme.ch", "ns2.acme.ch"])),
    ],
)
def test_parse_whois_generic_formats(text, tld, expected):
    reg = parse_whois(text, tld)
    assert reg.status == "ok" and reg.source == "whois" and reg.note is None
    assert (reg.registrar, reg.created, reg.expires, reg.nameservers) == expected


@pytest.mark.parametrize(
    "value,iso",
    [
        ("2001-Sep-11.", "2001-09-11"),
        ("2001-09-11", "2001-09-11"),
        ("2001-09-11T04:00:00Z", "2001-09-11"),
        ("2001-09-11 04:00:00 (GMT+0:00)", "2001-09-11"),
        ("11.09.2001", "2001-09-11"),
        ("11.09.2001 16:21:00", "2001-09-11"),
        ("11-Sep-2001", "2001-09-11"),
        ("11-september-2001", "2001-09-11"),
        ("11/09/2001", "2001-09-11"),
        ("2001/09/11", "2001-09-11"),
        ("20010911", "2001-09-11"),
        ("11 Sep 2001", "2001-09-11"),
        ("Tue Sep 11 04:00:00 GMT 2001", "2001-09-11"),
        ("Before 2001", None),
        ("2001-02-30", None),
        ("", None),
    ],
)
def test_whois_date_formats(value, iso):
    assert whois_date(value) == iso


@pytest.mark.parametrize(
    "text,note",
    [
        ("No match found for yok.com.tr\n", "not found in the registry"),
        ('domain "yok.se" not found.\n', "not found in the registry"),
        ("%ERROR:101: no entries found\n", "not found in the registry"),
        ("Domain: yok.de\nStatus: free\n", "not found in the registry"),
        ("", "empty WHOIS answer"),
        ("Welcome.\nPlease come again.\n", "no registration data in the WHOIS answer"),
    ],
)
def test_parse_whois_nothing_useful_is_unavailable(text, note):
    reg = parse_whois(text, "tr")
    assert reg.status == "unavailable" and reg.source == "whois" and reg.note == note


def test_parse_whois_quota_and_refusal():
    reg = parse_whois("55000000002 Connection refused; access control limit exceeded\n", "de")
    assert reg.status == "unavailable" and reg.note.startswith("quota exceeded")
    reg = parse_whois(
        "Requests of this client are not permitted. Please use https://www.nic.ch/whois/ for queries.\n", "ch"
    )
    assert reg.status == "unavailable" and "does not answer queries from this client" in reg.note


def test_parse_whois_never_raises():
    for text in (None, 5, "\x00\x01", ":\n::\n** :\n[]\n", "a" * 100000):
        reg = parse_whois(text, "tr")  # type: ignore[arg-type]
        assert isinstance(reg, Registration)


def test_whois_server_table():
    assert whois_server("tr") == "whois.trabis.gov.tr"
    assert whois_server("com.tr") == "whois.trabis.gov.tr"
    assert whois_server("TR.") == "whois.trabis.gov.tr"
    assert whois_server("gr") is None  # no port-43 service
    assert whois_server("tr", servers={"tr": "whois.example.test"}) == "whois.example.test"
    assert whois_query("acme.de", "whois.denic.de") == "-T dn,ace acme.de"
    assert whois_query("acme.com.tr", "whois.trabis.gov.tr") == "acme.com.tr"


def test_whois_table_only_has_tlds_without_rdap():
    table = json.loads(resources.files("hunter_cli.data").joinpath("whois_servers.json").read_text("utf-8"))
    assert table["tr"] == "whois.trabis.gov.tr"
    assert [tld for tld in table if tld in BOOT] == []


def test_split_host_port():
    assert split_host_port("127.0.0.1:4343") == ("127.0.0.1", 4343)
    assert split_host_port("whois.example.test") == ("whois.example.test", 43)
    assert split_host_port("[::1]:4343") == ("::1", 4343)
    assert split_host_port("::1") == ("::1", 43)
    with pytest.raises(ValueError):
        split_host_port("host:abc")


# --------------------------------------------------------------------------- lookup() over sockets


@pytest.fixture(scope="module")
def _servers():
    rdap = RdapServer(
        {
            "acme.com": rdap_domain(
                "acme.com",
                registrar="GoDaddy.com, LLC",
                iana_id="146",
                created="2003-05-20",
                expires="2031-05-20",
                nameservers=["NS51.DOMAINCONTROL.COM", "ns52.domaincontrol.com"],
            ),
            "gecmis.com": rdap_domain("gecmis.com", created="2010-01-15", expires="2019-01-15"),
        }
    )
    whois = WhoisServer(
        {
            "firma.com.tr": trabis_whois("firma.com.tr"),
            "eski.com.tr": trabis_whois("eski.com.tr", created="2005-03-01", expires="2018-02-28"),
            "turkce.com.tr": trabis_whois("turkce.com.tr", registrar="İHS TELEKOMÜNİKASYON A.Ş.").encode("cp1254"),
            "acme.de": DENIC_STYLE,
        }
    )
    with rdap, whois:
        yield rdap, whois


@pytest.fixture
def servers(_servers):
    rdap, whois = _servers
    for s in (rdap, whois):
        s.clear_faults()
        s.reset_log()
    yield rdap, whois
    for s in (rdap, whois):
        s.clear_faults()


def run_lookup(
    domain: str, rdap: RdapServer, whois: WhoisServer, *, timeout: float = 3, transport=None
) -> Registration:
    async def go():
        async with httpx.AsyncClient(trust_env=False, transport=transport) as client:
            return await lookup(
                domain, http=client, bootstrap=BOOT, rdap_url=rdap.base_url, whois_host=whois.host_port, timeout=timeout
            )

    return asyncio.run(go())


def test_lookup_com_over_rdap(servers):
    rdap, whois = servers
    reg = run_lookup("acme.com", rdap, whois)
    assert (reg.status, reg.source, reg.registrar) == ("ok", "rdap", "GoDaddy.com, LLC")
    assert (reg.created, reg.expires) == ("2003-05-20", "2031-05-20")
    assert reg.nameservers == ["ns51.domaincontrol.com", "ns52.domaincontrol.com"]
    assert reg.fetched_at and reg.fetched_at.endswith("+00:00")
    assert rdap.count("acme.com") == 1 and whois.count() == 0
    path, headers = rdap.requests[0]
    assert path == "/domain/acme.com" and headers["accept"] == "application/rdap+json"


def test_lookup_com_tr_over_whois(servers):
    rdap, whois = servers
    reg = run_lookup("firma.com.tr", rdap, whois)
    assert (reg.status, reg.source) == ("ok", "whois")
    assert reg.registrar == "ODTÜ GELİŞTİRME VAKFI BİLGİ TEKNOLOJİLERİ SAN. VE TİC. A.Ş."
    assert (reg.created, reg.expires) == ("2001-09-11", "2026-09-10")
    assert reg.nameservers == ["ns1.firma.com.tr", "ns2.firma.com.tr"]
    assert reg.fetched_at
    assert whois.queries == ["firma.com.tr"] and rdap.count() == 0


def test_lookup_whois_answer_in_windows_1254(servers):
    rdap, whois = servers
    reg = run_lookup("turkce.com.tr", rdap, whois)
    assert reg.registrar == "İHS TELEKOMÜNİKASYON A.Ş."


def test_lookup_denic_gets_its_query_format(servers):
    rdap, whois = servers
    reg = run_lookup("acme.de", rdap, whois)
    assert reg.status == "ok" and reg.nameservers == ["ns1.acme.de", "ns2.acme.de"]
    assert whois.queries == ["-T dn,ace acme.de"]


@pytest.mark.parametrize("domain,expires", [("gecmis.com", "2019-01-15"), ("eski.com.tr", "2018-02-28")])
def test_lookup_expired_domain_still_parses(servers, domain, expires):
    rdap, whois = servers
    reg = run_lookup(domain, rdap, whois)
    assert reg.status == "ok" and reg.expires == expires and reg.note is None


def test_lookup_rdap_404_is_unavailable(servers):
    rdap, whois = servers
    reg = run_lookup("yok.com", rdap, whois)
    assert (reg.status, reg.source, reg.note) == ("unavailable", "rdap", "not found in the registry")
    assert reg.fetched_at


def test_lookup_whois_no_match_is_unavailable(servers):
    rdap, whois = servers
    reg = run_lookup("yok.com.tr", rdap, whois)
    assert (reg.status, reg.source, reg.note) == ("unavailable", "whois", "not found in the registry")


def test_lookup_rdap_500_is_a_failure(servers):
    rdap, whois = servers
    rdap.faults["acme.com"] = "500"
    with pytest.raises(RegistrationFailure) as exc:
        run_lookup("acme.com", rdap, whois)
    assert exc.value.kind == "server-error" and "500" in exc.value.message


def test_lookup_rdap_429_is_a_failure(servers):
    rdap, whois = servers
    rdap.faults["acme.com"] = ("429", 30)
    with pytest.raises(RegistrationFailure) as exc:
        run_lookup("acme.com", rdap, whois)
    assert exc.value.kind == "rate-limited" and "30" in exc.value.message


def test_lookup_rdap_transient_answers_are_asked_again(servers, retries):
    rdap, whois = servers
    rdap.faults["acme.com"] = ("503", None, 1)
    rdap.faults["gecmis.com"] = ("429", 2, 1)
    assert run_lookup("acme.com", rdap, whois).registrar == "GoDaddy.com, LLC"
    assert run_lookup("gecmis.com", rdap, whois).expires == "2019-01-15"
    assert rdap.count("acme.com") == 2 and rdap.count("gecmis.com") == 2
    assert retries == [("the RDAP server", 503, None), ("the RDAP server", 429, 2.0)]


def test_lookup_rdap_tries_are_bounded(servers):
    rdap, whois = servers
    rdap.faults["acme.com"] = ("503", None, 99)
    with pytest.raises(RegistrationFailure) as exc:
        run_lookup("acme.com", rdap, whois)
    assert exc.value.kind == "server-error" and "HTTP 503 after 3 tries" in exc.value.message
    assert rdap.count("acme.com") == 3


def test_lookup_rdap_long_retry_after_and_client_errors_are_not_retried(servers):
    rdap, whois = servers
    rdap.faults["acme.com"] = ("429", 30)  # longer than the 10 s RDAP honours: fail now, ask next run
    with pytest.raises(RegistrationFailure):
        run_lookup("acme.com", rdap, whois)
    assert rdap.count("acme.com") == 1
    reg = run_lookup("yok.com", rdap, whois)  # a 404 is an answer: final
    assert reg.status == "unavailable" and rdap.count("yok.com") == 1


def test_lookup_rdap_timeout_is_a_failure(servers):
    rdap, whois = servers
    rdap.faults["acme.com"] = ("slow", 2.0)
    with pytest.raises(RegistrationFailure) as exc:
        run_lookup("acme.com", rdap, whois, timeout=0.3)
    assert exc.value.kind == "timeout"


def test_lookup_whois_timeout_is_a_failure(servers):
    rdap, whois = servers
    whois.faults["firma.com.tr"] = ("slow", 2.0)
    with pytest.raises(RegistrationFailure) as exc:
        run_lookup("firma.com.tr", rdap, whois, timeout=0.3)
    assert exc.value.kind == "timeout"


def test_lookup_whois_closed_without_answer_is_a_failure(servers):
    rdap, whois = servers
    whois.faults["firma.com.tr"] = "close"
    with pytest.raises(RegistrationFailure) as exc:
        run_lookup("firma.com.tr", rdap, whois)
    assert exc.value.kind == "empty-answer"


def test_lookup_whois_quota_is_a_failure(servers):
    rdap, whois = servers
    whois.records["kota.com.tr"] = "Query limit exceeded, please try again later.\n"
    with pytest.raises(RegistrationFailure) as exc:
        run_lookup("kota.com.tr", rdap, whois)
    assert exc.value.kind == "rate-limited"


def test_lookup_whois_unreachable_is_a_failure(servers):
    rdap, _ = servers
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    async def go():
        async with httpx.AsyncClient(trust_env=False) as client:
            return await lookup("firma.com.tr", http=client, bootstrap=BOOT, whois_host=f"127.0.0.1:{port}", timeout=2)

    with pytest.raises(RegistrationFailure) as exc:
        asyncio.run(go())
    assert exc.value.kind == "unreachable"


def test_lookup_tld_with_neither_makes_no_network_call(servers):
    rdap, whois = servers

    def refuse(request):
        raise AssertionError(f"unexpected HTTP request to {request.url}")

    reg = run_lookup("acme.gr", rdap, whois, transport=httpx.MockTransport(refuse))
    assert reg.status == "unavailable" and reg.source is None
    assert reg.note == "no RDAP or WHOIS service known for .gr"
    assert reg.fetched_at
    assert rdap.count() == 0 and whois.count() == 0


def test_lookup_rdap_connection_closed_or_refused_is_a_failure(servers):
    rdap, whois = servers
    rdap.faults["acme.com"] = "close"
    with pytest.raises(RegistrationFailure) as exc:
        run_lookup("acme.com", rdap, whois)
    assert exc.value.kind in ("protocol", "unreachable")

    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    async def go():
        async with httpx.AsyncClient(trust_env=False) as client:
            return await lookup(
                "acme.com", http=client, bootstrap=BOOT, rdap_url=f"http://127.0.0.1:{port}/", timeout=2
            )

    with pytest.raises(RegistrationFailure) as exc:
        asyncio.run(go())
    assert exc.value.kind == "unreachable"


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now: every connection is refused
    return port


def test_a_registry_that_reaches_nothing_is_skipped_fast_then_probed():
    """trial12 E7: offline, every WHOIS lookup failed one by one (36 s of a 330-domain scan). After
    OUTAGE_LOOKUPS refused connections in a row the service counts as down: the next lookups fail at
    once, "not asked", as tenant lookups do (docs/tenant.md), until a probe reaches it."""
    from hunter_cli.registration import lookup as lookup_mod

    port = _closed_port()

    async def go() -> list[str]:
        reach = lookup_mod.Reach()
        said = []
        async with httpx.AsyncClient() as http:
            for i in range(lookup_mod.OUTAGE_LOOKUPS + 3):
                with pytest.raises(RegistrationFailure) as exc:
                    await lookup(f"f{i}.com.tr", http=http, whois_host=f"127.0.0.1:{port}", reach=reach)
                said.append(exc.value.message)
        return said

    said = asyncio.run(go())
    n = lookup_mod.OUTAGE_LOOKUPS
    assert all(m.startswith("WHOIS server 127.0.0.1:") for m in said[:n]), said
    assert all(m.startswith(f"not asked: 127.0.0.1:{port} reached nothing") for m in said[n:]), said


def test_a_registry_name_that_does_not_resolve_is_unreachable_and_resolved_once_per_run():
    from hunter_cli.registration import lookup as lookup_mod

    async def go():
        reach = lookup_mod.Reach()
        async with httpx.AsyncClient() as http:
            with pytest.raises(RegistrationFailure) as exc:
                await lookup("f.com.tr", http=http, whois_host="whois.nosuch.invalid", reach=reach)
            ok = await reach.addresses("127.0.0.1", 43, "WHOIS server")
            again = await reach.addresses("127.0.0.1", 43, "WHOIS server")
        return exc.value, ok, again, reach

    exc, ok, again, reach = asyncio.run(go())
    assert exc.kind == "unreachable" and "cannot resolve WHOIS server whois.nosuch.invalid" in exc.message
    assert ok == again and ok[0][:2] == ("127.0.0.1", 43) and len(reach._hosts) == 1  # the failure is not kept
