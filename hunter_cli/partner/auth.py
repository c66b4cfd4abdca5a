"""Sign-in to Partner Center with MSAL: device code flow, a persistent token cache, silent refresh.

The token cache is a file in the user cache folder, created with mode 0600 and
read and written under a file lock, so a cron job and an interactive shell can
share it. Tokens and device codes are never logged or printed (the device-code
*message* for the user goes to stderr, as MSAL phrases it). Automation that
already holds a token passes it in ``HUNTER_PARTNER_TOKEN``: it is used as is.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

SCOPE = "https://api.partner.microsoft.com/user_impersonation"
AUTHORITY_HOST = "https://login.microsoftonline.com"


class AuthError(Exception):
    """Sign-in failed, or a setting is missing; the message says what to do."""


class InteractionRequired(AuthError):
    """No usable token without the user: run `hunter auth login`."""


def cache_path() -> Path:
    from platformdirs import user_cache_dir

    return Path(
        os.environ.get("HUNTER_TOKEN_CACHE")
        or Path(user_cache_dir("hunter", appauthor=False)) / "msal_token_cache.json"
    )


def config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("hunter", appauthor=False)) / "partner.json"


@dataclass(frozen=True)
class Settings:
    client_id: str
    tenant: str

    @property
    def authority(self) -> str:
        return f"{AUTHORITY_HOST}/{self.tenant}"


def settings(client_id: str | None = None, tenant: str | None = None) -> Settings:
    """Client id and tenant from arguments, env (HUNTER_CLIENT_ID, HUNTER_TENANT_ID) or the saved config."""
    saved = {}
    try:
        saved = json.loads(config_path().read_text("utf-8"))
    except (OSError, ValueError):
        pass
    cid = client_id or os.environ.get("HUNTER_CLIENT_ID") or saved.get("client_id")
    tid = tenant or os.environ.get("HUNTER_TENANT_ID") or saved.get("tenant") or "organizations"
    if not cid:
        raise AuthError(
            "no application (client) id: pass --client-id or set HUNTER_CLIENT_ID "
            "to your public client app registration"
        )
    return Settings(cid, tid)


def save_settings(s: Settings) -> None:
    from ..datafiles import atomic_write

    atomic_write(config_path(), json.dumps({"client_id": s.client_id, "tenant": s.tenant}).encode())


class HttpxForMsal:
    """MSAL's ``http_client`` hook on top of an ``httpx.Client``.

    Production passes it a real ``httpx.Client``; the tests pass the same class
    over an ``httpx.MockTransport`` that plays the identity platform.

    MSAL calls it requests-style::

        get(url, params=None, headers=None, **kwargs)
        post(url, params=None, data=None, headers=None, **kwargs)

    and reads ``.status_code``, ``.text`` and ``.headers`` of the result (an
    ``httpx.Response`` has them, plus ``raise_for_status()``). The mapping keeps
    requests' semantics where httpx differs:

    * ``params``/``data`` dicts: keys whose value is None are dropped (requests
      does; httpx would send ``key=``); list values repeat the key.
    * ``data`` as str/bytes is sent as the raw body (httpx wants ``content=``);
      a dict is form-encoded, as MSAL's token and device-code calls expect.
    * ``json=`` is passed through.
    * ``timeout`` may be a number or a requests ``(connect, read)`` tuple; without
      one, ``default_timeout`` applies.
    * ``allow_redirects`` maps to httpx's ``follow_redirects``; requests-only
      per-call options (``verify``, ``proxies``, ``stream``, ``cert``) are
      ignored: configure them on the httpx.Client instead.
    """

    def __init__(self, client=None, *, default_timeout: float = 30.0) -> None:
        import httpx

        from ..http import USER_AGENT, tls_context

        self.client = (
            client
            if client is not None
            else httpx.Client(timeout=default_timeout, verify=tls_context(), headers={"User-Agent": USER_AGENT})
        )
        self.default_timeout = default_timeout

    @staticmethod
    def _clean(mapping):
        if isinstance(mapping, dict):
            return {k: v for k, v in mapping.items() if v is not None}
        return mapping

    def _options(self, kwargs: dict) -> dict:
        out = {}
        timeout = kwargs.get("timeout", self.default_timeout)
        if isinstance(timeout, tuple):
            connect, read = (timeout + (None, None))[:2]
            import httpx

            timeout = httpx.Timeout(read, connect=connect)
        out["timeout"] = timeout
        if "allow_redirects" in kwargs:
            out["follow_redirects"] = bool(kwargs["allow_redirects"])
        return out

    def get(self, url, params=None, headers=None, **kwargs):
        return self.client.get(url, params=self._clean(params), headers=headers, **self._options(kwargs))

    def post(self, url, params=None, data=None, headers=None, **kwargs):
        body = {}
        if isinstance(data, (str, bytes, bytearray)):
            body["content"] = data
        elif data is not None:
            body["data"] = self._clean(dict(data))
        if kwargs.get("json") is not None:
            body["json"] = kwargs["json"]
        return self.client.post(url, params=self._clean(params), headers=headers, **body, **self._options(kwargs))

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> HttpxForMsal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def make_http_client():
    """The HTTP client MSAL uses; tests replace this function's result with a fake authority."""
    return HttpxForMsal()


class TokenStore:
    """The MSAL app with its cache file; use as a context manager around every token operation.

    ``scope`` is the resource's delegated scope (Partner Center by default;
    ``<environment URL>/user_impersonation`` for Dataverse); ``service`` and
    ``signin`` name it and its sign-in command in messages.
    """

    def __init__(
        self,
        s: Settings,
        http_client=None,
        *,
        scope: str = SCOPE,
        service: str = "Partner Center",
        signin: str = "hunter auth login",
    ) -> None:
        self.settings = s
        self.scope = scope
        self.service = service
        self.signin = signin
        self.path = cache_path()
        self.http_client = http_client
        self._lock = None
        self.app = None
        self.cache = None

    def __enter__(self) -> TokenStore:
        import msal
        from filelock import FileLock

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(self.path) + ".lock", timeout=60)
        self._lock.acquire()
        self.cache = msal.SerializableTokenCache()
        if self.path.exists():
            try:
                self.cache.deserialize(self.path.read_text("utf-8"))
            except ValueError:
                pass  # a damaged cache is the same as no cache: sign in again
        self.app = msal.PublicClientApplication(
            self.settings.client_id,
            authority=self.settings.authority,
            token_cache=self.cache,
            http_client=self.http_client or make_http_client(),
        )
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self.cache is not None and self.cache.has_state_changed:
                self._write()
        finally:
            if self._lock is not None:
                self._lock.release()

    def _write(self) -> None:
        data = self.cache.serialize().encode("utf-8")
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    def device_login(self, show_message) -> dict:
        flow = self.app.initiate_device_flow(scopes=[self.scope])
        if "user_code" not in flow:
            raise AuthError(
                f"could not start sign-in: {flow.get('error_description') or flow.get('error') or 'unknown error'}"
            )
        show_message(flow["message"])
        result = self.app.acquire_token_by_device_flow(flow)
        if "access_token" not in result:
            raise AuthError(f"sign-in failed: {result.get('error_description') or result.get('error')}")
        return {"account": (result.get("id_token_claims") or {}).get("preferred_username")}

    def silent_token(self, force_refresh: bool = False) -> str:
        accounts = self.app.get_accounts()
        if not accounts:
            raise InteractionRequired(f"not signed in to {self.service}; run: {self.signin}")
        result = self.app.acquire_token_silent([self.scope], account=accounts[0], force_refresh=force_refresh)
        if not result or "access_token" not in result:
            raise InteractionRequired(f"the {self.service} sign-in has expired; run: {self.signin}")
        return result["access_token"]

    def status(self) -> dict | None:
        accounts = self.app.get_accounts()
        if not accounts:
            return None
        expires = None
        for at in self.cache.search(self.cache.CredentialType.ACCESS_TOKEN):
            try:
                expires = max(expires or 0, int(at.get("expires_on", 0)))
            except (TypeError, ValueError):
                pass
        return {
            "account": accounts[0].get("username"),
            "tenant": self.settings.tenant,
            "access_token_expires": time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(expires)) if expires else None,
        }

    def logout(self) -> bool:
        accounts = self.app.get_accounts()
        for a in accounts:
            self.app.remove_account(a)
        return bool(accounts)


class TokenProvider:
    """What the API client asks for a bearer token; refresh() is called once after a 401."""

    def __init__(self, s: Settings | None, http_client=None) -> None:
        self.fixed = os.environ.get("HUNTER_PARTNER_TOKEN") or None
        self.settings = s
        self.http_client = http_client

    def token(self, force_refresh: bool = False) -> str:
        if self.fixed:
            return self.fixed
        if self.settings is None:
            raise InteractionRequired("not signed in to Partner Center; run: hunter auth login")
        with TokenStore(self.settings, self.http_client) as store:
            return store.silent_token(force_refresh)

    @property
    def can_refresh(self) -> bool:
        return not self.fixed
