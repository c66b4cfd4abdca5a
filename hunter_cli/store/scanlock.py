"""The scan lock: one writer of scan results at a time, and who that writer is.

A scan (bulk ``hunter scan``, ``hunter rescan``, prep's one-domain rescan, the scan after a
partner import) and ``hunter db vacuum`` hold an exclusive file lock on ``<db>.lock`` beside the
real database file (a symlink or another spelling of the path names the same lock). The holder
writes what it is (:class:`Holder`) into ``<db>.lock-holder`` right after taking the lock, so a
command that finds the lock taken can say what holds it, and a bulk scan can wait the second or
so that a prep holds it rather than refuse (docs/cli.md, "Concurrency").
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..said import Said
from .core import real_path

# The kinds of holder; a prep holds the lock for one domain's scan (seconds), the others for long.
KINDS = ("scan", "rescan", "prep", "partner", "vacuum")
# How often a waiter looks at the lock again.
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Holder:
    """What holds the scan lock: ``kind`` (one of :data:`KINDS`) and, for a prep, its ``domain``."""

    kind: str
    domain: str = ""

    @property
    def brief(self) -> bool:
        """True for a holder that keeps the lock for one domain's scan only (a prep): worth waiting for."""
        return self.kind == "prep"

    def said(self) -> Said:
        """The holder in words ("a prep of example.com", "a bulk scan"), messages ``cli.lock.holder.*``."""
        if self.kind == "prep":
            return Said("cli.lock.holder.prep", domain=self.domain)
        return Said("cli.lock.holder." + (self.kind if self.kind in KINDS else "unknown"))


UNKNOWN = Holder("unknown")


def lock_path(path: str | os.PathLike) -> Path:
    """The lock file of the store at ``path`` (beside the real file)."""
    return Path(str(real_path(path)) + ".lock")


def holder_path(path: str | os.PathLike) -> Path:
    """The file where the lock's holder writes what it is."""
    return Path(str(real_path(path)) + ".lock-holder")


def holder_of(path: str | os.PathLike) -> Holder:
    """What holds the lock on ``path`` now, as it wrote itself; :data:`UNKNOWN` when it has not said
    (a Hunter from before the holder file, or the instant between taking the lock and writing)."""
    try:
        data = json.loads(holder_path(path).read_text(encoding="utf-8"))
        return Holder(str(data["kind"]), str(data.get("domain") or ""))
    except (OSError, ValueError, KeyError, TypeError):
        return UNKNOWN


class ScanLock:
    """The scan lock of the store at ``path`` for ``holder``. :meth:`acquire` takes it (raising
    :class:`LockTaken` naming the holder); :meth:`release` gives it back and removes the holder file."""

    def __init__(self, path: str | os.PathLike, holder: Holder) -> None:
        from filelock import FileLock

        self.path, self.holder = path, holder
        self._lock = FileLock(str(lock_path(path)))

    def try_acquire(self) -> bool:
        """Take the lock if it is free now; raises OSError when the lock file cannot be made."""
        from filelock import Timeout

        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            return False
        try:
            holder_path(self.path).write_text(
                json.dumps({"kind": self.holder.kind, "domain": self.holder.domain, "pid": os.getpid()}),
                encoding="utf-8",
            )
        except OSError:
            pass  # the lock holds without it; others name the holder "another hunter process"
        return True

    def acquire(
        self,
        *,
        wait_limit: float = 0.0,
        on_wait: Callable[[Holder, float], None] | None = None,
    ) -> None:
        """Take the lock. While a brief holder (a prep) has it, try again for up to ``wait_limit``
        seconds, calling ``on_wait(holder, seconds)`` after each try; a long holder (a bulk scan,
        a rescan, a vacuum), or a brief one still there after ``wait_limit``, raises :class:`LockTaken`."""
        started = time.monotonic()
        unknown_since: float | None = None
        while not self.try_acquire():
            holder = holder_of(self.path)
            now = time.monotonic()
            waited = now - started
            # an unknown holder may be one that has just taken the lock and not yet said what it is, or
            # one releasing it (its holder file goes first): half a second of grace from when it was seen
            unknown_since = (unknown_since or now) if holder is UNKNOWN else None
            in_grace = unknown_since is not None and now - unknown_since < UNKNOWN_GRACE
            if (not holder.brief and not in_grace) or waited >= wait_limit:
                raise LockTaken(holder, waited)
            if on_wait is not None:
                on_wait(holder, waited)
            time.sleep(POLL_SECONDS)

    def release(self) -> None:
        """Give the lock back (the holder file first, so nobody reads it as the next holder's)."""
        try:
            holder_path(self.path).unlink(missing_ok=True)
        except OSError:
            pass
        self._lock.release()


UNKNOWN_GRACE = 0.5  # seconds a holder that does not say what it is may be between taking and releasing


class LockTaken(Exception):
    """The scan lock is held by ``holder`` (waited ``seconds`` for it)."""

    def __init__(self, holder: Holder, seconds: float = 0.0) -> None:
        super().__init__(holder.kind)
        self.holder, self.seconds = holder, seconds


def lock_free(path: str | os.PathLike) -> Holder | None:
    """None when no one holds the scan lock on ``path`` now, else what holds it (prep's check before a rescan)."""
    lock = ScanLock(path, UNKNOWN)
    from filelock import Timeout

    try:
        lock._lock.acquire(timeout=0)
    except Timeout:
        return holder_of(path)
    lock._lock.release()
    return None
