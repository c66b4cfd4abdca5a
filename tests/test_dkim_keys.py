"""DKIM key records verifiers cannot use are not counted as keys (RFC 6376 3.6.1, RFC 8463)."""

from __future__ import annotations

import pytest

from hunter_cli.dns.dkim import parse_key

KEY = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC7"


@pytest.mark.parametrize(
    ("txt", "key_type", "problem"),
    [
        (f"v=DKIM1; k=rsa; p={KEY}", "rsa", None),
        (f"p={KEY}", "rsa", None),  # v= and k= are optional
        (f"v=DKIM1; k=ed25519; p={KEY}", "ed25519", None),
        (f"v=DKIM1; k=RSA; p={KEY}", "rsa", None),
        (f"v=DKIM2; p={KEY}", None, "v=DKIM2"),
        (f"v=dkim1; p={KEY}", None, "v=dkim1"),  # the value is "DKIM1" exactly
        (f"v=DKIM1; k=foo; p={KEY}", "foo", "k=foo"),
    ],
)
def test_a_key_record_is_judged_as_verifiers_read_it(txt, key_type, problem):
    sel = parse_key("s", [txt], None)
    assert sel is not None and sel.key_type == key_type
    assert (sel.problem is None) if problem is None else (problem in (sel.problem or ""))


def test_a_discarded_record_leaves_room_for_a_good_one_at_the_same_name():
    sel = parse_key("s", [f"v=DKIM2; p={KEY}", f"v=DKIM1; p={KEY}"], None)
    assert sel is not None and (sel.key_type, sel.problem) == ("rsa", None)


def test_scanned_unusable_keys_are_errors_and_not_keys(hunter):
    got = hunter.scan_json("dkim-v2.com.tr", "dkim-kfoo.com.tr", "dkim-karma.com.tr", "dkim-ed.com.tr",
                           "--no-tenant", "--no-whois")  # fmt: skip
    from hunter_cli.facts import dkim_state

    def codes(d):
        return [e["code"] for e in got[d]["dkim"]["errors"]]

    assert (dkim_state(got["dkim-v2.com.tr"]["dkim"]), codes("dkim-v2.com.tr")) == ("none", ["dkim-bad-version"])
    assert (dkim_state(got["dkim-kfoo.com.tr"]["dkim"]), codes("dkim-kfoo.com.tr")) == (
        "none",
        ["dkim-unknown-key-type"],
    )
    assert (dkim_state(got["dkim-karma.com.tr"]["dkim"]), codes("dkim-karma.com.tr")) == ("key", ["dkim-bad-version"])
    assert (dkim_state(got["dkim-ed.com.tr"]["dkim"]), codes("dkim-ed.com.tr")) == ("key", [])
    brief = hunter("sales-summary", "dkim-v2.com.tr")
    assert "DKIM keys are published" not in brief.stdout
