"""Another commit's ``hunter_cli/`` beside this tree's, for the benchmarks that time both in one run
(``startup.py --compare REV``, ``big_lists.py --compare REV``): put the returned folder first on
``PYTHONPATH`` and ``python -m hunter_cli`` runs that commit's code."""

from __future__ import annotations

import compileall
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def extract(rev: str, prefix: str) -> Path:
    """A new temporary folder holding ``hunter_cli/`` as it is at ``rev`` (``git archive``), compiled.

    The bytecode is written at once, so that no timed run pays for compiling the sources (with
    PYTHONDONTWRITEBYTECODE set, every run would compile them again). Raises CalledProcessError when
    git does not know ``rev``. The caller removes the folder.
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "hunter_cli"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    compile_tree(folder / "hunter_cli")
    return folder


def compile_tree(package: Path) -> None:
    """Write the bytecode of every module under ``package`` (whatever PYTHONDONTWRITEBYTECODE says)."""
    compileall.compile_dir(package, quiet=1)
