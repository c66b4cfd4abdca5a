"""A failed registration lookup kept beside an older record is said in `leads show` (trial 23, C5).

The record from the last lookup that worked is kept (its expiry date still counts), as a failed DNS lookup
keeps the stored view; `leads show` said only "Fetched <date>", as if the registry had been asked with
success since. It now adds "Last lookup: failed on <date>: <why>", in English and Turkish, and the JSON
keeps the error with its time. RDAP stand-in (tests/regserver.py), the CLI through the `hunter` fixture.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from hunter_cli.brief.messages import Messages

D = "nomail.com"


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("lang", ["en", "tr"])
@pytest.mark.parametrize("fault", ["500", "close"])
def test_a_failed_refresh_of_a_kept_registration_is_shown(hunter, registries, db, lang, fault):
    rdap, _ = registries
    hunter.scan_json(D, "--no-tenant")
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE registrations SET fetched_at = '2026-01-01T00:00:00+00:00'")  # older than its week
    conn.close()
    rdap.faults[D] = fault
    assert hunter("scan", D, "--no-tenant", "-q").exit_code == 0
    m = Messages(lang)
    show = one_line(hunter("--lang", lang, "leads", "show", D).stdout)
    assert "2027-03-01" in show  # the kept record's expiry
    label = m("show.last_lookup")
    assert label in show, show
    after = show.split(label, 1)[1]
    failed_on = m.data["show.reg_last_failed"].split("{when}")[0 if lang == "en" else 1].split(":")[0].strip()
    assert failed_on in after, after
    assert "20" in after.split(":")[0] or "20" in after[:40]  # a date is named
    data = json.loads(hunter("leads", "show", D, "-f", "json").stdout)
    assert data["registration"]["error"]["at"]  # the failed attempt's time, for scripts
    # a lookup that works again clears it
    rdap.clear_faults()
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE registrations SET fetched_at = '2026-01-01T00:00:00+00:00'")
    conn.close()
    assert hunter("scan", D, "--no-tenant", "-q").exit_code == 0
    assert m("show.last_lookup") not in one_line(hunter("--lang", lang, "leads", "show", D).stdout)
