"""`hunter data`: the bundled data files and their explicit refresh."""

from __future__ import annotations

import typer

from . import app
from .common import EXIT_FATAL, stdout_console

data_app = typer.Typer(help="Bundled data: the public suffix list and IANA's RDAP bootstrap.", no_args_is_help=True)
app.add_typer(data_app, name="data")


@data_app.command("update")
def update() -> None:
    """Download fresh copies of the public suffix list and the RDAP bootstrap file.

    They are kept in your user data folder and used instead of the copies bundled
    with Hunter. Nothing else ever downloads them. URLs can be overridden with
    HUNTER_PSL_URL and HUNTER_RDAP_BOOTSTRAP_URL (mirrors, air-gapped networks).
    Exit codes: 0 both refreshed, 1 at least one failed (the old copy stays).
    """
    import asyncio

    from ..config import get
    from ..datafiles import PSL_URL, DataFileError, refresh_psl
    from ..redact import summary
    from ..registration.rdap import BOOTSTRAP_URL, BootstrapError, refresh_bootstrap

    psl_url = get("psl_url") or PSL_URL
    rdap_url = get("rdap_bootstrap_url") or BOOTSTRAP_URL

    async def run():
        from ..http import async_client

        async with async_client(timeout=30.0, max_connections=2) as client:  # the shared TLS context
            out = []
            for label, job in (
                ("public suffix list", refresh_psl(client, psl_url)),
                ("RDAP bootstrap", refresh_bootstrap(client, rdap_url)),
            ):
                try:
                    out.append((label, str(await job), None))
                except (DataFileError, BootstrapError) as exc:
                    out.append((label, None, summary(exc, 300)))
            return out

    from rich.markup import escape

    console = stdout_console()
    failed = False
    for label, path, error in asyncio.run(run()):
        if error:
            failed = True
            console.print(f"[red]{label}: not updated[/] ({escape(error)}); the previous copy stays in use")
        else:
            console.print(f"{label}: updated, saved to {path}")
    if failed:
        raise typer.Exit(EXIT_FATAL)


@data_app.command("status")
def status() -> None:
    """Show which copy of each data file is in use."""
    from ..datafiles import user_psl
    from ..registration.rdap import load_bootstrap, user_bootstrap_path

    console = stdout_console()
    psl = user_psl()
    console.print(f"public suffix list: {psl if psl else 'bundled copy'}")
    boot = load_bootstrap()
    where = user_bootstrap_path() if user_bootstrap_path().is_file() else "bundled copy"
    console.print(f"RDAP bootstrap: {where} (published {getattr(boot, 'publication', None) or 'unknown'})")
