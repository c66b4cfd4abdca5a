"""Bundled data files and the user's refreshed copies of them.

Hunter downloads nothing at run time except the lookups a command exists for.
The public suffix list and IANA's RDAP bootstrap ship with the package;
``hunter data update`` fetches newer copies into the user data folder, and the
loaders prefer those when they are present and valid.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PSL_URL = "https://publicsuffix.org/list/public_suffix_list.dat"
PSL_FILENAME = "public_suffix_list.dat"


class DataFileError(ValueError):
    """A downloaded data file is missing or not what it should be."""


def user_data_path(name: str) -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("hunter", appauthor=False)) / name


def atomic_write(target: Path, data: bytes) -> Path:
    """Write through a temporary file and ``os.replace``: a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target


def validate_psl(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    if "===BEGIN ICANN DOMAINS===" not in text or "\ncom\n" not in text:
        raise DataFileError("this does not look like the public suffix list")


def user_psl() -> Path | None:
    """The refreshed public suffix list, when one has been downloaded."""
    p = user_data_path(PSL_FILENAME)
    return p if p.is_file() else None


async def refresh_psl(client, url: str = PSL_URL) -> Path:
    import httpx

    try:
        resp = await client.get(url, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise DataFileError(f"cannot download {url}: {exc.__class__.__name__}") from None
    if resp.status_code != 200:
        raise DataFileError(f"cannot download {url}: HTTP {resp.status_code}")
    validate_psl(resp.content)
    return atomic_write(user_data_path(PSL_FILENAME), resp.content)


def cached_parse(path, parse):
    """``parse(open(path, "rb"))``, remembered in the user cache folder under the file's hash.

    A damaged or unreadable cache entry is simply rebuilt; the cache is an
    optimisation, never a source of truth.
    """
    import io
    import pickle
    import zlib

    from platformdirs import user_cache_dir

    data = Path(path).read_bytes()
    key = f"{len(data)}-{zlib.crc32(data):08x}"  # a cache key, not a security check (hashlib costs 2 ms to import)
    cache = Path(user_cache_dir("hunter", appauthor=False)) / f"parsed-{Path(path).name}-{key}.pickle"
    try:
        return pickle.loads(cache.read_bytes())
    except Exception:  # missing, damaged, or from another library version
        pass
    value = parse(io.BytesIO(data))
    try:
        atomic_write(cache, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass
    return value
