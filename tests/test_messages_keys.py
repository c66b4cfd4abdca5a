"""Every kind of failure Hunter can store has words in both languages (trial 14: a lead the resolver check
refused read "(MX resolver_suspect)" in `leads show` and `prep`, the stored code instead of words)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hunter_cli.brief.messages import LANGUAGES, load
from hunter_cli.dns import health
from hunter_cli.dns.resolver import _FAILURES

SOURCE = Path(__file__).resolve().parent.parent / "hunter_cli"
# the kinds the code gives its failures by name: LookupFailure("timeout", ...), TenantFailure(...),
# RegistrationFailure(...), ScanError(kind="...")
RAISED = re.compile(r"""(?:Failure\(\s*|ScanError\([^)]*?\bkind=)["']([a-z][a-z0-9_-]*)["']""")


def _kinds() -> set[str]:
    found = {kind for path in SOURCE.rglob("*.py") for kind in RAISED.findall(path.read_text("utf-8"))}
    return found | {kind for kind, _ in _FAILURES.values()} | {health.SUSPECT_KIND}


def test_the_source_scan_finds_the_failure_kinds():
    kinds = _kinds()
    assert {"timeout", "servfail", "cname-loop", "rate-limited", "resolver_suspect", "incomplete"} <= kinds


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_failure_kind_has_words(lang):
    messages = load(lang)
    missing = sorted(k for k in _kinds() if f"cli.failure.kind.{k}" not in messages)
    assert missing == [], f"no words in {lang} for failure kinds {missing}"
