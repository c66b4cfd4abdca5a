"""Every message of the brief formats: named fields only, so no text from DNS can break one.

A template with ``{...}`` or ``{}`` in its prose (the SPF macro message once said "the %{...} part")
raised ``ValueError`` in `sales-summary`, `prep` and `crm push` for any domain whose SPF record had a
malformed macro; braces meant as text must be doubled.
"""

from __future__ import annotations

import string
from datetime import date

import pytest

from hunter_cli.brief.messages import Messages, load


def _sample(spec: str) -> object:
    """A value of the type a field's format expects: a date for ``short`` or ``long``, a number for ``+d`` or ``%``."""
    if spec in ("short", "long"):
        return date(2026, 11, 30)
    return 1 if spec else "x"


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_every_template_has_only_named_fields_and_formats(lang):
    m = Messages(lang)
    for key, value in load(lang).items():
        templates = [t for t in (value if isinstance(value, list) else [value]) if isinstance(t, str)]
        fields = [
            (name, spec) for t in templates for _, name, spec, _ in string.Formatter().parse(t) if name is not None
        ]
        assert all(n and n.isidentifier() for n, _ in fields), f"{lang} {key}: fields {fields!r} in {templates!r}"
        m(key, **{n: _sample(spec) for n, spec in fields})


def test_a_malformed_spf_macro_gives_a_brief_not_a_traceback(hunter):
    assert hunter("scan", "makro-harf.com.tr", "--no-tenant", "--no-whois", "-q").exit_code == 0
    for lang in ("en", "tr"):
        out = hunter("sales-summary", "makro-harf.com.tr", "--lang", lang)
        assert out.exit_code == 0, out.output
        assert "%{...}" in out.stdout
