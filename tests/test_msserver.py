"""Tests for the in-repo Microsoft sign-in discovery test server (tests/msserver.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from msserver import MsLoginServer, Tenant

HERE = Path(__file__).resolve().parent

ACME_ID = "3f2a9c1e-6b7d-4e21-9a0c-5d8e7f6a1b2c"
FED_ID = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"
OKTA_ID = "0a1b2c3d-4e5f-4a6b-9c8d-7e6f5a4b3c2d"


def openid(domain: str) -> str:
    return f"/{domain}/v2.0/.well-known/openid-configuration"


def realm(domain: str, local: str = "someone") -> str:
    return f"/getuserrealm.srf?login={local}%40{domain}&json=1"


@pytest.fixture(scope="module")
def server():
    tenants = {
        "acme.com": Tenant(id=ACME_ID, brand="Acme Corp"),
        "fed.com.tr": Tenant(
            id=FED_ID, brand="Fed Holding", namespace="Federated", region="EU", auth_host="sts.fed.com.tr"
        ),
        "oktaco.com": Tenant(
            id=OKTA_ID, brand="OktaCo", namespace="Federated", region="NA", auth_host="oktaco.okta.com"
        ),
    }
    with MsLoginServer(tenants) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _clean(server):
    server.clear_faults()
    server.reset_log()
    yield
    server.clear_faults()


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server.base_url, timeout=2.0, headers={"User-Agent": "hunter-test/1.0"}) as c:
        yield c


# ---- openid-configuration ---------------------------------------------------


def test_openid_managed_tenant(client):
    r = client.get(openid("acme.com"))
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    assert int(r.headers["content-length"]) == len(r.content)
    doc = r.json()
    base = f"https://login.microsoftonline.com/{ACME_ID}"
    assert doc["issuer"] == f"{base}/v2.0"
    assert doc["token_endpoint"] == f"{base}/oauth2/v2.0/token"
    assert doc["authorization_endpoint"] == f"{base}/oauth2/v2.0/authorize"
    assert doc["jwks_uri"] == f"{base}/discovery/v2.0/keys"
    assert doc["kerberos_endpoint"] == f"{base}/kerberos"
    assert doc["tenant_region_scope"] == "EU"
    assert doc["cloud_instance_name"] == "microsoftonline.com"
    assert doc["cloud_graph_host_name"] == "graph.windows.net"
    assert doc["msgraph_host"] == "graph.microsoft.com"
    assert doc["request_uri_parameter_supported"] is False
    assert doc["http_logout_supported"] is True
    assert "tid" in doc["claims_supported"]
    # Same field order as the real document.
    assert list(doc)[:3] == ["token_endpoint", "token_endpoint_auth_methods_supported", "jwks_uri"]
    assert list(doc)[-5:] == [
        "tenant_region_scope",
        "cloud_instance_name",
        "cloud_graph_host_name",
        "msgraph_host",
        "rbac_url",
    ]


def test_openid_region_and_null_region(server, client):
    assert client.get(openid("oktaco.com")).json()["tenant_region_scope"] == "NA"
    server.tenants["noregion.com"] = Tenant(id=ACME_ID, brand="X", region=None)
    try:
        r = client.get(openid("noregion.com"))
        assert r.status_code == 200
        assert r.json()["tenant_region_scope"] is None
    finally:
        del server.tenants["noregion.com"]


def test_openid_no_tenant_is_invalid_tenant(client):
    r = client.get(openid("nowhere.example"))
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    err = r.json()
    assert list(err) == [
        "error",
        "error_description",
        "error_codes",
        "timestamp",
        "trace_id",
        "correlation_id",
        "error_uri",
    ]
    assert err["error"] == "invalid_tenant"
    assert err["error_codes"] == [90002]
    assert err["error_description"].startswith("AADSTS90002: Tenant 'nowhere.example' not found.")
    assert f"\r\nTrace ID: {err['trace_id']}\r\n" in err["error_description"]
    assert f"Correlation ID: {err['correlation_id']}" in err["error_description"]
    assert err["error_description"].endswith(f"Timestamp: {err['timestamp']}")
    assert err["error_uri"] == "https://login.microsoftonline.com/error?code=90002"
    assert len(err["trace_id"]) == 36


def test_tenants_are_mutable(server, client):
    assert client.get(openid("late.com")).status_code == 400
    server.tenants["Late.com"] = Tenant(id=FED_ID, brand="Late")
    try:
        assert client.get(openid("late.com")).json()["issuer"].endswith(f"/{FED_ID}/v2.0")
        server.tenants["late.com"].id = ACME_ID  # in-place edits are picked up too
        assert client.get(openid("late.com")).json()["issuer"].endswith(f"/{ACME_ID}/v2.0")
    finally:
        del server.tenants["late.com"]
    assert client.get(openid("late.com")).status_code == 400


# ---- getuserrealm.srf -----------------------------------------------------------


def test_realm_managed(client):
    r = client.get(realm("acme.com"))
    assert r.status_code == 200
    assert r.json() == {
        "State": 4,
        "UserState": 1,
        "Login": "someone@acme.com",
        "NameSpaceType": "Managed",
        "DomainName": "acme.com",
        "FederationBrandName": "Acme Corp",
        "CloudInstanceName": "microsoftonline.com",
        "CloudInstanceIssuerUri": "urn:federation:MicrosoftOnline",
    }


def test_realm_federated_adfs(client):
    r = client.get("/getuserrealm.srf", params={"login": "jane.doe@fed.com.tr", "json": "1"})
    body = r.json()
    assert r.status_code == 200
    assert body["NameSpaceType"] == "Federated"
    assert (body["State"], body["UserState"], body["FederationGlobalVersion"]) == (3, 2, -1)
    assert body["DomainName"] == "fed.com.tr"
    assert body["FederationBrandName"] == "Fed Holding"
    assert body["AuthURL"] == (
        "https://sts.fed.com.tr/adfs/ls/?username=jane.doe%40fed.com.tr"
        "&wa=wsignin1.0&wtrealm=urn%3afederation%3aMicrosoftOnline&wctx="
    )
    assert httpx.URL(body["AuthURL"]).host == "sts.fed.com.tr"


def test_realm_federated_okta(client):
    body = client.get(realm("oktaco.com")).json()
    assert body["NameSpaceType"] == "Federated"
    assert httpx.URL(body["AuthURL"]).host == "oktaco.okta.com"


def test_realm_unknown(client):
    r = client.get(realm("nowhere.example"))
    assert r.status_code == 200
    assert r.json() == {"State": 4, "UserState": 1, "Login": "someone@nowhere.example", "NameSpaceType": "Unknown"}


def test_realm_any_local_part_and_raw_at(client):
    assert client.get("/getuserrealm.srf?login=x@acme.com&json=1").json()["NameSpaceType"] == "Managed"
    assert client.get(realm("acme.com", "info.sales")).json()["Login"] == "info.sales@acme.com"


def test_case_insensitive_domains(server, client):
    assert client.get(openid("ACME.Com")).status_code == 200
    assert client.get(realm("AcMe.CoM")).json()["NameSpaceType"] == "Managed"
    assert server.count("openid", "acme.com") == 1
    assert server.count("realm", "ACME.COM") == 1


def test_unknown_path_is_404_json(client):
    r = client.get("/acme.com/.well-known/nope")
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"


# ---- request log ----------------------------------------------------------


def test_request_log_and_count(server, client):
    client.get(openid("acme.com"))
    client.get(openid("nowhere.example"))
    client.get(realm("acme.com"))
    client.get(realm("acme.com", "other"))
    assert server.requests == [
        ("openid", "acme.com"),
        ("openid", "nowhere.example"),
        ("realm", "acme.com"),
        ("realm", "acme.com"),
    ]
    assert server.count() == 4
    assert server.count("openid") == 2
    assert server.count("realm", "acme.com") == 2
    assert server.count(domain="nowhere.example") == 1
    assert server.user_agents == ["hunter-test/1.0"] * 4
    server.reset_log()
    assert server.count() == 0 and server.user_agents == [] and server.connections == 0


def test_keep_alive_reuses_one_connection(server, client):
    for _ in range(5):
        assert client.get(openid("acme.com")).status_code == 200
        assert client.get(realm("nowhere.example")).status_code == 200
    assert client.get(openid("nowhere.example")).status_code == 400  # errors keep it too
    assert client.get(openid("acme.com")).status_code == 200
    assert server.connections == 1
    assert server.count() == 12


def test_concurrent_clients(server):
    errors = []

    def worker():
        try:
            with httpx.Client(base_url=server.base_url, timeout=2.0) as c:
                for _ in range(20):
                    assert c.get(realm("acme.com")).status_code == 200
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert server.count("realm") == 80
    assert server.connections == 4


# ---- faults -----------------------------------------------------------------


def test_429_with_retry_after_then_success(server, client):
    server.faults["acme.com"] = ("429", 7, 2)
    for _ in range(2):
        r = client.get(openid("acme.com"))
        assert r.status_code == 429
        assert r.headers["retry-after"] == "7"
        assert r.json()["error"]
        assert int(r.headers["content-length"]) == len(r.content)
    # The domain key covers both endpoints and shares one counter: exhausted now.
    assert client.get(realm("acme.com")).json()["NameSpaceType"] == "Managed"
    assert client.get(openid("acme.com")).status_code == 200
    assert server.count("openid", "acme.com") == 3
    assert server.connections == 1  # fault answers keep the connection alive


def test_setting_fault_again_rearms(server, client):
    server.faults["acme.com"] = ("429", 1, 1)
    assert client.get(openid("acme.com")).status_code == 429
    assert client.get(openid("acme.com")).status_code == 200
    server.faults["acme.com"] = ("429", 1, 1)
    assert client.get(openid("acme.com")).status_code == 429
    assert client.get(openid("acme.com")).status_code == 200


def test_503_and_500(server, client):
    server.faults["acme.com"] = ("503", 3, 1)
    r = client.get(realm("acme.com"))
    assert r.status_code == 503 and r.headers["retry-after"] == "3"
    assert client.get(realm("acme.com")).status_code == 200

    server.faults["nowhere.example"] = ("500", 2)
    assert client.get(openid("nowhere.example")).status_code == 500
    r = client.get(realm("nowhere.example"))
    assert r.status_code == 500 and "retry-after" not in r.headers
    assert client.get(openid("nowhere.example")).status_code == 400


def test_endpoint_specific_fault_wins(server, client):
    server.faults["acme.com"] = ("500", 10)
    server.faults[("acme.com", "realm")] = ("429", 1, 1)
    assert client.get(realm("acme.com")).status_code == 429
    assert client.get(realm("acme.com")).status_code == 200  # the realm key decided
    assert client.get(openid("acme.com")).status_code == 500


def test_slow(server, client):
    server.faults[("acme.com", "openid")] = ("slow", 0.3)
    t0 = time.monotonic()
    assert client.get(openid("acme.com")).status_code == 200
    assert time.monotonic() - t0 >= 0.3
    t0 = time.monotonic()
    assert client.get(realm("acme.com")).status_code == 200  # other endpoint unaffected
    assert time.monotonic() - t0 < 0.25
    with pytest.raises(httpx.ReadTimeout):
        client.get(openid("acme.com"), timeout=0.1)


def test_reset(server, client):
    server.faults["acme.com"] = "reset"
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.get(openid("acme.com"))
    assert server.count("openid", "acme.com") == 1
    del server.faults["acme.com"]
    assert client.get(openid("acme.com")).status_code == 200  # client reconnects
    assert server.connections == 2


def test_reset_limited_times(server, client):
    server.faults[("acme.com", "realm")] = ("reset", 1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.get(realm("acme.com"))
    assert client.get(realm("acme.com")).status_code == 200


# ---- subprocess mode ----------------------------------------------------------


def test_subprocess_mode(tmp_path):
    tenants = tmp_path / "tenants.json"
    tenants.write_text(
        json.dumps(
            {
                "acme.com": {"id": ACME_ID, "brand": "Acme Corp"},
                "fed.com.tr": {"id": FED_ID, "brand": "Fed", "namespace": "Federated", "auth_host": "sts.fed.com.tr"},
            }
        )
    )
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "msserver.py"), "--tenants-file", str(tenants), "--no-log"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("READY http://127.0.0.1:")
        base = line.split(" ", 1)[1]
        with httpx.Client(base_url=base, timeout=2.0) as c:
            assert c.get(openid("acme.com")).json()["issuer"].endswith(f"/{ACME_ID}/v2.0")
            assert c.get(openid("nowhere.example")).status_code == 400
            body = c.get(realm("fed.com.tr")).json()
            assert httpx.URL(body["AuthURL"]).host == "sts.fed.com.tr"
    finally:
        proc.terminate()
        assert proc.wait(timeout=5) == 0


def test_bad_fault_rejected_when_set(server):
    for bad in (("429", 2), ("slow",), "boom", ("404", 1)):
        with pytest.raises((ValueError, TypeError)):
            server.faults["acme.com"] = bad
    assert "acme.com" not in server.faults


def test_stop_with_idle_keep_alive_connection():
    srv = MsLoginServer({"acme.com": Tenant(id=ACME_ID, brand="Acme")}).start()
    c = httpx.Client(base_url=srv.base_url, timeout=2.0)
    assert c.get(openid("acme.com")).status_code == 200
    t0 = time.monotonic()
    srv.stop()
    assert time.monotonic() - t0 < 1.5
    with pytest.raises(httpx.TransportError):
        c.get(openid("acme.com"))
    c.close()
