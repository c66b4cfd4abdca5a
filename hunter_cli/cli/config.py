"""`hunter config`: which settings are in effect, where each came from, and where the file is."""

from __future__ import annotations

import typer

from . import app
from .common import JsonSameOption, TableJson, table_json_option

config_app = typer.Typer(
    help="Settings: flags, HUNTER_* environment variables and the config file (docs/config.md).",
    no_args_is_help=True,
)
app.add_typer(config_app, name="config")


@config_app.command("show")
def show(
    fmt: TableJson = table_json_option("one object: each setting's value and source"),
    as_json: bool = JsonSameOption,
) -> None:
    """Every setting's effective value and where it came from: flag, env, file or default.

    Secrets (HUNTER_PARTNER_TOKEN, HUNTER_CRM_TOKEN) show as set or unset, never their value.
    """
    as_json = as_json or fmt is TableJson.json
    from .. import config
    from ..render.formats import Format, render
    from ..render.settings import SettingsShown

    loaded = config.current()  # the root callback has read and checked it
    defaults = _defaults()
    rows = [
        {
            "name": name,
            "shown": config.shown(loaded, name),
            "value": config.shown(loaded, name) if name in config.SECRETS else _plain(loaded.value(name)),
            "source": loaded.source(name),
            "env": config.env_name(name),
            "default": defaults.get(name),
            "secret": name in config.SECRETS,
        }
        for name in config.NAMES
    ]
    shown = SettingsShown(str(loaded.file), loaded.file_exists, rows)
    render("settings", Format.json if as_json else Format.table, shown)


def _defaults() -> dict[str, str]:
    """What an unset setting means, in words (the table shows it in brackets, in the command's language:
    the words are a Said; JSON has them in English). A default that the code using the setting computes
    (a URL, a port, a file) is taken from that code's own constant, so the two cannot drift apart; every
    setting but the secrets has one (tests/test_cli_config_defaults.py)."""
    from ..datafiles import PSL_URL
    from ..mta_sts_fetch import MTA_STS_PORT
    from ..partner.client import DEFAULT_BASE as PARTNER_API
    from ..partner.token_cache import default_cache_path
    from ..registration.rdap import BOOTSTRAP_URL
    from ..render.csvsafe import separator
    from ..said import Said
    from ..scan_pool import default_processes
    from ..store import default_db_path
    from ..tenant.client import DEFAULT_BASE as MS_LOGIN

    return {
        "db": str(default_db_path()),
        "db_wait": Said("cli.config.default.db_wait"),
        "nameservers": Said("cli.dns.system_resolver"),
        "dkim_selectors": Said("cli.config.default.dkim_selectors"),
        "dns_dead_after": Said("cli.config.default.seconds", n="60"),
        "scan_processes": Said("cli.config.default.scan_processes", n=str(default_processes())),
        "rules": Said("cli.config.default.bundled"),
        "catalog": Said("cli.config.default.bundled"),
        "lang": "en",
        "csv_separator": separator.get(),
        "ms_login_url": MS_LOGIN,
        "rdap_url": Said("cli.config.default.rdap_url"),
        "mta_sts_port": str(MTA_STS_PORT),
        "whois_host": Said("cli.config.default.whois_host"),
        "rdap_bootstrap_url": BOOTSTRAP_URL,
        "psl_url": PSL_URL,
        "partner_api_url": PARTNER_API,
        "crm_url": Said("cli.config.default.crm_url"),
        "crm_mapping": Said("cli.config.default.bundled"),
        "tenant_id": Said("cli.config.default.tenant_id"),
        "client_id": Said("cli.config.default.client_id"),
        "token_store": "auto",
        "token_cache": str(default_cache_path()),
        "log_level": Said("cli.config.default.off"),
        "log_file": "stderr",
    }


def _plain(value: object) -> object:
    """A value as JSON holds it: paths as text, lists as lists."""
    if value is None or isinstance(value, bool | int | float | str | list):
        return value
    return str(value)


@config_app.command("path")
def path() -> None:
    """The config file Hunter reads (it need not exist): --config, HUNTER_CONFIG, or the user config folder."""
    from .. import config

    file, _named_by = config.config_file()
    typer.echo(str(file))
