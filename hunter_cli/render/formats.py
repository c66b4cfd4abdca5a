"""One output interface for every command: a ``Format`` enum and a registry of formatters.

A command parses its ``--format``/``--json`` options into a :class:`Format`, gets a
typed result from a service and calls :func:`render` with the kind of result
(``"brief"``, ``"changes"``, ``"leads"``, ...). Each kind declares the formats it
supports by registering one formatter per format (:func:`formatter`); the
formatters live in the render module of their kind (:data:`MODULES`) and are
imported only when used, so `hunter --help` stays fast. Data goes to stdout;
messages (counts, "nothing matches") to stderr.

A command's ``--format`` choices are an Enum made from a subset of
:class:`Format` (:func:`choices`), so Typer lists and checks exactly the formats
that command supports.
"""

from __future__ import annotations

import enum
import importlib
import sys
from collections.abc import Callable
from typing import Any, BinaryIO, TextIO, TypeVar, cast

T = TypeVar("T")


class Format(str, enum.Enum):
    """Every output format Hunter writes.

    ``table`` and ``rich`` are for people (Rich, on a terminal's width; ``rich`` is the
    brief's panels); ``json`` is one JSON document; ``ndjson`` one JSON object per line;
    ``csv`` UTF-8 with BOM for Excel, formula-safe (render/csvsafe.py); ``markdown`` for a
    CRM note or an e-mail.
    """

    table = "table"
    rich = "rich"
    json = "json"
    ndjson = "ndjson"
    csv = "csv"
    markdown = "markdown"

    @classmethod
    def of(cls, value: Any) -> Format:
        """The Format of a command's choice (a :func:`choices` member, a Format or its value)."""
        return cls(getattr(value, "value", value))


def choices(name: str, *formats: Format) -> Any:
    """A str Enum named ``name`` whose members are ``formats`` (same names and values): a command's choices."""
    return enum.Enum(name, {f.name: f.value for f in formats}, type=str)


def data_console(file: TextIO | None = None) -> Any:
    """A Rich console for data on stdout (or ``file``). When the reader goes away (``| head``) it
    raises :class:`~hunter_cli.exits.OutputClosed`, which ``hunter``'s entry point ends as exit 141,
    instead of Rich's own ``SystemExit(1)``: a closed pipe is not a failure (docs/cli.md, exit codes)."""
    from rich.console import Console

    from ..exits import OutputClosed

    class DataConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise OutputClosed

    return DataConsole(file=file, highlight=False, emoji=False)  # ':smile:' in a company name stays text


def message_console() -> Any:
    """A Rich console for messages on stderr. When the reader of stderr goes away (``hunter changes 2>&1 | head``)
    it points stderr at the null device and raises :class:`~hunter_cli.exits.OutputClosed`, which ``hunter``'s
    entry point ends quietly as exit 141, as on stdout; Rich's own answer is ``SystemExit(1)``, a failure to
    cron (trial 32)."""
    from rich.console import Console

    from ..exits import OutputClosed

    class MessageConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            quiet_output(sys.stderr)
            raise OutputClosed

    return MessageConsole(stderr=True, highlight=False, emoji=False)  # names from DNS and files stay as written


class Output:
    """Where a formatter writes: stdout for data (text, bytes or a Rich console), stderr for messages."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream: TextIO = stream if stream is not None else sys.stdout
        self._console: Any = None
        self._err: Any = None

    @property
    def console(self) -> Any:
        """A Rich console on stdout (colour only on a terminal, NO_COLOR respected)."""
        if self._console is None:
            self._console = data_console(self.stream if self.stream is not sys.stdout else None)
        return self._console

    @property
    def err(self) -> Any:
        """A Rich console on stderr for messages."""
        if self._err is None:
            self._err = message_console()
        return self._err

    def write(self, text: str) -> None:
        self.stream.write(text)

    def binary(self) -> BinaryIO:
        """The byte stream under stdout (flushed first), for writers that encode themselves (CSV)."""
        self.stream.flush()
        return cast("BinaryIO", getattr(self.stream, "buffer", self.stream))


Formatter = Callable[[Any, Output], None]
"""A formatter writes one kind of typed result in one format: ``formatter(value, out)``."""

# kind -> the module that registers its formatters
MODULES = {
    "scan": "hunter_cli.render.scan_tables",
    "brief": "hunter_cli.render.brief",
    "changes": "hunter_cli.render.changes",
    "referrals": "hunter_cli.render.referrals",
    "leads": "hunter_cli.render.leads",
    "lead": "hunter_cli.render.leads",
    "explain": "hunter_cli.render.explain",
    "db-check": "hunter_cli.render.maintenance",
    "settings": "hunter_cli.render.settings",
    "db-prune": "hunter_cli.render.maintenance",
    "db-vacuum": "hunter_cli.render.maintenance",
    "auth-status": "hunter_cli.render.accounts",
    "crm-status": "hunter_cli.render.accounts",
    "crm-push": "hunter_cli.render.accounts",
    "crm-pull": "hunter_cli.render.accounts",
}

_REGISTRY: dict[tuple[str, Format], Formatter] = {}


def formatter(kind: str, *formats: Format) -> Callable[[Callable[[T, Output], None]], Callable[[T, Output], None]]:
    """Register the decorated function as the formatter of ``kind`` for each of ``formats``."""

    def register(fn: Callable[[T, Output], None]) -> Callable[[T, Output], None]:
        for fmt in formats:
            _REGISTRY[(kind, fmt)] = fn
        return fn

    return register


def supported(kind: str) -> tuple[Format, ...]:
    """The formats ``kind`` can be written in, in Format order."""
    _load(kind)
    return tuple(f for f in Format if (kind, f) in _REGISTRY)


def render(kind: str, fmt: Any, value: Any, out: Output | None = None) -> None:
    """Write ``value`` (a result of ``kind``) in ``fmt``; ValueError when ``kind`` has no such format.

    A reader that goes away mid-way (``| head``) raises :class:`~hunter_cli.exits.OutputClosed`
    (exit 141), whichever formatter was writing."""
    _load(kind)
    f = Format.of(fmt)
    try:
        fn = _REGISTRY[(kind, f)]
    except KeyError:
        raise ValueError(f"{kind} cannot be written as {f.value}") from None
    target = out or Output()
    try:
        fn(value, target)
        target.stream.flush()  # what a buffer still holds fails here, inside this handling, not at exit
    except BrokenPipeError:
        from ..exits import OutputClosed

        quiet_output(target.stream)
        raise OutputClosed from None


PIPE_BUFFER = 64 << 10  # what a Linux pipe holds (pipe(7)): a list up to this size is written in one piece


def whole_lists_on_pipes() -> None:
    """Give standard output a buffer of :data:`PIPE_BUFFER` bytes when it is not a terminal, for a command
    that writes a list (``leads``, ``changes``, ``referrals list``).

    A reader that takes only the first lines (``| head -2``) then sees every format alike: a list that
    fits in the pipe is written at once, before the reader can go away, and the command exits 0; a
    longer one meets the closed pipe in every format, exit 141 (docs/cli.md, exit codes). With Python's
    8 KiB buffer it depended on how a format's writes fell: CSV (written in pieces as SQLite gives
    them) exited 141 where JSON of the same leads exited 0. No-op on a terminal, or when stdout is no
    file (tests' captured output)."""
    import io

    stream = sys.stdout
    try:
        if stream is None or stream.isatty() or not isinstance(stream, io.TextIOWrapper):
            return
        fd = stream.fileno()
        stream.flush()
    except (OSError, ValueError, AttributeError):
        return
    raw = io.FileIO(fd, "w", closefd=False)
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(raw, PIPE_BUFFER), encoding=stream.encoding, errors=stream.errors, newline=None
    )


def quiet_output(stream: Any) -> None:
    """Point a closed output at the null device, so that the exit's own flush cannot fail."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _load(kind: str) -> None:
    module = MODULES.get(kind)
    if module is None:
        raise ValueError(f"no formatter for {kind!r}")
    importlib.import_module(module)
