"""`hunter config show` gives every setting's built-in default, taken from the code that uses it."""

from __future__ import annotations

import json


def _show(hunter, env=None) -> dict[str, dict]:
    from hunter_cli.cli import app

    result = hunter.runner.invoke(
        app, ["config", "show", "-f", "json"], env={**hunter.env, **(env or {})}, catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["settings"]


def test_every_setting_but_the_secrets_shows_its_default(hunter):
    from hunter_cli import config

    rows = _show(hunter)
    assert set(rows) == set(config.NAMES)
    missing = [name for name, row in rows.items() if name not in config.SECRETS and not row["default"]]
    assert missing == []


def test_defaults_are_the_ones_the_code_uses(hunter):
    from hunter_cli.datafiles import PSL_URL
    from hunter_cli.partner.client import DEFAULT_BASE as PARTNER
    from hunter_cli.registration.rdap import BOOTSTRAP_URL
    from hunter_cli.tenant.client import DEFAULT_BASE as LOGIN

    rows = _show(hunter)
    assert rows["ms_login_url"]["default"] == LOGIN == "https://login.microsoftonline.com"
    assert rows["partner_api_url"]["default"] == PARTNER
    assert rows["rdap_bootstrap_url"]["default"] == BOOTSTRAP_URL
    assert rows["psl_url"]["default"] == PSL_URL
    assert rows["mta_sts_port"]["default"] == "443"  # RFC 8461 3.3
    assert rows["csv_separator"]["default"] == ","
    assert rows["token_cache"]["default"].endswith("msal_token_cache.json")


def test_a_set_value_keeps_the_default_beside_it(hunter, tmp_path):
    rows = _show(hunter, env={"HUNTER_MS_LOGIN_URL": "http://127.0.0.1:9", "HUNTER_TOKEN_CACHE": str(tmp_path / "t")})
    assert rows["ms_login_url"]["value"] == "http://127.0.0.1:9" and rows["ms_login_url"]["source"] == "env"
    assert rows["ms_login_url"]["default"] == "https://login.microsoftonline.com"
    assert rows["token_cache"]["default"] != str(tmp_path / "t")


def test_the_table_shows_the_default_not_a_dash(hunter):
    from hunter_cli.cli import app

    env = {**hunter.env, "HUNTER_MS_LOGIN_URL": None}  # the suite points it at its stand-in
    result = hunter.runner.invoke(app, ["config", "show"], env=env, catch_exceptions=False)
    line = next(line for line in result.stdout.splitlines() if line.startswith("ms_login_url"))
    assert "login.microsoftonline.com" in line and " - " not in line
