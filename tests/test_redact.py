"""Secrets never leave the process: the shared redaction rules and the next-link policy (issue 11, item 15).

The end-to-end checks (a stand-in that echoes the request, a next link to
another origin, grepping stdout, stderr and the database file) are in
test_partner.py; these pin the rules themselves, with shapes taken from
RFC 6749 (OAuth 2.0), RFC 6750 (bearer tokens), RFC 7519 (JWT) and RFC 8628
(device authorization grant), and with texts that must come through unchanged.
"""

import pytest

from hunter_cli.http import check_next_link, check_token_base, origin
from hunter_cli.redact import MARK, redact, remember, summary

JWT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6ImFiYyJ9.eyJhdWQiOiJodHRwczovL2FwaS5wYXJ0bmVyIn0.U2lnbmF0dXJlXzEyMw"
JWE = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe.48V1_ALb6US04U3b.5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6ji.XFBoMYUZodetZdvTiFvSkQ"
OPAQUE_RT = "0.AXoAbC-dEf_GhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOp"
DEVICE_CODE = "DAQABAAEAAADnfolhJpSnRYB6nO7ZtrJlvBGw4QpMjH0X8Zf1xYzAbC"


@pytest.mark.parametrize(
    "text, secret",
    [
        (f"Authorization: Bearer {JWT}\r\nHost: api.partner.microsoft.com", JWT),
        ("authorization: bearer s3cr3t-opaque-value", "s3cr3t-opaque-value"),
        ('{"headers": {"Authorization": "Basic dXNlcjpwYXNzd29yZA=="}}', "dXNlcjpwYXNzd29yZA"),
        ("{'authorization': 'Bearer abc123xyz'}", "abc123xyz"),
        (f'{{"access_token":"{OPAQUE_RT}","token_type":"Bearer"}}', OPAQUE_RT),
        ('{"refresh_token": "rt-short-but-secret", "expires_in": 3600}', "rt-short-but-secret"),
        ("GET /cb?code=M.R3_BAY.c0de-1234&state=xyz HTTP/1.1", "M.R3_BAY.c0de-1234"),
        ("grant_type=authorization_code&client_secret=abc~def.ghi_jkl&client_id=1", "abc~def.ghi_jkl"),
        (f"grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code={DEVICE_CODE}", DEVICE_CODE),
        (f"the poll used {DEVICE_CODE} and failed", DEVICE_CODE),  # bare, opaque
        (f"token was {JWT}.", JWT),  # a bare JWS
        (f"JWE {JWE} end", "OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe"),
        ("GET /x?access_token=Zm9vYmFy%2Bz HTTP/1.1", "Zm9vYmFy%2Bz"),
        ("Location: /next?x=1 Authorization:%20Bearer%20abcdefghij", "abcdefghij"),
        ("Proxy-Authorization: Basic cHJveHk6cGFzcw==", "cHJveHk6cGFzcw"),
        ("Set-Cookie: session=abc123secret; HttpOnly; Secure", "abc123secret"),
        ("Cookie: a=1; MSISAuth=very-secret-cookie", "very-secret-cookie"),
        ("X-Api-Key: k-9f8e7d6c5b4a", "k-9f8e7d6c5b4a"),
        ("Ocp-Apim-Subscription-Key: 0123abcd4567ef", "0123abcd4567ef"),
        ("proxy saw bearer abcdefghijklmnop1234", "abcdefghijklmnop1234"),
    ],
)
def test_token_shapes_are_removed(text, secret):
    out = redact(text)
    assert secret not in out and MARK in out
    assert redact(out) == out  # idempotent: redacting twice changes nothing more


@pytest.mark.parametrize(
    "text",
    [
        "Partner Center answered HTTP 401: The caller is not authenticated.",
        '{"error": {"code": "invalidRequest", "message": "The request is malformed or incorrect."}}',
        "request-id 3f2c8a71-5b0e-4c1d-9a6f-0e7d2b4c8a10 client-request-id 0b1c2d3e-4f50-4617-8899-aabbccddeeff",
        "cannot reach Partner Center at https://api.partner.microsoft.com/v1.0/engagements/referrals: ConnectError",
        "AADSTS700016: Application with identifier '2d9f4c1b-7e3a-4b6c-9d8e-1f0a2b3c4d5e' was not found",
        'the Bearer token was refused; WWW-Authenticate: Bearer error="invalid_token"',
        "RDAP server https://rdap.nic.example/ answered HTTP 503",
        "Sunucuya bağlanılamadı: zaman aşımı (ölçüm 3 s)",
        "grant_type=refresh_token&scope=https://api.partner.microsoft.com/user_impersonation offline_access",
        "/home/ayse/osb-uyeler/2024/members.xlsx: line 12",
    ],
)
def test_ordinary_error_texts_come_through_unchanged(text):
    assert redact(text) == text


def test_a_remembered_secret_is_removed_wherever_it_appears():
    remember("plain-words-token-42")
    out = redact("proxy log: user sent plain-words-token-42 (twice: plain-words-token-42)")
    assert "plain-words-token-42" not in out and out.count(MARK) == 2
    assert "exact-secret-xyz" not in redact("echo exact-secret-xyz", ("exact-secret-xyz",))
    remember("short")  # too short to be told from ordinary words: never replaced blindly
    assert redact("a short message") == "a short message"


def test_summary_is_one_bounded_line_redacted_before_it_is_cut():
    body = "x" * 150 + f" Authorization: Bearer {JWT}\r\n\x1b[31mred\x1b[0m\x00" + "y" * 5000
    out = summary(body, 200)
    assert len(out) <= 200 and out.endswith("...")
    assert "\n" not in out and "\r" not in out and "\x1b" not in out and "\x00" not in out
    assert JWT[:20] not in out  # a secret straddling the cut is not half-kept
    assert summary("a\r\n  b\tc", 50) == "a b c"


@pytest.mark.parametrize(
    "base, link, ok",
    [
        ("https://api.partner.microsoft.com", "https://api.partner.microsoft.com/v1.0/x?$skiptoken=abc", True),
        ("https://api.partner.microsoft.com", "/v1.0/engagements/referrals?$skiptoken=abc", True),  # relative
        ("https://api.partner.microsoft.com", "https://api.partner.microsoft.com:443/v1.0/x", True),
        ("https://api.partner.microsoft.com", "http://api.partner.microsoft.com/v1.0/x", False),  # downgrade
        ("https://api.partner.microsoft.com", "https://evil.example/v1.0/x", False),
        ("https://api.partner.microsoft.com", "//evil.example/v1.0/x", False),  # scheme-relative
        ("https://api.partner.microsoft.com", "https://api.partner.microsoft.com@evil.example/x", False),
        ("https://api.partner.microsoft.com", "https://api.partner.microsoft.com.evil.example/x", False),
        ("https://api.partner.microsoft.com", "https://api.partner.microsoft.com:8443/x", False),
        ("https://api.partner.microsoft.com", "javascript:alert(1)", False),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1.0/x", True),  # loopback test server
        ("http://127.0.0.1:8080", "http://127.0.0.1:9090/v1.0/x", False),
        ("http://[::1]:8080", "http://[::1]:8080/v1.0/x", True),
        ("http://partner.example", "http://partner.example/v1.0/x", False),  # plain http off loopback
    ],
)
def test_next_links_stay_on_the_base_origin_over_https(base, link, ok):
    if ok:
        assert check_next_link(base, base + "/v1.0/engagements/referrals", link).startswith(origin(base))
    else:
        with pytest.raises(ValueError) as exc:
            check_next_link(base, base + "/v1.0/engagements/referrals", link)
        assert "abc" not in str(exc.value)  # only origins are named, never the link's query


def test_the_token_goes_only_to_https_or_loopback():
    check_token_base("https://api.partner.microsoft.com")
    check_token_base("http://localhost:8080")
    check_token_base("http://127.0.0.2:8080")
    for bad in ("http://api.partner.microsoft.com", "ftp://127.0.0.1", "https://", "api.partner.microsoft.com"):
        with pytest.raises(ValueError):
            check_token_base(bad)
