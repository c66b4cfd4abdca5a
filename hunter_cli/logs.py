"""Hunter's log: what was asked, retried and skipped, and why, on stderr or in a file.

Off by default (a command prints only its output and its messages). ``-v`` (info),
``-vv`` (debug), ``HUNTER_LOG_LEVEL`` or ``log_level`` in the config file turn it
on; ``--log-file FILE`` (``HUNTER_LOG_FILE``) appends it to a file instead, at
info unless a level is set (for cron). docs/config.md describes both.

Loggers are ``hunter.<module>`` (``hunter.dns``, ``hunter.retry``, ``hunter.inputs``,
``hunter.store``, ``hunter.tenant``, ``hunter.registration``). Every record
passes through :func:`hunter_cli.redact.redact` before it is written, so no
token reaches a terminal or a file. On stderr the records go through Rich's
handler to a stderr console, so while a progress bar shows (Rich redirects
stderr above it) a log line never lands in the middle of the bar.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

ROOT = "hunter"
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}

_installed: list[logging.Handler] = []


class _Redact(logging.Filter):
    """Replace each record's text by its redacted form (tokens, Authorization headers, JWTs, ...)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from .redact import redact

        record.msg = redact(record.getMessage())
        record.args = None
        return True


class _FileFormatter(logging.Formatter):
    """``2026-11-29T22:05:01+03:00 INFO hunter.dns: ...``: local time with its offset (ISO 8601)."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's name)
        return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="seconds")


def setup(level: str | None, file: Path | None = None) -> None:
    """Send ``hunter.*`` records at ``level`` (debug, info, warning, error; None: off) to stderr or ``file``.

    Called once per command by the root callback; calling it again replaces the
    handlers it installed before. Raises OSError when ``file`` cannot be opened.
    """
    logger = logging.getLogger(ROOT)
    for old in _installed:
        logger.removeHandler(old)
        old.close()
    _installed.clear()
    logger.propagate = False  # never into a root logger another library configured
    handler: logging.Handler
    if level is None and file is None:
        handler = logging.NullHandler()  # silent: not even Python's last-resort handler
        logger.setLevel(logging.WARNING)
    else:
        logger.setLevel(LEVELS[level or "info"])
        if file is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(file, mode="a", encoding="utf-8")
            handler.setFormatter(_FileFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        else:
            from rich.console import Console
            from rich.logging import RichHandler

            # A console with no file of its own writes to whatever sys.stderr is at the time:
            # Rich's proxy above a live progress bar, or the test runner's capture.
            handler = RichHandler(
                console=Console(stderr=True, highlight=False),
                show_path=False,
                markup=False,
                highlighter=None,
                log_time_format="%H:%M:%S",
            )
            handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        handler.addFilter(_Redact())
    logger.addHandler(handler)
    _installed.append(handler)
