"""`hunter rules`, `hunter explain`, `hunter rescore`: the scoring model, inspectable and cheap to reapply."""

from __future__ import annotations

from pathlib import Path

import typer

from ..said import Said
from . import app, complete
from .common import (
    EXIT_USAGE,
    DbOption,
    JsonSameOption,
    TableJson,
    db_path,
    domain_arg,
    fail,
    open_store,
    setting_option,
    shown,
    speak,
    stdout_console,
    store_errors,
    table_json_option,
    warn_if_listed_otherwise,
)

rules_app = typer.Typer(
    help="The scoring rules: print the decision matrix or check a rules file.", no_args_is_help=True
)
app.add_typer(rules_app, name="rules")

RulesOption = setting_option("rules", "--rules", help="Scoring rules file to use instead of the bundled one.")
# the brief commands' --lang (cli/brief.py): the same setting, so the same default and HUNTER_LANG
ExplainLangOption = setting_option(
    "lang",
    "--lang",
    help="Language of the breakdown: en or tr. Default: en.",
    fallback="en",
    autocompletion=complete.languages,
)


def _rules(path: Path | None, checking: bool = False):
    """The scoring rules of ``path`` (``--rules``), else of the setting; a file that cannot be used fails
    the command saying which file, where it was named and what is wrong (services/rules_file.py);
    ``checking``: `hunter rules check`, which lists the faults as they are."""
    from ..scoring import RulesError, load_rules
    from ..services.rules_file import invalid

    if path is None:  # a command without --rules: the setting's file, checked where it came from
        from .. import config

        try:
            path = config.checked("rules")
        except config.ConfigError as exc:
            raise fail(str(exc), EXIT_USAGE) from None
    try:
        return load_rules(str(path) if path else None)
    except RulesError as exc:
        from ..scoring import said_lines

        raise fail(said_lines(exc.faults) if checking else invalid(exc, str(path) if path else None)) from None


@rules_app.command("matrix")
def matrix(rules: Path | None = RulesOption) -> None:
    """Print the decision matrix (provider x SPF x DKIM x DMARC) as Markdown, as in docs/scoring.md.

    Each table is split to fit the terminal's width (COLUMNS=1000 for one wide table each, as in the docs).
    """
    from ..render.words import lang
    from ..scoring.matrix import markdown

    typer.echo(markdown(_rules(rules), width=stdout_console().width, lang=lang()), nl=False)


@rules_app.command("check")
def check(rules: Path = typer.Argument(..., help="Rules file to check.")) -> None:
    """Check a rules file and say what is wrong with it, if anything."""
    _rules(rules, checking=True)
    from ..render.words import say

    stdout_console().print(say("rules.check.usable", path=str(rules)), markup=False)


def _load_view(path: Path, domain: str) -> tuple[str, dict, bool, str | None]:
    from .. import store

    name = domain_arg(domain)
    conn = open_store(path)
    try:
        with store_errors(path):
            view = store.current(conn, name)
            cosell = store.active_cosell(conn, name)
            listed = store.stored_category(conn, name)
    finally:
        conn.close()
    if view is None:
        raise fail(Said("cli.explain.no_good_scan", domain=shown(name), path=str(path)))
    return name, view, cosell, listed


@app.command()
def explain(
    domain: str = typer.Argument(..., help="Domain to explain."),
    db: Path | None = DbOption,
    rules: Path | None = RulesOption,
    fmt: TableJson = table_json_option("the breakdown as JSON"),
    json_out: bool = JsonSameOption,
    lang: str = ExplainLangOption,
) -> None:
    """Show a domain's score breakdown: every point added or taken away, and the rules that chose segment and category.

    Reads the database only. Exit codes: 0 shown, 1 not scanned or not scorable, 2 usage error.
    """
    json_out = json_out or fmt is TableJson.json
    from ..lead import Lead
    from .brief import _check_lang

    lang = _check_lang(lang)
    speak(lang)  # errors and warnings in the breakdown's language
    from ..render.explain import Explanation, follow_up_window
    from ..render.formats import Format, render
    from ..scoring import evaluate, facts_from

    r = _rules(rules)
    name, view, cosell, listed = _load_view(db_path(db), domain)
    lead = Lead.from_view(view, cosell=cosell)
    facts = facts_from(lead, r)
    if facts is None:
        from ..brief.messages import Messages

        known = Messages("en").has
        failed = [
            Said(f"check.{c}") if known(f"check.{c}") else Said("check.other", value=c)
            for c in sorted(lead.failed_checks)
        ]
        raise fail(Said("cli.explain.unscorable", domain=shown(name), checks=failed or [Said("check.mx")]))
    outcome = evaluate(facts, r)
    warn_if_listed_otherwise(name, listed, outcome.category)
    from ..brief.compose import evidence_doubt
    from ..lead.posture import spf_shortfall

    window = follow_up_window(r, outcome.category, lang)
    explanation = Explanation(name, facts, outcome, lang, window, evidence_doubt(lead), spf_shortfall(lead))
    render("explain", Format.json if json_out else Format.table, explanation)


@app.command()
def rescore(
    db: Path | None = DbOption,
    rules: Path | None = RulesOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print nothing on success."),
) -> None:
    """Reapply the scoring rules to every stored domain, without any network (after a rules change).

    Exit codes: 0 done, 1 the rules file or the database is not usable.
    """
    from .. import store

    r = _rules(rules)
    conn = open_store(db, write=True)
    try:
        with store_errors(db):
            counts = store.rescore(conn, r)
    finally:
        conn.close()
    if not quiet:
        stdout_console().print(
            f"rescored {counts['scored']} domains; {counts['changed']} changed category or score;"
            f" {counts['unscorable']} waiting for a rescan"
        )
