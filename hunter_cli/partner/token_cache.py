"""Where the MSAL token cache lives and how it is kept: msal-extensions' persisted cache.

Location: ``HUNTER_TOKEN_CACHE``, else ``msal_token_cache.json`` in the user
data folder (platformdirs' ``user_data_dir``), which cache cleaners leave
alone: ``~/.local/share/hunter`` on Linux (``$XDG_DATA_HOME``),
``~/Library/Application Support/hunter`` on macOS, ``%LOCALAPPDATA%\\hunter``
on Windows. A cache left in the old place (the user cache folder) by an
earlier release moves there once, on first use.

Store (``HUNTER_TOKEN_STORE``: ``auto``, the default; ``keyring``; ``file``):

* Windows: the file, encrypted for the signed-in user with DPAPI.
* macOS: the login Keychain (item "hunter"); the file only marks changes.
* Linux: the desktop keyring through libsecret (GNOME Keyring, KWallet) when
  PyGObject is installed and the process has a D-Bus session; otherwise, as on
  servers and in cron, a plain file, mode 0600, in a folder of mode 0700.
* ``file`` always uses the plain file; ``keyring`` refuses to fall back.

msal-extensions keeps the processes that share the cache (an interactive
shell, cron) consistent: every write happens under its cross-process lock
(``<file>.lockfile``, released by the operating system if a process dies) and
every read reloads the cache when another process changed it. A damaged or
undecryptable cache reads as empty: sign in again.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

FILE_NAME = "msal_token_cache.json"
STORES = ("auto", "keyring", "file")
KEYCHAIN_SERVICE = "hunter"


class TokenCacheError(Exception):
    """The token cache cannot be opened as configured; the message says what to change."""


def default_cache_path() -> Path:
    """``msal_token_cache.json`` in the user data folder: the token cache when ``token_cache`` is unset."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("hunter", appauthor=False)) / FILE_NAME


def cache_path() -> Path:
    """The token cache file: ``HUNTER_TOKEN_CACHE``, else :func:`default_cache_path`."""
    from ..config import get

    return Path(get("token_cache") or default_cache_path())


def legacy_path() -> Path:
    """Where releases up to 0.1.0 kept it: the user cache folder, which cleaners wipe."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("hunter", appauthor=False)) / FILE_NAME


def store_setting() -> str:
    """``HUNTER_TOKEN_STORE`` (auto, keyring or file); raises TokenCacheError for anything else."""
    from ..config import get

    value = (get("token_store") or "auto").strip().lower()
    if value not in STORES:
        from ..said import Said

        raise TokenCacheError(Said("cli.auth.bad_store", value=repr(value), choices=", ".join(STORES)))
    return value


def _private_file_persistence(path: Path) -> Any:
    from msal_extensions import FilePersistence

    class PrivateFile(FilePersistence):
        """A plain file, mode 0600, replaced atomically so a reader never sees half a cache."""

        def __init__(self, location: str) -> None:
            folder = os.path.dirname(location)
            if folder and not os.path.isdir(folder):
                os.makedirs(folder, mode=0o700, exist_ok=True)
            super().__init__(location)

        def save(self, content: str) -> None:
            tmp = self.get_location() + ".tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.get_location())

    return PrivateFile(str(path))


def _encrypted_persistence(path: Path, setting: str) -> Any:
    """The platform's encrypted store, or raises (ImportError, OSError, RuntimeError...) where there is none."""
    from msal_extensions import FilePersistenceWithDataProtection, KeychainPersistence, LibsecretPersistence

    if sys.platform == "win32":
        return FilePersistenceWithDataProtection(str(path))
    if sys.platform == "darwin":
        return KeychainPersistence(str(path), service_name=KEYCHAIN_SERVICE, account_name=str(path))
    if sys.platform.startswith("linux"):
        from ..config import session_bus

        if setting == "auto" and not session_bus():
            raise RuntimeError("no D-Bus session (cron, ssh, a server): no keyring to ask")
        return LibsecretPersistence(
            str(path), schema_name="hunter.token_cache", attributes={"application": "hunter", "cache": str(path)}
        )
    raise RuntimeError(f"no keyring support for {sys.platform}")


def persistence(path: Path, setting: str | None = None) -> Any:
    """The msal-extensions persistence for ``path`` under ``setting`` (see the module docstring).

    Raises TokenCacheError when Windows or macOS cannot open their encrypted
    store, or when ``keyring`` was asked for and none is there.
    """
    setting = setting or store_setting()
    if setting == "file":
        return _tolerant(_private_file_persistence(path))
    try:
        return _tolerant(_encrypted_persistence(path, setting))
    except Exception as exc:  # each platform raises its own kind (ImportError, OSError, gi's GLib.Error...)
        if setting == "auto" and sys.platform not in ("win32", "darwin"):
            return _tolerant(_private_file_persistence(path))  # Linux without a keyring: the 0600 file
        from ..said import Said

        what = Said(f"cli.auth.store.{sys.platform if sys.platform in ('win32', 'darwin') else 'other'}")
        error = f"{exc.__class__.__name__}: {exc}"
        raise TokenCacheError(Said("cli.auth.no_keyring", what=what, error=error)) from None


def _tolerant(inner: Any) -> Any:
    from msal_extensions.persistence import BasePersistence, PersistenceDecryptionError

    class Tolerant(BasePersistence):
        """Reads a cache that cannot be decrypted (another user's, a copied file) or decoded as
        empty; the next save replaces it."""

        is_encrypted = inner.is_encrypted

        def save(self, content: str) -> None:
            inner.save(content)

        def load(self) -> str:
            try:
                return str(inner.load())
            except (PersistenceDecryptionError, UnicodeDecodeError):  # damaged: same as empty
                return ""

        def time_last_modified(self) -> float:
            return float(inner.time_last_modified())

        def get_location(self) -> str:
            return str(inner.get_location())

    return Tolerant()


def open_cache(path: Path | None = None) -> Any:
    """A ``msal_extensions.PersistedTokenCache`` (an ``msal.SerializableTokenCache``) over the configured store.

    Moves an old cache from :func:`legacy_path` first (once). Raises
    TokenCacheError (store unavailable, setting wrong) or OSError (folder not
    writable).
    """
    from msal_extensions import PersistedTokenCache

    class Cache(PersistedTokenCache):
        def deserialize(self, state: str | None) -> None:
            try:
                data = json.loads(state) if state else {}
            except ValueError:
                data = None
            super().deserialize(state if isinstance(data, dict) else None)  # damaged: same as empty

    target = path or cache_path()
    store = persistence(target)
    cache = Cache(store, lock_location=store.get_location() + ".lockfile")
    from ..config import get

    if path is None and not get("token_cache"):
        _migrate(store)
    return cache


def _migrate(store: Any) -> None:
    """Move the cache an earlier release left in the user cache folder into ``store``, once."""
    from msal_extensions import CrossPlatLock

    old = legacy_path()
    if not old.is_file():
        return
    with CrossPlatLock(store.get_location() + ".lockfile"):  # the lock the cache itself writes under
        if not old.is_file() or Path(store.get_location()).exists():
            return
        try:
            text = old.read_text("utf-8")
            if isinstance(json.loads(text or "{}"), dict):
                store.save(text)
        except (OSError, ValueError):
            return  # unreadable: leave it, sign in again
        for leftover in (old, Path(str(old) + ".lock"), old.with_suffix(".tmp")):
            with contextlib.suppress(OSError):
                leftover.unlink()


__all__ = ["TokenCacheError", "cache_path", "legacy_path", "open_cache", "persistence", "store_setting"]
