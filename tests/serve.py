"""Pieces the test servers share: a dict with normalised keys, and the subprocess runner."""

from __future__ import annotations

import signal
import sys
import threading


def serve_until_signalled(server, address: str) -> int:
    """Start ``server``, print ``READY <address>`` (flushed), stop it cleanly on SIGTERM or SIGINT."""
    done = threading.Event()

    def _on_signal(signum, frame):
        done.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    server.start()
    sys.stdout.write(f"READY {address() if callable(address) else address}\n")
    sys.stdout.flush()
    try:
        while not done.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


class NormDict(dict):
    """dict whose keys go through `norm`; values are validated by `check(value)`;
    calls `on_set(key)` on every (re)set/removal."""

    def __init__(self, norm, data=None, on_set=None, check=None):
        super().__init__()
        self._norm = norm
        self._on_set = on_set
        self._check = check
        if data:
            self.update(data)

    def __setitem__(self, key, value):
        key = self._norm(key)
        if self._check is not None:
            self._check(value)
        super().__setitem__(key, value)
        if self._on_set is not None:
            self._on_set(key)

    def __getitem__(self, key):
        return super().__getitem__(self._norm(key))

    def __delitem__(self, key):
        key = self._norm(key)
        super().__delitem__(key)
        if self._on_set is not None:
            self._on_set(key)

    def __contains__(self, key):
        return super().__contains__(self._norm(key))

    def get(self, key, default=None):
        return super().get(self._norm(key), default)

    def pop(self, key, *default):
        key = self._norm(key)
        had = super().__contains__(key)
        v = super().pop(key, *default)
        if had and self._on_set is not None:
            self._on_set(key)
        return v

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args, **kwargs):
        for k, v in dict(*args, **kwargs).items():
            self[k] = v

    def clear(self):
        keys = list(self)
        super().clear()
        if self._on_set is not None:
            for k in keys:
                self._on_set(k)
