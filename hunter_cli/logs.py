"""Hunter's log: what was asked, retried and skipped, and why, on stderr or in a file.

Off by default (a command prints only its output and its messages). ``-v`` (info),
``-vv`` (debug), ``HUNTER_LOG_LEVEL`` or ``log_level`` in the config file turn it
on; ``--log-file FILE`` (``HUNTER_LOG_FILE``) appends it to a file instead, at
info unless a level is set (for cron). docs/config.md describes both.

Loggers are ``hunter.<module>`` (``hunter.dns``, ``hunter.retry``, ``hunter.inputs``,
``hunter.store``, ``hunter.tenant``, ``hunter.registration``). Every record
passes through :func:`hunter_cli.redact.redact` before it is written, so no
token reaches a terminal or a file. On a terminal the records go through Rich's
handler to the same stderr console as the progress bar (``cli.common.stderr_console``
returns it), so each line is printed above the bar, never through it; on a pipe
or a file they are plain lines like those of ``--log-file``.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = "hunter"
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}

_installed: list[logging.Handler] = []

console: Any = None
"""The Rich console the log writes to on a terminal (None otherwise): ``cli.common.stderr_console()``
returns it, so a progress bar and the log share one console and each line is printed above the bar."""


class _Redact(logging.Filter):
    """Replace each record's text by its redacted form (tokens, Authorization headers, JWTs, ...)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from .redact import redact

        record.msg = redact(record.getMessage())
        record.args = None
        return True


class _Stderr(logging.StreamHandler):
    """Plain lines on whatever ``sys.stderr`` is when a record comes (a pipe, a file, a test runner's capture)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # StreamHandler keeps the stream it was given; this one follows sys.stderr
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


class _FileFormatter(logging.Formatter):
    """``2026-11-29T22:05:01+03:00 INFO hunter.dns: ...``: local time with its offset (ISO 8601)."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's name)
        return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="seconds")


def setup(level: str | None, file: Path | None = None) -> None:
    """Send ``hunter.*`` records at ``level`` (debug, info, warning, error; None: off) to stderr or ``file``.

    Called once per command by the root callback; calling it again replaces the
    handlers it installed before. Raises OSError when ``file`` cannot be opened.
    """
    global console
    console = None
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
            from .render.formats import message_console

            stderr = message_console()
            if stderr.is_terminal:
                from rich.highlighter import NullHighlighter
                from rich.logging import RichHandler

                handler = RichHandler(
                    console=stderr,
                    show_path=False,
                    markup=False,
                    highlighter=NullHighlighter(),
                    log_time_format="%H:%M:%S",
                )
                handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
                console = stderr
            else:  # a pipe or a file: whole lines that grep finds, never wrapped at 80 columns
                handler = _Stderr()
                handler.setFormatter(_FileFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(_Redact())
    logger.addHandler(handler)
    _installed.append(handler)
