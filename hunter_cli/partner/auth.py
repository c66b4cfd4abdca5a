"""Sign-in to Partner Center with MSAL: device code flow, a persistent token cache, silent refresh.

The token cache (:mod:`hunter_cli.partner.token_cache`) is msal-extensions'
persisted cache in the user data folder: encrypted by the operating system where
it can be (Windows DPAPI, the macOS Keychain, a Linux desktop keyring), else a
file of mode 0600; written under a cross-process lock and reloaded when another
process changed it, so a cron job and an interactive shell can share it.
Tokens and device codes are never logged or printed (the device-code *message*
for the user goes to stderr, as MSAL phrases it); error texts from
the identity platform are redacted (:mod:`hunter_cli.redact`). Automation that
already holds a token passes it in ``HUNTER_PARTNER_TOKEN``: it is used as is.

Only sign-in and token renewal need the network. ``auth status`` and ``auth
logout`` read and edit the cache directly, and the MSAL application (whose
construction fetches the tenant's OpenID configuration) is built only when a
token must be fetched, with instance discovery off (Hunter uses one authority
host, so there are no aliases to look up). Network and service failures become
:class:`AuthError` with a one-line message, never a traceback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SCOPE = "https://api.partner.microsoft.com/user_impersonation"
AUTHORITY_HOST = "https://login.microsoftonline.com"


class AuthError(Exception):
    """Sign-in failed, or a setting is missing; the message (redacted, one line) says what to do."""

    def __init__(self, message: str) -> None:
        from ..redact import summary

        super().__init__(summary(message, 500))


class InteractionRequired(AuthError):
    """No usable token without the user: run `hunter auth login`."""


def cache_path() -> Path:
    """The token cache file (see :func:`hunter_cli.partner.token_cache.cache_path`)."""
    from .token_cache import cache_path as path

    return path()


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


# The keys of two sentences said in the command's language (hunter_cli/said.py, messages cli.auth.*)
NOT_CONFIGURED = "cli.auth.not_configured"
NO_CLIENT_ID = "cli.auth.no_client_id"


def _said(key: str, **values: Any):
    from ..said import Said

    return Said(key, **values)


def _os_why(exc: OSError):
    """Why the token cache file cannot be used, in the command's language."""
    from ..config import os_reason

    return os_reason(exc, exc.strerror or str(exc))


def _saved() -> dict:
    try:
        saved = json.loads(config_path().read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return saved if isinstance(saved, dict) else {}


def settings(client_id: str | None = None, tenant: str | None = None) -> Settings:
    """Client id and tenant from arguments, env (HUNTER_CLIENT_ID, HUNTER_TENANT_ID) or the saved config.

    Raises AuthError when no client id is configured anywhere.
    """
    found = optional_settings(client_id, tenant)
    if found is None:
        raise AuthError(_said(NO_CLIENT_ID))
    return found


def optional_settings(client_id: str | None = None, tenant: str | None = None) -> Settings | None:
    """Like :func:`settings`, but None when no client id is configured."""
    saved = _saved()
    from ..config import get

    cid = client_id or get("client_id") or saved.get("client_id")
    tid = tenant or get("tenant_id") or saved.get("tenant") or "organizations"
    if not cid or not isinstance(cid, str):
        return None
    return Settings(cid, str(tid))


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
    """The token cache file, and the MSAL app over it; use as a context manager around every token operation.

    ``settings`` may be None for the offline operations (:meth:`status`,
    :meth:`logout`, :meth:`has_account`); the others need a client id.
    ``scope`` is the resource's delegated scope (Partner Center by default;
    ``<environment URL>/user_impersonation`` for Dataverse); ``service`` and
    ``signin`` name it and its sign-in command in messages.
    """

    def __init__(
        self,
        s: Settings | None,
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
        self._app: Any = None  # msal.PublicClientApplication, built on first use
        self.cache: Any = None  # msal_extensions.PersistedTokenCache while inside the context

    def __enter__(self) -> TokenStore:
        from .token_cache import TokenCacheError, open_cache

        try:
            self.cache = open_cache()
        except TokenCacheError as exc:
            raise AuthError(exc.args[0] if exc.args else str(exc)) from None
        except OSError as exc:
            raise AuthError(_said("cli.auth.cache_unusable", path=str(self.path), why=_os_why(exc))) from None
        return self

    def __exit__(self, *exc) -> None:
        self.cache = None  # every change was saved as it was made, under msal-extensions' lock

    def _cache_guard(self):
        """A context that turns token cache failures (a file or keyring that cannot be used, the
        lock held too long) into a one-line AuthError."""
        import contextlib

        from msal_extensions import LockError

        path = self.path

        @contextlib.contextmanager
        def guard():
            try:
                yield
            except LockError:
                raise AuthError(_said("cli.auth.cache_locked", path=str(path))) from None
            except OSError as exc:
                raise AuthError(_said("cli.auth.cache_unusable", path=str(path), why=_os_why(exc))) from None

        return guard()

    @property
    def app(self):
        """The MSAL public client app (built on first use: building it asks the network)."""
        if self._app is None:
            import msal

            if self.settings is None:
                raise AuthError(_said(NO_CLIENT_ID))
            with self._service():
                self._app = msal.PublicClientApplication(
                    self.settings.client_id,
                    authority=self.settings.authority,
                    token_cache=self.cache,
                    http_client=self.http_client or make_http_client(),
                    instance_discovery=False,
                )
        return self._app

    def _service(self):
        """A context that turns network and identity-platform failures into a one-line AuthError."""
        import contextlib

        import httpx
        from msal.exceptions import MsalError

        host = AUTHORITY_HOST.split("://", 1)[-1]
        tenant = self.settings.tenant if self.settings else "?"

        @contextlib.contextmanager
        def guard():
            try:
                with self._cache_guard():  # MSAL writes the cache as tokens arrive
                    yield
            except httpx.TimeoutException:
                raise AuthError(_said("cli.auth.timeout", host=host)) from None
            except httpx.HTTPError as exc:
                error = exc.__class__.__name__
                raise AuthError(_said("cli.auth.unreachable", host=host, error=error)) from None
            except MsalError as exc:  # the service's own words, quoted in other languages
                raise AuthError(_said("cli.auth.service_failed", detail=str(exc))) from None
            except ValueError as exc:  # MSAL: tenant discovery refused (unknown tenant) or unreadable
                raise AuthError(_said("cli.auth.bad_tenant", tenant=repr(tenant), detail=str(exc))) from None
            except RuntimeError as exc:
                raise AuthError(_said("cli.auth.service_failed", detail=str(exc))) from None

        return guard()

    def _accounts(self) -> list[dict]:
        """Accounts in the cache (offline): signed-in users, whatever the authority host."""
        with self._cache_guard():
            return list(self.cache.search(self.cache.CredentialType.ACCOUNT))

    def has_account(self) -> bool:
        return bool(self._accounts())

    def device_login(self, show_message) -> dict:
        with self._service():
            flow = self.app.initiate_device_flow(scopes=[self.scope])
        if "user_code" not in flow:
            detail = flow.get("error_description") or flow.get("error") or _said("cli.auth.unknown_error")
            raise AuthError(_said("cli.auth.start_failed", detail=detail))
        show_message(flow["message"])
        with self._service():
            result = self.app.acquire_token_by_device_flow(flow)
        if "access_token" not in result:
            detail = result.get("error_description") or result.get("error")
            raise AuthError(_said("cli.auth.login_failed", detail=detail))
        return {"account": (result.get("id_token_claims") or {}).get("preferred_username")}

    def silent_token(self, force_refresh: bool = False) -> str:
        if not self.has_account():  # offline: nobody signed in, no need to ask the network
            raise InteractionRequired(_said("cli.auth.not_signed_in", service=self.service, signin=self.signin))
        with self._service():
            accounts = self.app.get_accounts()
            if not accounts:
                raise InteractionRequired(_said("cli.auth.not_signed_in", service=self.service, signin=self.signin))
            result = self.app.acquire_token_silent([self.scope], account=accounts[0], force_refresh=force_refresh)
        if not result or "access_token" not in result:
            raise InteractionRequired(_said("cli.auth.expired", service=self.service, signin=self.signin))
        return result["access_token"]

    def status(self) -> dict | None:
        """Who is signed in and until when the newest access token is valid; None if nobody. Offline."""
        accounts = self._accounts()
        if not accounts:
            return None
        expires = None
        with self._cache_guard():
            tokens = list(self.cache.search(self.cache.CredentialType.ACCESS_TOKEN))
        for at in tokens:
            try:
                expires = max(expires or 0, int(at.get("expires_on", 0)))
            except (TypeError, ValueError):
                pass
        return {
            "account": accounts[0].get("username"),
            "tenant": self.settings.tenant if self.settings else accounts[0].get("realm"),
            # ISO 8601 with the offset for --json; the text shows it in local time (hunter_cli.timefmt)
            "access_token_expires": datetime.fromtimestamp(expires, timezone.utc).isoformat(timespec="seconds")
            if expires
            else None,
            "token_cache": str(self.path),
            "encrypted": bool(getattr(self.cache, "is_encrypted", False)),
        }

    def logout(self) -> bool:
        """Remove every account and its tokens from the cache (offline); True if someone was signed in."""
        kinds = self.cache.CredentialType
        had = self.has_account()
        with self._cache_guard():  # each removal is written under msal-extensions' lock
            for rt in list(self.cache.search(kinds.REFRESH_TOKEN)):
                self.cache.remove_rt(rt)
            for at in list(self.cache.search(kinds.ACCESS_TOKEN)):
                self.cache.remove_at(at)
            for idt in list(self.cache.search(kinds.ID_TOKEN)):
                self.cache.remove_idt(idt)
            for account in list(self.cache.search(kinds.ACCOUNT)):
                self.cache.remove_account(account)
        return had


class TokenProvider:
    """What the API client asks for a bearer token; refresh() is called once after a 401."""

    def __init__(self, s: Settings | None, http_client=None) -> None:
        from ..config import get

        self.fixed = get("partner_token") or None
        self.settings = s
        self.http_client = http_client

    def token(self, force_refresh: bool = False) -> str:
        if self.fixed:
            return self.fixed
        if self.settings is None:
            raise InteractionRequired(_said(NOT_CONFIGURED))
        with TokenStore(self.settings, self.http_client) as store:
            return store.silent_token(force_refresh)

    @property
    def can_refresh(self) -> bool:
        return not self.fixed
