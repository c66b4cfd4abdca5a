"""Who decides their SPF: a record that hands over with `redirect=` names the target as evidence, as an include
is named (trial 21, 5.5); a redirect beside an `all` is ignored by receivers (RFC 7208 6.1) and not named."""

from __future__ import annotations

import json

import pytest

from hunter_cli.brief.messages import Messages


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_a_redirect_is_named_as_who_decides_and_an_ignored_one_is_not(hunter, lang):
    m = Messages(lang)
    hunter.scan_json("s29-yonlendir.com.tr", "s29-yok-sayilan.com.tr", "--no-whois")
    line = m("mail.spf_redirect", target="_spf.yandex.net")
    said = json.loads(hunter("sales-summary", "s29-yonlendir.com.tr", "--json", "--lang", lang).stdout)["mail"]
    assert line in said, said
    said = json.loads(hunter("sales-summary", "s29-yok-sayilan.com.tr", "--json", "--lang", lang).stdout)["mail"]
    assert line not in said, said
