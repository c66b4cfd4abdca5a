"""The stored form of a scan result's JSON (``domains.current_view``, ``scans.result``).

A result is about 3 KB of compact JSON, most of it the same keys and evidence sentences in every
row. Stored as zlib data (RFC 1950: DEFLATE with a checksum) compressed against a preset
dictionary of typical results (RFC 1950 section 2.2, FDICT), it takes 130 to 600 bytes, so a
``domains`` row no longer fills a 4 KB page on its own (docs/performance.md, "Disk").

Layout: one byte, the dictionary's version, then the zlib stream. The dictionary of a version
never changes (it is bundled as ``result-<version>.zdict``); a better one is a new version, and
every version ever shipped stays readable. The zlib header names the dictionary by its Adler-32
and the stream ends with the text's Adler-32, so a damaged value fails to unpack instead of
reading as another result.

A superseded result (an older scan of a domain scanned again) is stored as a *delta*: the same
layout, but compressed against the dictionary followed by the text of a newer result of the same
domain, its *base* (``scans.result_base``, schema migration 19). Week-apart scans of a company that
changed nothing differ only in their time, so the delta is 40 to 80 bytes where the result alone
packs to about 370 (docs/performance.md, "Disk"). A wrong or damaged base fails the zlib
dictionary check (its Adler-32) instead of reading as another result.
"""

from __future__ import annotations

import json
import zlib
from functools import cache
from importlib.resources import files
from typing import Any

from .core import StoreError

VERSION = 1  # the dictionary :func:`pack` uses
LEVEL = 6  # zlib's default: level 9 saves 6 bytes a row for 15 % more CPU
# zlib's memLevel (1 to 9): the compressor's hash table and symbol buffer, 384 KB of state at 9 and 160 KB at
# 6, all of which every copy of the primed compressor moves. In the writer, between other work, a copy took
# 190 to 310 µs a result at 9 and about 55 at 6; the results packed to the same mean size (docs/performance.md).
MEM_LEVEL = 6
WINDOW = 1 << zlib.MAX_WBITS  # DEFLATE's window (RFC 1951 2): the most of a preset dictionary a stream refers to


class PackError(StoreError, ValueError):
    """A stored value that does not unpack: an unknown dictionary version, or damaged data. A
    StoreError, so commands report it in one line (exit 1) like any other damage to the file."""


@cache
def dictionary(version: int) -> bytes:
    """The preset dictionary of ``version`` (at most 32 KB, DEFLATE's window); PackError if none."""
    try:
        return files(__package__).joinpath(f"result-{version}.zdict").read_bytes()
    except (FileNotFoundError, OSError):
        raise PackError(f"stored result packed with dictionary {version}, which this Hunter does not have") from None


@cache
def _primed() -> Any:
    """A compressor with the dictionary loaded; each result is packed by a copy of it (loading a 32 KB
    dictionary into a fresh compressor took 64 µs a result, a copy 27: the bytes are the same). Any
    memLevel gives a stream every zlib inflates (RFC 1951 leaves how matches are found to the compressor)."""
    return zlib.compressobj(
        LEVEL, zlib.DEFLATED, zlib.MAX_WBITS, MEM_LEVEL, zlib.Z_DEFAULT_STRATEGY, dictionary(VERSION)
    )


def pack(text: str) -> bytes:
    """The stored form of a result's JSON text: version byte + zlib stream (UTF-8 inside)."""
    z = _primed().copy()
    return bytes((VERSION,)) + z.compress(text.encode()) + z.flush()


def _delta_dictionary(version: int, base: str) -> bytes:
    """The preset dictionary of ``version`` followed by ``base`` (UTF-8), cut to DEFLATE's 32 KB window
    (its end is kept: the base, which a superseded result repeats, sits nearest)."""
    return (dictionary(version) + base.encode())[-WINDOW:]


def pack_delta(text: str, base: str) -> bytes:
    """The stored form of ``text`` as a delta against ``base`` (the text of a newer result of the same
    domain): version byte + zlib stream whose preset dictionary is the version's dictionary then ``base``."""
    z = zlib.compressobj(
        LEVEL, zlib.DEFLATED, zlib.MAX_WBITS, MEM_LEVEL, zlib.Z_DEFAULT_STRATEGY, _delta_dictionary(VERSION, base)
    )
    return bytes((VERSION,)) + z.compress(text.encode()) + z.flush()


def unpack_delta(value: bytes, base: str) -> str:
    """The JSON text of a delta (:func:`pack_delta`) given its base's text. Raises PackError when the value
    is damaged or ``base`` is not the text it was packed against."""
    if not isinstance(value, bytes) or not value:
        raise PackError("stored result delta is empty or not packed")
    return _inflate(value, _delta_dictionary(value[0], base))


def unpack(value: bytes | str | None) -> str | None:
    """The JSON text of a stored value; text (a row written before migration 9) and None pass through.

    Raises PackError for a value that is not a packed result (unknown version, damaged data)."""
    if value is None or isinstance(value, str):
        return value
    if not value:
        raise PackError("stored result is empty")
    return _inflate(value, dictionary(value[0]))


def _inflate(value: bytes, zdict: bytes) -> str:
    """The UTF-8 text of the zlib stream after ``value``'s version byte, with preset dictionary ``zdict``."""
    z = zlib.decompressobj(zlib.MAX_WBITS, zdict=zdict)
    try:
        data = z.decompress(value[1:]) + z.flush()
    except zlib.error as exc:
        raise PackError(
            f"a stored result is damaged ({exc}); `hunter db check` lists it,"
            " and scanning the domain again replaces its current view"
        ) from None
    if not z.eof:
        raise PackError("stored result is cut short")
    return data.decode()


def loads(value: bytes | str) -> Any:
    """The stored value parsed (:func:`unpack`, then JSON); PackError or ValueError when it is not a result."""
    return json.loads(unpack(value) or "null")
