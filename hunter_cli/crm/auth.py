"""Sign-in to Dataverse: the environment URL, its scope, and where a bearer token comes from.

Reuses the Partner Center set-up (:mod:`hunter_cli.partner.auth`): the same
public client (``HUNTER_CLIENT_ID`` / ``HUNTER_TENANT_ID``), the same MSAL
token cache (msal-extensions: encrypted by the operating system where it can be,
else a file of mode 0600; a cross-process lock; shared with cron), device-code sign-in.
Only the scope differs: ``<environment URL>/user_impersonation``, the
delegated permission "Dynamics CRM / user_impersonation" (Microsoft Learn,
"Use OAuth authentication with Microsoft Dataverse"). Automation that already
holds a token passes it in ``HUNTER_CRM_TOKEN``; it is used as is, with no
MSAL call. Tokens are never printed, logged or stored by Hunter.
"""

from __future__ import annotations

import ipaddress
import json
import threading
from pathlib import Path
from urllib.parse import urlsplit

from ..partner.auth import AuthError, InteractionRequired, Settings, TokenStore
from ..said import Said

__all__ = [
    "AuthError",
    "CrmConfigError",
    "CrmTokens",
    "InteractionRequired",
    "environment_url",
    "is_loopback",
    "normalise_url",
    "save_environment",
    "scope_for",
    "token_store",
]

SIGNIN = "hunter crm login"
SERVICE = "Dynamics 365"


class CrmConfigError(ValueError):
    """No usable environment URL; the message says how to give one."""


def config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("hunter", appauthor=False)) / "crm.json"


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalise_url(text: str) -> str:
    """``https://contoso.crm4.dynamics.com/`` -> ``https://contoso.crm4.dynamics.com``.

    The environment URL is scheme and host only (what Power Platform admin
    center shows as "Environment URL"); https is required, plain http only for
    a loopback test server. Raises :class:`CrmConfigError`.
    """
    raw = text.strip()
    parts = urlsplit(raw if "://" in raw else f"https://{raw}")
    if not parts.hostname:
        raise CrmConfigError(Said("cli.crm.not_env_url", value=repr(text)))
    if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback(parts.hostname)):
        raise CrmConfigError(Said("cli.crm.not_https", value=repr(text)))
    if parts.path.strip("/") or parts.query or parts.fragment or parts.username or parts.password:
        raise CrmConfigError(Said("cli.crm.url_with_path", value=repr(text)))
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _saved() -> dict:
    try:
        data = json.loads(config_path().read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def environment_url(flag: str | None = None) -> str:
    """The Dataverse environment: ``--url``, else ``HUNTER_CRM_URL``, else the one saved by ``hunter crm login``."""
    from ..config import get

    value = flag or get("crm_url") or _saved().get("url")
    if not value:
        raise CrmConfigError(Said("cli.crm.no_environment"))
    return normalise_url(str(value))


def save_environment(url: str) -> None:
    from ..datafiles import atomic_write

    atomic_write(config_path(), json.dumps({"url": url}).encode())


def scope_for(url: str) -> str:
    """The delegated scope for an environment: ``https://contoso.crm4.dynamics.com/user_impersonation``."""
    return f"{url.rstrip('/')}/user_impersonation"


def token_store(settings: Settings, url: str, http_client=None) -> TokenStore:
    """The shared MSAL token store, asking for the environment's scope."""
    return TokenStore(settings, http_client, scope=scope_for(url), service=SERVICE, signin=SIGNIN)


class CrmTokens:
    """Bearer tokens for one environment: ``HUNTER_CRM_TOKEN`` as is, else silent MSAL only.

    Thread-safe: push workers share it; after a 401 the first worker to ask
    refreshes once and the others get the new token. Raises
    :class:`InteractionRequired` when sign-in is needed (exit code 3).
    """

    def __init__(self, url: str, settings: Settings | None, http_client=None) -> None:
        self.url = url
        from ..config import get

        self.fixed = get("crm_token") or None
        self.settings = settings
        self.http_client = http_client
        self._lock = threading.Lock()
        self._current: str | None = None
        self._generation = 0

    @property
    def can_refresh(self) -> bool:
        return not self.fixed

    @property
    def secrets(self) -> tuple[str, ...]:
        """The token strings in use, for redaction."""
        return tuple(t for t in (self.fixed, self._current) if t)

    def token(self) -> tuple[str, int]:
        """(token, generation); pass the generation to :meth:`refresh` after a 401."""
        if self.fixed:
            return self.fixed, 0
        with self._lock:
            if self._current is None:
                self._current = self._acquire(False)
            return self._current, self._generation

    def refresh(self, generation: int) -> tuple[str, int]:
        """A fresh token, unless another thread already refreshed since ``generation``."""
        if self.fixed:
            return self.fixed, 0
        with self._lock:
            if generation == self._generation:
                self._current = self._acquire(True)
                self._generation += 1
            assert self._current is not None
            return self._current, self._generation

    def _acquire(self, force: bool) -> str:
        if self.settings is None:
            raise InteractionRequired(Said("cli.auth.not_signed_in", service=SERVICE, signin=SIGNIN))
        with token_store(self.settings, self.url, self.http_client) as store:
            return store.silent_token(force_refresh=force)
