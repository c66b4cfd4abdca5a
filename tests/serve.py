"""Run one of the test servers as a subprocess: start it, say READY, serve until SIGTERM/SIGINT."""

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
