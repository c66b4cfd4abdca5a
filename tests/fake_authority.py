"""A fake Microsoft identity platform (Entra ID, v2.0 endpoints) for MSAL, fully offline.

MSAL Python takes an ``http_client`` with requests-style ``get``/``post``;
:meth:`FakeAuthority.http_client` returns :class:`HttpxForMsal` over an
``httpx.Client`` whose transport is ``httpx.MockTransport(self._handler)``, so
nothing leaves the process. A request to any host that is not one of Entra's
public-cloud login hosts raises ``httpx.ConnectError`` (no network here).

What MSAL 1.39 calls through the hook (read from msal/authority.py,
msal/application.py, msal/oauth2cli/oauth2.py)::

    GET  https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration
         kwargs: none (tenant discovery, once per PublicClientApplication; login.microsoftonline.com
         is a well-known host, so no instance discovery happens at construction)
    GET  https://login.microsoftonline.com/common/discovery/instance
         params={"api-version": "1.1", "authorization_endpoint": "https://login.microsoftonline.com/common/oauth2/authorize"},
         headers={"Accept": "application/json"}
         (only when get_accounts()/acquire_token_silent() find nothing under the authority's host
         and look for aliases; skipped with instance_discovery=False)
    POST {device_authorization_endpoint}   i.e. /{tenant}/oauth2/v2.0/devicecode
         data={"client_id", "scope": "<scopes> offline_access openid profile", "claims"?},
         headers={x-client-sku, x-client-ver, x-client-os, x-client-cpu, x-ms-lib-capability, client-request-id, ...}
    POST {token_endpoint}                  i.e. /{tenant}/oauth2/v2.0/token
         params=None, headers={"Accept": "application/json", x-client-*, client-request-id, x-client-current-telemetry, ...},
         data={"client_id", "grant_type", "client_info": 1, "scope", "device_code" | "refresh_token", "claims"?}
         grant types: urn:ietf:params:oauth:grant-type:device_code, refresh_token

MSAL reads ``status_code``, ``text`` and ``headers`` of the answer (it wraps it in its own
NormalizedResponse, whose ``raise_for_status`` it uses); an httpx.Response has all three.

Knobs (attributes; set them any time)::

    tenant                  the authority path segment the app uses (GUID, domain, "organizations", "common")
    tenant_id               the directory GUID that goes into tid/utid/issuer
    client_id               the only application id the fake knows (else AADSTS700016)
    device_flow_pending     polls answered "authorization_pending" before the outcome
    device_flow_outcome     "approve" (default) | "decline" | "expire"
    interval                device-flow polling interval sent to MSAL (0 = poll at once; MSAL honours it)
    access_token_lifetime   seconds (expires_in); MSAL refreshes anything with < 5 minutes left, so 0..299 forces a refresh
    refresh_fails           refresh grant -> 400 invalid_grant AADSTS700082, suberror "bad_token"
    faults                  [{"endpoint": "token"|"devicecode"|"openid"|"instance"|"any", "status": 503,
                              "retry_after": 1, "times": 1}], first applicable entry fires

Error bodies copy Entra's shape (error, error_description "AADSTSnnnn: ...\\r\\nTrace ID: ...",
error_codes, timestamp, trace_id, correlation_id, error_uri, suberror). The AADSTS numbers for
pending (70016), refresh-token inactivity (700082), unknown tenant (90002) and unknown app (700016)
follow Entra's published messages; those for decline/expiry/revocation are approximations.

Record::

    calls                   [(method, path)], e.g. ("POST", "/<tenant>/oauth2/v2.0/token")
    requests                [{"method", "host", "path", "params", "form", "headers"}]
    issued_access_tokens    ["at-1", "at-2", ...]  (also issued_refresh_tokens ["rt-1", ...])
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlsplit

import httpx

__all__ = ["FakeAuthority", "HttpxForMsal", "PC_SCOPE", "DEVICE_CODE_GRANT", "LOGIN_HOSTS"]

PC_SCOPE = "https://api.partner.microsoft.com/user_impersonation"
DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
RESERVED_SCOPES = frozenset({"openid", "profile", "offline_access", "email"})
# Entra's public-cloud login hosts (the aliases group of instance discovery).
LOGIN_HOSTS = ("login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net")
VERIFICATION_URI = "https://microsoft.com/devicelogin"

DEFAULT_TENANT_ID = "6e3b1f2a-9c4d-4e5f-8a7b-0c1d2e3f4a5b"
DEFAULT_CLIENT_ID = "2d9f4c1b-7e3a-4b6c-9d8e-1f0a2b3c4d5e"
DEFAULT_OID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"


# ---------------------------------------------------------------------------------------
# The adapter (reference implementation for hunter_cli)
# ---------------------------------------------------------------------------------------
from hunter_cli.partner.auth import HttpxForMsal  # noqa: E402  (the package's adapter, used as is)


# ---------------------------------------------------------------------------------------
# Token material
# ---------------------------------------------------------------------------------------
def b64url(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def b64url_json(obj) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")))


def unsigned_jwt(claims: dict) -> str:
    """header.payload.signature, base64url; the signature is a placeholder (MSAL does not verify it)."""
    header = {"typ": "JWT", "alg": "RS256", "kid": "fake-authority-key"}
    return f"{b64url_json(header)}.{b64url_json(claims)}.{b64url(b'fake-authority-signature')}"


def jwt_claims(token: str) -> dict:
    """The payload of a JWT, unverified (for tests)."""
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _now_stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


class FakeAuthority:
    """A fake Entra ID tenant for MSAL public-client device-code sign-in and silent refresh."""

    def __init__(
        self,
        tenant: str | None = None,
        client_id: str = DEFAULT_CLIENT_ID,
        *,
        tenant_id: str = DEFAULT_TENANT_ID,
        username: str = "rep@partner.com.tr",
        display_name: str = "Satış Temsilcisi",
        oid: str = DEFAULT_OID,
        device_flow_pending: int = 0,
        access_token_lifetime: int = 3600,
        refresh_fails: bool = False,
        interval: int = 0,
    ) -> None:
        self.tenant = tenant or tenant_id
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.username = username
        self.display_name = display_name
        self.oid = oid
        self.device_flow_pending = device_flow_pending
        self.device_flow_outcome = "approve"
        self.interval = interval
        self.access_token_lifetime = access_token_lifetime
        self.refresh_fails = refresh_fails
        self.faults: list[dict] = []

        self.calls: list[tuple[str, str]] = []
        self.requests: list[dict] = []
        self.issued_access_tokens: list[str] = []
        self.issued_refresh_tokens: list[str] = []
        self._refresh_tokens: dict[str, dict] = {}  # rt -> {"scope": ..., "revoked": bool}
        self._device_codes: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._n = 0
        self._clients: list[HttpxForMsal] = []

    # -- public helpers ---------------------------------------------------------------
    @property
    def authority(self) -> str:
        return f"https://login.microsoftonline.com/{self.tenant}"

    def http_client(self) -> HttpxForMsal:
        """What to pass as MSAL's ``http_client``: HttpxForMsal over an offline httpx.Client."""
        client = HttpxForMsal(httpx.Client(transport=httpx.MockTransport(self._handler), timeout=5.0))
        self._clients.append(client)
        return client

    def close(self) -> None:
        for c in self._clients:
            c.close()
        self._clients.clear()

    def grants(self) -> list[str]:
        """grant_type of every token-endpoint request, in order."""
        return [r["form"].get("grant_type") for r in self.requests if r["path"].endswith("/oauth2/v2.0/token")]

    def count(self, suffix: str) -> int:
        return sum(1 for _, p in self.calls if p.endswith(suffix))

    def revoke_refresh_tokens(self) -> None:
        """Every refresh token issued so far stops working (invalid_grant AADSTS50173)."""
        with self._lock:
            for st in self._refresh_tokens.values():
                st["revoked"] = True

    @property
    def home_account_id(self) -> str:
        return f"{self.oid}.{self.tenant_id}"

    # -- responses --------------------------------------------------------------------
    def _json(self, status: int, body: dict, request: httpx.Request, extra: dict | None = None) -> httpx.Response:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Cache-Control": "no-store, no-cache",
            "Pragma": "no-cache",
            "x-ms-request-id": str(uuid.uuid4()),
        }
        if request.headers.get("client-request-id"):
            headers["client-request-id"] = request.headers["client-request-id"]
        headers.update(extra or {})
        return httpx.Response(status, headers=headers, content=json.dumps(body).encode("utf-8"), request=request)

    def _aad_error(
        self,
        status: int,
        error: str,
        code: int,
        text: str,
        request: httpx.Request,
        suberror: str | None = None,
        extra: dict | None = None,
    ) -> httpx.Response:
        trace, corr = str(uuid.uuid4()), request.headers.get("client-request-id") or str(uuid.uuid4())
        stamp = _now_stamp()
        body = {
            "error": error,
            "error_description": f"AADSTS{code}: {text}\r\nTrace ID: {trace}\r\nCorrelation ID: {corr}\r\nTimestamp: {stamp}",
            "error_codes": [code],
            "timestamp": stamp,
            "trace_id": trace,
            "correlation_id": corr,
            "error_uri": f"https://login.microsoftonline.com/error?code={code}",
        }
        if suberror:
            body["suberror"] = suberror
        return self._json(status, body, request, extra)

    def _openid(self, tenant: str) -> dict:
        multi = tenant.lower() in ("organizations", "common", "consumers")
        # Entra answers a domain-named tenant with GUID endpoints; organizations/common keep their name.
        base = f"https://login.microsoftonline.com/{tenant if multi else self.tenant_id}"
        issuer_tid = "{tenantid}" if multi else self.tenant_id
        return {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"https://login.microsoftonline.com/{issuer_tid}/v2.0",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "claims_supported": [
                "sub",
                "iss",
                "cloud_instance_name",
                "cloud_instance_host_name",
                "cloud_graph_host_name",
                "msgraph_host",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "acr",
                "nonce",
                "preferred_username",
                "name",
                "tid",
                "ver",
                "at_hash",
                "c_hash",
                "email",
            ],
            "kerberos_endpoint": f"{base}/kerberos",
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        }

    def _instance_metadata(self, authorization_endpoint: str) -> dict:
        ep = urlsplit(authorization_endpoint or "https://login.microsoftonline.com/common/oauth2/authorize")
        tenant = ep.path.strip("/").split("/")[0] or "common"
        v2 = "/v2.0/" in ep.path
        return {
            "tenant_discovery_endpoint": f"https://{ep.hostname}/{tenant}{'/v2.0' if v2 else ''}"
            "/.well-known/openid-configuration",
            "api-version": "1.1",
            "metadata": [
                {
                    "preferred_network": "login.microsoftonline.com",
                    "preferred_cache": "login.windows.net",
                    "aliases": list(LOGIN_HOSTS),
                },
                {
                    "preferred_network": "login.partner.microsoftonline.cn",
                    "preferred_cache": "login.partner.microsoftonline.cn",
                    "aliases": ["login.partner.microsoftonline.cn", "login.chinacloudapi.cn"],
                },
                {
                    "preferred_network": "login.microsoftonline.us",
                    "preferred_cache": "login.microsoftonline.us",
                    "aliases": ["login.microsoftonline.us", "login.usgovcloudapi.net"],
                },
            ],
        }

    def _known_tenant(self, tenant: str) -> bool:
        t = tenant.lower()
        domain = self.username.rsplit("@", 1)[-1].lower()
        return t in {self.tenant.lower(), self.tenant_id.lower(), "organizations", "common", domain}

    def _tokens(self, scope: str, request: httpx.Request) -> dict:
        with self._lock:
            self._n += 1
            n = self._n
            at, rt = f"at-{n}", f"rt-{n}"
            self.issued_access_tokens.append(at)
            self.issued_refresh_tokens.append(rt)
            self._refresh_tokens[rt] = {"scope": scope, "revoked": False}
        now = int(time.time())
        granted = " ".join(s for s in scope.split() if s.lower() not in RESERVED_SCOPES) or "openid profile"
        id_token = unsigned_jwt(
            {
                "aud": self.client_id,
                "iss": f"https://login.microsoftonline.com/{self.tenant_id}/v2.0",
                "iat": now,
                "nbf": now,
                "exp": now + 3600,
                "name": self.display_name,
                "oid": self.oid,
                "preferred_username": self.username,
                "rh": "0.fake-authority.",
                "sub": b64url(f"sub-{self.oid}-{self.client_id}")[:43],
                "tid": self.tenant_id,
                "uti": b64url(uuid.uuid4().bytes),
                "ver": "2.0",
            }
        )
        return {
            "token_type": "Bearer",
            "scope": granted,
            "expires_in": int(self.access_token_lifetime),
            "ext_expires_in": int(self.access_token_lifetime),
            "access_token": at,
            "refresh_token": rt,
            "id_token": id_token,
            "client_info": b64url_json({"uid": self.oid, "utid": self.tenant_id}),
        }

    def _take_fault(self, endpoint: str) -> dict | None:
        with self._lock:
            for f in self.faults:
                if f.get("endpoint", "any") not in ("any", endpoint):
                    continue
                times, fired = f.get("times", 1), f.get("fired", 0)
                if times != "always" and fired >= int(times):
                    continue
                f["fired"] = fired + 1
                return f
        return None

    # -- the transport ----------------------------------------------------------------
    def _handler(self, request: httpx.Request) -> httpx.Response:
        host = (request.url.host or "").lower()
        if host not in LOGIN_HOSTS:
            raise httpx.ConnectError(f"fake authority: no network (host {host!r})", request=request)
        path = request.url.path
        form = {}
        if request.method == "POST":
            form = dict(parse_qsl(request.content.decode("utf-8"), keep_blank_values=True))
        with self._lock:
            self.calls.append((request.method, path))
            self.requests.append(
                {
                    "method": request.method,
                    "host": host,
                    "path": path,
                    "params": dict(request.url.params),
                    "form": form,
                    "headers": {k.lower(): v for k, v in request.headers.items()},
                }
            )
        parts = path.strip("/").split("/")
        tenant = parts[0] if parts else ""

        if request.method == "GET" and path == "/common/discovery/instance":
            endpoint = "instance"
        elif request.method == "GET" and parts[1:] == ["v2.0", ".well-known", "openid-configuration"]:
            endpoint = "openid"
        elif request.method == "POST" and parts[1:] == ["oauth2", "v2.0", "devicecode"]:
            endpoint = "devicecode"
        elif request.method == "POST" and parts[1:] == ["oauth2", "v2.0", "token"]:
            endpoint = "token"
        elif request.method == "GET" and len(parts) == 3 and parts[:2] == ["common", "userrealm"]:
            endpoint = "userrealm"
        else:
            return self._json(404, {"error": "not_found", "error_description": f"fake authority: no {path}"}, request)

        fault = self._take_fault(endpoint)
        if fault is not None:
            if fault.get("delay"):
                time.sleep(float(fault["delay"]))
            if fault.get("status"):
                extra = {"Retry-After": str(fault["retry_after"])} if fault.get("retry_after") is not None else {}
                st = int(fault["status"])
                return self._aad_error(
                    st,
                    "temporarily_unavailable" if st >= 500 or st == 429 else "invalid_request",
                    50196 if st == 429 else 90033,
                    "The server is temporarily unavailable.",
                    request,
                    extra=extra,
                )

        if endpoint == "instance":
            params = dict(request.url.params)
            return self._json(200, self._instance_metadata(params.get("authorization_endpoint", "")), request)
        if endpoint == "userrealm":
            domain = parts[2].rsplit("@", 1)[-1]
            return self._json(
                200,
                {
                    "ver": "1.0",
                    "account_type": "Managed",
                    "domain_name": domain,
                    "cloud_instance_name": "microsoftonline.com",
                    "cloud_audience_urn": "urn:federation:MicrosoftOnline",
                },
                request,
            )
        if not self._known_tenant(tenant):
            return self._aad_error(
                400,
                "invalid_tenant",
                90002,
                f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID "
                "and are signing into the correct cloud.",
                request,
            )
        if endpoint == "openid":
            return self._json(200, self._openid(tenant), request)
        if form.get("client_id") != self.client_id:
            return self._aad_error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{form.get('client_id')}' was not found in the "
                f"directory '{self.tenant}'.",
                request,
            )
        if endpoint == "devicecode":
            return self._devicecode(form, request)
        return self._token(form, request)

    def _devicecode(self, form: dict, request: httpx.Request) -> httpx.Response:
        scope = form.get("scope", "")
        if not scope.strip():
            return self._aad_error(
                400, "invalid_scope", 70011, "The provided value for the input parameter 'scope' is not valid.", request
            )
        with self._lock:
            number = len(self._device_codes) + 1
            user_code = f"ABCD{1233 + number:04d}"[:8]
            device_code = "DAQABAAEAAAD--DLA3VO7QrddgJg7WevrFAKE" + b64url(uuid.uuid4().bytes)
            self._device_codes[device_code] = {
                "scope": scope,
                "polls": 0,
                "user_code": user_code,
                "used": False,
                "expires_at": time.time() + 900,
            }
        return self._json(
            200,
            {
                "user_code": user_code,
                "device_code": device_code,
                "verification_uri": VERIFICATION_URI,
                "expires_in": 900,
                "interval": self.interval,
                "message": f"To sign in, use a web browser to open the page {VERIFICATION_URI} "
                f"and enter the code {user_code} to authenticate.",
            },
            request,
        )

    def _token(self, form: dict, request: httpx.Request) -> httpx.Response:
        grant = form.get("grant_type")
        if grant == DEVICE_CODE_GRANT:
            with self._lock:
                state = self._device_codes.get(form.get("device_code", ""))
                if state is not None:
                    state["polls"] += 1
                    polls = state["polls"]
            if state is None or state["used"]:
                return self._aad_error(
                    400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.", request
                )
            if polls <= self.device_flow_pending:
                return self._aad_error(
                    400,
                    "authorization_pending",
                    70016,
                    "The provided request has not yet been authorized by the user. The user must input their code.",
                    request,
                )
            if self.device_flow_outcome == "decline":
                return self._aad_error(
                    400, "authorization_declined", 70000, "The user declined the sign-in request.", request
                )
            if self.device_flow_outcome == "expire" or time.time() > state["expires_at"]:
                return self._aad_error(
                    400,
                    "expired_token",
                    70020,
                    "The provided value for the input parameter 'device_code' is not valid. "
                    "This device code has expired.",
                    request,
                )
            state["used"] = True
            return self._json(200, self._tokens(form.get("scope") or state["scope"], request), request)
        if grant == "refresh_token":
            rt = form.get("refresh_token", "")
            st = self._refresh_tokens.get(rt)
            if st is None:
                return self._aad_error(
                    400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.", request
                )
            if self.refresh_fails:
                return self._aad_error(
                    400,
                    "invalid_grant",
                    700082,
                    "The refresh token has expired due to inactivity. The token was issued on "
                    "2026-08-01T09:00:00.0000000Z and was inactive for 90.00:00:00.",
                    request,
                    suberror="bad_token",
                )
            if st["revoked"]:
                return self._aad_error(
                    400,
                    "invalid_grant",
                    50173,
                    "The provided grant has expired due to it being revoked, a fresh auth token is needed.",
                    request,
                )
            return self._json(200, self._tokens(form.get("scope") or st["scope"], request), request)
        return self._aad_error(
            400, "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant}'.", request
        )
