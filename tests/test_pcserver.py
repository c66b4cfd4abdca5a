"""Tests for the Partner Center Referrals API stand-in (tests/pcserver.py), the referral
fixtures (tests/data/referrals) and the offline Entra ID authority for MSAL (tests/fake_authority.py)."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta

import httpx
import msal
import pytest
from fake_authority import DEVICE_CODE_GRANT, PC_SCOPE, FakeAuthority, HttpxForMsal, jwt_claims
from pcserver import (
    COLLECTION_PATH,
    DATA_DIR,
    EXPECTED_DOMAINS,
    MALFORMED_FILES,
    PartnerCenterServer,
    load_referrals,
    odata_datetime,
    parse_datetime,
)

TOKEN = "at-test"


# ---------------------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def _server():
    with PartnerCenterServer(page_size=5) as srv:
        yield srv


@pytest.fixture
def pc(_server):
    """The shared server, reset: all fixture referrals, one valid token, no faults, empty log."""
    _server.reset()
    _server.referrals[:] = load_referrals()
    _server.valid_tokens.clear()
    _server.valid_tokens.add(TOKEN)
    _server.page_size = 5
    yield _server
    _server.reset()


@pytest.fixture
def client(pc):
    with httpx.Client(base_url=pc.base_url, timeout=5.0) as c:
        yield c


def get(client, url=COLLECTION_PATH, params=None, token=TOKEN, **headers):
    h = {"Accept": "application/json", "client-request-id": str(uuid.uuid4()), **headers}
    if token is not None:
        h["Authorization"] = f"Bearer {token}"
    return client.get(url, params=params, headers=h)


def sync_all(client, params=None, token=TOKEN) -> tuple[list, list[httpx.Response]]:
    """Follow @odata.nextLink to the end, like Hunter's sync."""
    items, responses, url = [], [], COLLECTION_PATH
    while url:
        r = get(client, url, params=params, token=token)
        assert r.status_code == 200, r.text
        responses.append(r)
        body = r.json()
        items.extend(body["value"])
        url, params = body.get("@odata.nextLink"), None
    return items, responses


def ids(items) -> list:
    return [i.get("id") if isinstance(i, dict) else None for i in items]


# ---------------------------------------------------------------------------------------
# the referral fixtures
# ---------------------------------------------------------------------------------------
def test_fixture_files_cover_the_cases():
    files = sorted(p.name for p in DATA_DIR.glob("*.json"))
    assert len(files) == 14 and set(MALFORMED_FILES) <= set(files)
    valid = load_referrals(valid_only=True)
    assert len(valid) == 12
    assert ids(valid) == list(EXPECTED_DOMAINS) and len(set(ids(valid))) == 12
    for item in valid:
        for key in (
            "id",
            "engagementId",
            "name",
            "organizationId",
            "organizationName",
            "createdDateTime",
            "updatedDateTime",
            "status",
            "substatus",
            "qualification",
            "type",
            "direction",
            "customerProfile",
            "details",
            "team",
        ):
            assert key in item, (item["id"], key)
        assert isinstance(item["customerProfile"], dict)
        assert parse_datetime(item["updatedDateTime"]) is not None
        assert item["status"] in ("New", "Active", "Closed")
        assert item["type"] in ("Independent", "Shared") and item["direction"] in ("Incoming", "Outgoing")
    by_id = {i["id"]: i for i in valid}

    cosell = by_id["75a1f384-e6bc-416f-a9d8-343e5901b2f5"]
    assert cosell["type"] == "Shared" and cosell["customerProfile"]["team"][0]["email"] == "ayse.kaya@firma.com.tr"
    assert cosell["team"][0]["email"].endswith("@microsoft.com")
    assert cosell["inviteContext"]["invitedBy"]["organizationId"] == "msft"
    assert any(i["type"] == "Independent" and i["direction"] == "Outgoing" for i in valid)
    assert any(i["qualification"] == "MarketplaceLead" for i in valid)
    assert any(i["status"] == "Closed" and i["substatus"] == "Lost" for i in valid)
    assert {i["details"]["currency"] for i in valid} >= {"USD", "EUR", "TRY"}
    freemail = by_id["aac9627e-be8b-41c3-9f17-3775daab060e"]
    assert all(c["email"].endswith(("@gmail.com", "@hotmail.com")) for c in freemail["customerProfile"]["team"])
    assert "google-tenant.com.tr" in freemail["customerProfile"]["website"]
    unlinked = [i for i, d in EXPECTED_DOMAINS.items() if d is None]
    assert unlinked == ["622f9bd7-84f2-42e8-81ef-691049758310"]
    assert "google-tenant" not in json.dumps(by_id[unlinked[0]]["customerProfile"])
    stamps = sorted(parse_datetime(i["updatedDateTime"]) for i in valid)
    assert stamps[-1] - stamps[0] > timedelta(weeks=8) and len(set(stamps)) == 12
    assert set(EXPECTED_DOMAINS.values()) == {
        "firma.com.tr",
        "gmailer.de",
        "google-tenant.com.tr",
        "m365-zayif.com.tr",
        "yeni-firma.com.tr",
        None,
    }

    malformed = {p: json.loads((DATA_DIR / p).read_text("utf-8")) for p in MALFORMED_FILES}
    assert "id" not in malformed["13-malformed-no-id.json"]
    assert isinstance(malformed["14-malformed-customerprofile-string.json"]["customerProfile"], str)


def test_datetime_helpers():
    a = parse_datetime("2026-10-06T11:42:07.1830215Z")
    assert a.isoformat() == "2026-10-06T11:42:07.183021+00:00"
    assert parse_datetime("2026-10-06T14:42:07.1830215+03:00") == a
    assert parse_datetime("2026-10-06") == parse_datetime("2026-10-06T00:00:00Z")
    assert parse_datetime("yesterday") is None and parse_datetime(None) is None
    assert odata_datetime(a) == "2026-10-06T11:42:07.1830210Z"


# ---------------------------------------------------------------------------------------
# the collection: paging, filter, order
# ---------------------------------------------------------------------------------------
def test_paging_follows_next_link_to_the_end(pc, client):
    items, responses = sync_all(client)
    assert ids(items) == ids(load_referrals())  # all 14, in list order, malformed ones included
    assert [len(r.json()["value"]) for r in responses] == [5, 5, 4]
    first = responses[0].json()
    assert first["@odata.context"] == f"{pc.base_url}/v1.0/$metadata#Referrals"
    assert first["@odata.count"] == 14
    assert first["@odata.nextLink"].startswith(pc.base_url + COLLECTION_PATH + "?$skiptoken=")
    assert "@odata.nextLink" not in responses[-1].json()
    assert responses[0].headers["content-type"].startswith("application/json")
    assert pc.count() == 3 and [r["status"] for r in pc.requests] == [200, 200, 200]
    assert set(pc.requests[1]["query"]) == {"$skiptoken"}


def test_top_sets_the_page_size(pc, client):
    _, responses = sync_all(client, params={"$top": "4"})
    assert [len(r.json()["value"]) for r in responses] == [4, 4, 4, 2]
    pc.page_size = 20
    _, responses = sync_all(client)
    assert len(responses) == 1


def test_filter_on_updated_datetime(pc, client):
    pivot = "2026-10-13T08:45:12.0000000Z"  # item 05's updatedDateTime
    want_gt = [i.get("id") for i in load_referrals() if parse_datetime(i["updatedDateTime"]) > parse_datetime(pivot)]
    items, _ = sync_all(client, params={"$filter": f"updatedDateTime gt {pivot}"})
    assert ids(items) == want_gt and len(want_gt) == 6
    assert "622f9bd7-84f2-42e8-81ef-691049758310" not in ids(items)
    ge, _ = sync_all(client, params={"$filter": f"updatedDateTime ge {pivot}"})
    assert set(ids(ge)) == set(ids(items)) | {"622f9bd7-84f2-42e8-81ef-691049758310"}
    # other spellings of the same instant: offset, quoted, fewer fraction digits
    for spelled in ("2026-10-13T11:45:12+03:00", "'2026-10-13T08:45:12Z'", "2026-10-13T08:45:12.000Z"):
        again, _ = sync_all(client, params={"$filter": f"updatedDateTime gt {spelled}"})
        assert ids(again) == ids(items), spelled
    assert pc.requests[0]["query"]["$filter"] == f"updatedDateTime gt {pivot}"


def test_orderby_and_filter_survive_paging(pc, client):
    params = {"$filter": "updatedDateTime ge 2026-09-10T00:00:00Z", "$orderby": "updatedDateTime desc"}
    items, responses = sync_all(client, params=params)
    stamps = [parse_datetime(i["updatedDateTime"]) for i in items]
    assert stamps == sorted(stamps, reverse=True) and len(responses) == 3
    assert min(stamps) >= parse_datetime("2026-09-10T00:00:00Z")
    asc, _ = sync_all(client, params={"$orderby": "updatedDateTime asc"})
    assert [i.get("updatedDateTime") for i in asc] == sorted(i.get("updatedDateTime") for i in asc)


def test_other_filters_and_bad_filters(pc, client):
    closed, _ = sync_all(client, params={"$filter": "status eq 'Closed' and substatus eq 'lost'"})
    assert ids(closed) == ["fdb1d242-4f3e-4150-b24a-2ad522f7fe3f"]
    tr, _ = sync_all(client, params={"$filter": "customerProfile/address/country eq 'DE'"})
    assert set(ids(tr)) == {"b1d039c4-0cd1-454b-a583-ea5777ba0620", "99edb4b3-a149-4946-977f-1130725a5447"}
    for bad in ("updatedDateTime gt soon", "contains(name, 'x')", "updatedDateTime between 1 and 2"):
        r = get(client, params={"$filter": bad})
        assert r.status_code == 400 and r.json()["error"]["code"] == "invalidRequest", bad
    assert get(client, params={"$orderby": "updatedDateTime sideways"}).status_code == 400
    assert get(client, params={"$skiptoken": "garbage!"}).status_code == 400


def test_referrals_are_mutable_between_syncs(pc, client):
    first, _ = sync_all(client, params={"$orderby": "updatedDateTime asc"})
    watermark = max(parse_datetime(i["updatedDateTime"]) for i in first)
    mark = odata_datetime(watermark)
    assert sync_all(client, params={"$filter": f"updatedDateTime gt {mark}"})[0] == []
    new = dict(
        load_referrals()[0], id=str(uuid.uuid4()), updatedDateTime=odata_datetime(watermark + timedelta(hours=1))
    )
    pc.referrals.append(new)
    changed = pc.referrals[1]
    changed["status"], changed["updatedDateTime"] = "Closed", odata_datetime(watermark + timedelta(hours=2))
    delta, _ = sync_all(client, params={"$filter": f"updatedDateTime gt {mark}", "$orderby": "updatedDateTime asc"})
    assert ids(delta) == [new["id"], changed["id"]] and delta[1]["status"] == "Closed"


def test_get_one_referral_and_unknown_paths(pc, client):
    r = get(client, f"{COLLECTION_PATH}/75a1f384-e6bc-416f-a9d8-343e5901b2f5")
    assert r.status_code == 200 and r.json()["@odata.context"].endswith("$metadata#Referrals/$entity")
    assert r.json()["customerProfile"]["name"] == "Firma Anonim Şirketi"
    assert get(client, f"{COLLECTION_PATH}/{uuid.uuid4()}").json()["error"]["code"] == "itemNotFound"
    assert get(client, "/v1.0/engagements/other").status_code == 404
    assert client.post(COLLECTION_PATH, json={}).status_code == 405


# ---------------------------------------------------------------------------------------
# authentication, faults, request log
# ---------------------------------------------------------------------------------------
def test_401_without_or_with_unknown_token(pc, client):
    r = get(client, token=None)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["error"]["code"] == "unauthenticated"
    assert get(client, token="at-stolen").status_code == 401
    assert client.get(COLLECTION_PATH, headers={"Authorization": TOKEN}).status_code == 401  # no "Bearer "
    pc.valid_tokens.add("at-stolen")
    assert get(client, token="at-stolen").status_code == 200


def test_fault_sequence_429_then_success(pc, client):
    pc.faults.append({"status": 429, "retry_after": 1, "times": 1})
    r = get(client)
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    assert r.json()["error"]["code"] == "tooManyRequests"
    assert get(client).status_code == 200
    assert pc.faults[0]["fired"] == 1


def test_faults_in_order_times_at_and_always(pc, client):
    pc.faults.extend(
        [
            {"status": 503, "retry_after": 2, "times": 2},
            {"status": 401, "times": 1},  # even with a valid token
            {"status": 500, "times": 1},
            {"status": 500, "at": 8, "times": "always"},
        ]
    )
    got = [get(client).status_code for _ in range(9)]
    assert got == [503, 503, 401, 500, 200, 200, 200, 500, 500]
    assert [f["fired"] for f in pc.faults] == [2, 1, 1, 2]
    assert pc.requests[0]["status"] == 503 and pc.count(status=500) == 3


def test_delay_drop_and_raw_body_faults(pc, client):
    pc.faults.append({"delay": 0.3, "times": 1})
    t0 = time.monotonic()
    assert get(client).status_code == 200 and time.monotonic() - t0 >= 0.3
    pc.faults.append({"delay": 1.0, "times": 1})
    with pytest.raises(httpx.ReadTimeout):
        client.get(COLLECTION_PATH, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=0.2)
    pc.faults.append({"drop": True, "times": 1})
    with httpx.Client(base_url=pc.base_url, timeout=2.0) as fresh:
        with pytest.raises(httpx.TransportError):
            get(fresh)
        pc.faults.append({"status": 200, "body": "<html>oops</html>", "times": 1})
        r = get(fresh)
        assert r.status_code == 200 and r.text == "<html>oops</html>"
        assert get(fresh).json()["value"]


def test_request_log_records_headers_and_keep_alive(pc, client):
    sync_all(client, params={"$filter": "updatedDateTime gt 2026-09-01T00:00:00Z"})
    log = pc.requests
    assert len(log) == 3
    rids = [r["headers"]["client-request-id"] for r in log]
    assert len(set(rids)) == 3 and all(uuid.UUID(x) for x in rids)
    assert all(r["headers"]["authorization"] == f"Bearer {TOKEN}" for r in log)
    assert log[0]["query"] == {"$filter": "updatedDateTime gt 2026-09-01T00:00:00Z"}
    assert log[0]["path"] == COLLECTION_PATH and log[0]["method"] == "GET"
    assert len({r["peer"] for r in log}) == 1  # one keep-alive connection
    r = get(client)
    assert r.headers["client-request-id"] == pc.requests[-1]["headers"]["client-request-id"]
    uuid.UUID(r.headers["request-id"])
    assert r.http_version == "HTTP/1.1"


# ---------------------------------------------------------------------------------------
# the fake authority and MSAL
# ---------------------------------------------------------------------------------------
@pytest.fixture
def fake():
    f = FakeAuthority(device_flow_pending=2)
    yield f
    f.close()


def new_app(fake: FakeAuthority, cache: msal.SerializableTokenCache | None = None):
    return msal.PublicClientApplication(
        fake.client_id,
        authority=fake.authority,
        http_client=fake.http_client(),
        token_cache=cache if cache is not None else msal.SerializableTokenCache(),
    )


def sign_in(fake: FakeAuthority, app) -> dict:
    flow = app.initiate_device_flow(scopes=[PC_SCOPE])
    assert "user_code" in flow, flow
    return app.acquire_token_by_device_flow(flow)


def test_device_flow_round_trip(fake):
    app = new_app(fake)
    t0 = time.monotonic()
    flow = app.initiate_device_flow(scopes=[PC_SCOPE])
    assert flow["verification_uri"] == "https://microsoft.com/devicelogin" and flow["interval"] == 0
    assert flow["message"] == (
        "To sign in, use a web browser to open the page https://microsoft.com/devicelogin "
        "and enter the code ABCD1234 to authenticate."
    )
    result = app.acquire_token_by_device_flow(flow)
    assert time.monotonic() - t0 < 2  # interval 0: MSAL polls at once
    assert result["access_token"] == "at-1" and result["refresh_token"] == "rt-1"
    assert result["token_type"] == "Bearer" and result["scope"] == PC_SCOPE
    assert result["id_token_claims"]["preferred_username"] == "rep@partner.com.tr"
    assert result["id_token_claims"]["aud"] == fake.client_id and result["id_token_claims"]["tid"] == fake.tenant_id
    assert jwt_claims(result["id_token"])["oid"] == fake.oid
    assert fake.issued_access_tokens == ["at-1"]
    assert fake.grants() == [DEVICE_CODE_GRANT] * 3  # two authorization_pending polls, then the token
    assert fake.calls[0] == ("GET", f"/{fake.tenant}/v2.0/.well-known/openid-configuration")
    assert fake.calls[1] == ("POST", f"/{fake.tenant}/oauth2/v2.0/devicecode")
    scope_sent = fake.requests[1]["form"]["scope"].split()
    assert PC_SCOPE in scope_sent and "offline_access" in scope_sent


def test_silent_token_from_cache(fake):
    app = new_app(fake)
    sign_in(fake, app)
    calls = len(fake.calls)
    accounts = app.get_accounts()
    assert [a["username"] for a in accounts] == ["rep@partner.com.tr"]
    assert accounts[0]["home_account_id"] == fake.home_account_id
    result = app.acquire_token_silent([PC_SCOPE], account=accounts[0])
    assert result["access_token"] == "at-1" and result["token_source"] == "cache"
    assert len(fake.calls) == calls  # no network


def test_silent_refresh_when_expired(fake):
    fake.access_token_lifetime = 0
    app = new_app(fake)
    sign_in(fake, app)
    result = app.acquire_token_silent([PC_SCOPE], account=app.get_accounts()[0])
    assert result["access_token"] == "at-2" and result["token_source"] == "identity_provider"
    assert fake.grants()[-1] == "refresh_token" and fake.requests[-1]["form"]["refresh_token"] == "rt-1"
    fake.access_token_lifetime = 3600
    forced = app.acquire_token_silent([PC_SCOPE], account=app.get_accounts()[0], force_refresh=True)
    assert forced["access_token"] == "at-3"
    assert app.acquire_token_silent([PC_SCOPE], account=app.get_accounts()[0])["access_token"] == "at-3"


def test_refresh_failure_means_interaction_required(fake):
    fake.access_token_lifetime = 0
    app = new_app(fake)
    sign_in(fake, app)
    fake.refresh_fails = True
    account = app.get_accounts()[0]
    assert app.acquire_token_silent([PC_SCOPE], account=account) is None
    err = app.acquire_token_silent_with_error([PC_SCOPE], account=account)
    assert err["error"] == "invalid_grant" and err["error_codes"] == [700082]
    assert err["suberror"] == "bad_token" and err["classification"] == ""
    assert err["error_description"].startswith("AADSTS700082: ")
    assert "access_token" not in err


def test_cache_serializes_and_a_new_app_finds_the_account(fake):
    cache = msal.SerializableTokenCache()
    sign_in(fake, new_app(fake, cache))
    assert cache.has_state_changed
    blob = cache.serialize()
    assert "rt-1" in blob and json.loads(blob)["Account"]

    restored = msal.SerializableTokenCache()
    restored.deserialize(blob)
    app2 = new_app(fake, restored)
    accounts = app2.get_accounts()
    assert [a["username"] for a in accounts] == ["rep@partner.com.tr"]
    assert app2.acquire_token_silent([PC_SCOPE], account=accounts[0])["access_token"] == "at-1"
    assert app2.remove_account(accounts[0]) is None and app2.get_accounts() == []


def test_empty_cache_and_wrong_client(fake):
    app = new_app(fake)
    assert app.get_accounts() == []  # looks up aliases through instance discovery, offline
    assert fake.count("/common/discovery/instance") == 1
    other = msal.PublicClientApplication(str(uuid.uuid4()), authority=fake.authority, http_client=fake.http_client())
    flow = other.initiate_device_flow(scopes=[PC_SCOPE])
    assert "user_code" not in flow and flow["error"] == "unauthorized_client"
    with pytest.raises(ValueError):
        msal.PublicClientApplication(
            fake.client_id, authority="https://login.microsoftonline.com/no-such-tenant", http_client=fake.http_client()
        )


def test_fake_authority_is_offline(fake):
    with pytest.raises(httpx.ConnectError):
        fake.http_client().get("https://api.partner.microsoft.com/v1.0/engagements/referrals")


def test_httpx_adapter_maps_requests_style_calls():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True}, headers={"Retry-After": "3"})

    with HttpxForMsal(httpx.Client(transport=httpx.MockTransport(handler))) as http:
        r = http.get(
            "https://login.microsoftonline.com/x", params={"a": "1", "b": None}, headers={"h": "v"}, timeout=(2, 5)
        )
        assert r.status_code == 200 and json.loads(r.text) == {"ok": True} and r.headers["retry-after"] == "3"
        r.raise_for_status()
        http.post(
            "https://login.microsoftonline.com/t", data={"grant_type": "refresh_token", "claims": None, "scope": "a b"}
        )
        http.post("https://login.microsoftonline.com/w", data="<soap/>", headers={"Content-Type": "text/xml"})
    assert str(seen[0].url) == "https://login.microsoftonline.com/x?a=1" and seen[0].headers["h"] == "v"
    assert seen[1].headers["content-type"] == "application/x-www-form-urlencoded"
    assert seen[1].content == b"grant_type=refresh_token&scope=a+b"
    assert seen[2].content == b"<soap/>"


def test_msal_token_opens_the_fake_partner_center(pc, fake):
    """The two fakes together: a 401 with a valid token makes the client refresh once, then it works."""
    app = new_app(fake)
    token = sign_in(fake, app)["access_token"]
    pc.valid_tokens = set(fake.issued_access_tokens)
    pc.faults.append({"status": 401, "times": 1})
    with httpx.Client(base_url=pc.base_url, timeout=5.0) as c:
        assert get(c, token=token).status_code == 401
        fresh = app.acquire_token_silent([PC_SCOPE], account=app.get_accounts()[0], force_refresh=True)["access_token"]
        assert fresh != token
        pc.valid_tokens = set(fake.issued_access_tokens)
        assert get(c, token=fresh).status_code == 200
