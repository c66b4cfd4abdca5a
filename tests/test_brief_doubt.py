"""A brief never states as fact what one of its sections doubts (issue 13).

When Microsoft's sign-in service finds no tenant although DNS names Exchange Online, Teams or Intune, the
mail section says the records may be left over; behind a gateway, a tenant and its MS= token alone only make
Microsoft 365 probable. The summary, the segment line, the talking points and the offer then ask or say
"if", and the offer keeps what the doubted records would have left out. Checked over the loopback zones
with a sign-in stand-in that knows no tenant at all, in both languages, by the consistency check's rules.
"""

from datetime import date

import pytest
from test_brief_consistency import DOUBTED, _patterns, _said, _zone_domains, check

from hunter_cli.brief.messages import LANGUAGES

# the trial's domains (MX, SPF include, autodiscover or DKIM naming Microsoft; no tenant known)
NAMED = [
    "sahip-google.com",
    "sahip-sunucu.com.tr",
    "br5-spf-kendi.com.tr",
    "b7-dkim-test.com.tr",
    "b7-tasindi.com.tr",
    "sahip-teams.com.tr",
    "gw-proofpoint-m365.com",
]


@pytest.fixture(scope="module")
def no_tenant_views(tmp_path_factory, _session_dns, _session_ms, _session_reg):
    """Every zone domain scanned with a sign-in stand-in that knows no tenant: their stored views."""
    from conftest import TENANTS, Hunter

    from hunter_cli import store

    db = tmp_path_factory.mktemp("doubt") / "hunter.db"
    _session_ms.tenants.clear()
    _session_dns.clear_faults()
    listing = db.parent / "domains.txt"
    domains = _zone_domains()
    listing.write_text("\n".join(domains) + "\n")
    try:
        result = Hunter(_session_dns, db, _session_ms, _session_reg)("scan", str(listing), "--no-whois", "-q")
        assert result.exit_code in (0, 5), result.stderr
    finally:
        _session_ms.tenants.update(TENANTS)
    conn = store.connect(db)
    views = {d: data for d in domains if (data := store.brief_inputs(conn, d)) is not None}
    conn.close()
    return views


@pytest.mark.parametrize("lang", LANGUAGES)
def test_what_the_brief_doubts_it_never_states_as_fact(no_tenant_views, lang):
    from hunter_cli.brief.compose import compose
    from hunter_cli.render.brief import markdown

    doubted, broken = set(), {}
    for domain, data in no_tenant_views.items():
        text = markdown(compose(data["view"], lang=lang, history=data["history"], today=date(2026, 11, 27)))
        if _said(text, _patterns(lang, DOUBTED)):
            doubted.add(domain)
        bad = check(text, lang)
        if bad:
            broken[domain] = bad
    assert set(NAMED) <= doubted  # the trial's cases are read as doubted ...
    assert not broken  # ... and no brief states what it doubts as fact, nor breaks another rule
