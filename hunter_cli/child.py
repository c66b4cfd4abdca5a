"""Helper processes Hunter starts for one run: the store's writer process, the scan workers.

Each is a fresh interpreter (not a fork: the run holds a lock file, a database
connection and, under tests, server threads that a child must not inherit) that
imports the same package as the run, talks to it over two pipes and runs in its
own session, so that Ctrl-C at the terminal reaches the run only; the run then
closes the pipes and the child stops.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys


def start_child(entry: str, args: list) -> tuple[subprocess.Popen, int, int]:
    """Start ``python -c "from MODULE import FUNC; FUNC()"`` for ``entry`` = ``"MODULE:FUNC"``.

    The child finds ``args`` plus the two pipe ends it owns (read, write) as a JSON list in
    ``sys.argv[1]``. Returns the process and the run's ends: (Popen, fd to write to the
    child, fd to read from it). OSError when the process cannot start (no fds, no memory).
    """
    from .config import child_environment

    module, func = entry.split(":")
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = f"from {module} import {func}; {func}()"
    argv = [sys.executable, "-c", code, json.dumps([*args, to_child_r, from_child_w])]
    try:
        child = subprocess.Popen(
            argv,
            pass_fds=(to_child_r, from_child_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,  # stdout is the run's (--json): a child never writes there
            env=child_environment(root),
            start_new_session=True,  # Ctrl-C at the terminal reaches the run, which closes the pipes
        )
    except BaseException:
        for fd in (to_child_r, to_child_w, from_child_r, from_child_w):
            os.close(fd)
        raise
    os.close(to_child_r)
    os.close(from_child_w)
    return child, to_child_w, from_child_r
