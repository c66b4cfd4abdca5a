"""Exit statuses of every command, as one enum (documented in docs/cli.md; scripts rely on them)."""

from __future__ import annotations

import enum


class ExitStatus(enum.IntEnum):
    """What a command's exit code means; services return these, the CLI exits with them."""

    OK = 0
    FATAL = 1
    USAGE = 2
    SIGN_IN = 3  # referrals sync, crm push/pull: sign-in needed (nobody signed in, expired, token refused)
    RESOLVER = 4  # scan, rescan, prep: the DNS resolver lies; no lead's result changed (the attempt is kept as failed)
    STALE = 5  # prep: the rescan failed; the stored brief was printed with a warning
    # scan, rescan, referrals sync: no DNS answer (resolver unreachable before the run, every domain, or gone mid-run)
    NO_DNS = 6
    # scan, rescan: the run ended but every domain it scanned failed (none ok or partial), though DNS answered
    ALL_FAILED = 7
    INTERRUPTED = 130  # Ctrl-C (SIGINT): 128 + 2
    PIPE = 141  # stdout closed by its reader (`| head`): 128 + SIGPIPE, as a shell reports a piped command
    TERMINATED = 143  # SIGTERM (systemd, cron, kill): 128 + 15


class OutputClosed(Exception):
    """The reader of standard output went away (``hunter leads | head``) before everything was written.

    Renderers raise it instead of letting BrokenPipeError reach Typer, which would end the command
    with status 1 as if it had failed; ``hunter``'s entry point ends it quietly with
    :attr:`ExitStatus.PIPE` (141)."""
