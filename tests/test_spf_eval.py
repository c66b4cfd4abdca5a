"""SPF parsing and evaluation written from RFC 7208 sections 4 to 7: pure functions, no DNS.

The evaluator is fed a dict zone; a name missing from it answers NXDOMAIN, and a
``LookupFailure`` value stands for a timeout or SERVFAIL.
"""

import re

import pytest

from hunter_cli.dns import spf, spf_eval
from hunter_cli.dns.resolver import Answer, LookupFailure


class Run:
    """An Evaluation plus the lookups it asked for on the way."""

    def __init__(self, ev, asked):
        self.ev, self.asked = ev, asked

    def __getattr__(self, name):
        return getattr(self.ev, name)


def evaluate(domain, zone):
    """Run the evaluator to completion the way the scan does, counting the rounds and lookups asked."""
    answers = {}
    asked = []
    while True:
        ev = spf_eval.evaluate(domain, answers | {(domain, "TXT"): Answer("noerror", zone[(domain, "TXT")])})
        if not ev.missing:
            return Run(ev, asked)
        for key in ev.missing:
            assert key not in answers, f"{key} asked twice"
            asked.append(key)
            value = zone.get(key)
            if isinstance(value, LookupFailure):
                answers[key] = value
            else:
                answers[key] = Answer("noerror", value) if value else Answer("nxdomain")


def codes(findings):
    return [f.code for f in findings]


# -- syntax (RFC 7208 4.6.1, 5, 6, 7.1, 12) -----------------------------------------------
VALID = [
    "v=spf1",
    "v=spf1 -all",
    "v=spf1 ip4:192.0.2.0/24 ip4:192.0.2.1 ip4:0.0.0.0/0 ip4:255.255.255.255/32 ~all",
    "v=spf1 ip6:2001:db8::/32 ip6:::1 ip6:::ffff:192.0.2.1 ip6:2001:db8::1/128 ?all",
    "v=spf1 a mx a/24 mx//64 a/24//64 a:mail.example.com/0 mx:example.com//128 -all",
    "v=spf1 ptr ptr:example.com exists:%{i}.bl.example.com -all",
    "v=spf1 include:_spf.example.com. include:spf.example.co.uk -all",
    "v=spf1 include:%{i}._ip.%{h}._ehlo.%{d}._spf.example.net -all",
    "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} exists:%{d2}.x.example.net -all",
    "v=spf1 exists:%{l}%%%_%-.example.net -all",
    "v=spf1 a:%{D}.example.net include:%{O}.example.net -all",
    "v=spf1 redirect=_spf.example.net",
    "v=spf1 -all exp=explain._spf.%{d}",
    "v=spf1 -all moo.cow-far_out=man:dog/cat",  # unknown modifiers are legal and ignored
    "v=spf1 -all foo=%{c}",  # any macro in an unknown modifier's macro-string
    "V=SPF1 IP4:192.0.2.1 INCLUDE:Example.COM -ALL",
    "v=spf1  ip4:192.0.2.1   -all ",  # several spaces between terms
    "v=spf1 a:xn--ieki-ahmet-n6abc.com.tr -all",
    "v=spf1 a:example.c0m -all",  # toplabel: at least one letter
    "v=spf1 a:example.x-1 -all",  # toplabel: alphanumeric with a hyphen inside
    "v=spf1 +a -mx ~ptr ?exists:x.example.net +all",
]


@pytest.mark.parametrize("record", VALID)
def test_valid_records_have_no_syntax_errors(record):
    assert spf.parse(record).errors == ()


INVALID = [
    # CIDR lengths out of range or malformed (5.6, 12: ip4-cidr-length, ip6-cidr-length)
    ("v=spf1 a/33 -all", "spf-invalid-cidr"),
    ("v=spf1 mx/99 -all", "spf-invalid-cidr"),
    ("v=spf1 a//129 -all", "spf-invalid-cidr"),
    ("v=spf1 mx:example.com/24//200 -all", "spf-invalid-cidr"),
    ("v=spf1 ip4:192.0.2.0/33 -all", "spf-invalid-cidr"),
    ("v=spf1 ip6:2001:db8::/129 -all", "spf-invalid-cidr"),
    ("v=spf1 ip4:192.0.2.0/024 -all", "spf-invalid-cidr"),
    ("v=spf1 ip4:192.0.2.0/ -all", "spf-invalid-cidr"),
    ("v=spf1 ip4:192.0.2.0//24 -all", "spf-invalid-cidr"),
    ("v=spf1 a/ -all", "spf-invalid-cidr"),
    ("v=spf1 a/2x -all", "spf-invalid-cidr"),
    ("v=spf1 a/-1 -all", "spf-invalid-cidr"),
    # malformed networks (5.6)
    ("v=spf1 ip4:192.0.2 -all", "spf-invalid-ip"),
    ("v=spf1 ip4:192.0.2.256 -all", "spf-invalid-ip"),
    ("v=spf1 ip4:192.0.02.1 -all", "spf-invalid-ip"),
    ("v=spf1 ip4:2001:db8::1 -all", "spf-invalid-ip"),
    ("v=spf1 ip4:mail.example.com -all", "spf-invalid-ip"),
    ("v=spf1 ip6:2001:db8:::1 -all", "spf-invalid-ip"),
    ("v=spf1 ip6:192.0.2.1 -all", "spf-invalid-ip"),
    ("v=spf1 ip6:2001:db8::g -all", "spf-invalid-ip"),
    ("v=spf1 ip6:fe80::1%eth0 -all", "spf-invalid-ip"),
    # domain-spec without a valid top label, or with empty labels (7.1 domain-end, 4.3)
    ("v=spf1 include:localhost -all", "spf-invalid-domain"),
    ("v=spf1 a:mail.example.123 -all", "spf-invalid-domain"),
    ("v=spf1 include:example.-com -all", "spf-invalid-domain"),
    ("v=spf1 include:example.com- -all", "spf-invalid-domain"),
    ("v=spf1 include:_spf..example.net -all", "spf-invalid-domain"),
    ("v=spf1 include:.example.net -all", "spf-invalid-domain"),
    ("v=spf1 exists:%{i}..example.net -all", "spf-invalid-domain"),
    ("v=spf1 redirect=example", "spf-invalid-domain"),
    ("v=spf1 a:example.com:25 -all", "spf-invalid-domain"),
    ("v=spf1 include:" + "x" * 64 + ".example.net -all", "spf-invalid-domain"),
    # arguments where none is allowed
    ("v=spf1 -all:foo", "spf-unexpected-argument"),
    ("v=spf1 all/24", "spf-unexpected-argument"),
    ("v=spf1 ptr/24 -all", "spf-unexpected-argument"),
    ("v=spf1 ip4/24 -all", "spf-unexpected-argument"),
    ("v=spf1 include/24 -all", "spf-unexpected-argument"),
    # required arguments missing
    ("v=spf1 exists -all", "spf-missing-argument"),
    ("v=spf1 exists: -all", "spf-missing-argument"),
    ("v=spf1 include -all", "spf-missing-argument"),
    ("v=spf1 include: -all", "spf-missing-argument"),
    ("v=spf1 ip4 -all", "spf-missing-argument"),
    ("v=spf1 ip6: -all", "spf-missing-argument"),
    ("v=spf1 a: -all", "spf-missing-argument"),
    ("v=spf1 redirect=", "spf-missing-argument"),
    ("v=spf1 -all exp=", "spf-missing-argument"),
    # malformed macros (7.1); c, r and t only in exp text (7.2); a digit transformer is nonzero (7.3)
    ("v=spf1 include:%abc.example.net -all", "spf-invalid-macro"),
    ("v=spf1 exists:%{x}.example.net -all", "spf-invalid-macro"),
    ("v=spf1 exists:%{}.example.net -all", "spf-invalid-macro"),
    ("v=spf1 exists:%{d.example.net -all", "spf-invalid-macro"),
    ("v=spf1 exists:%{d0}.example.net -all", "spf-invalid-macro"),
    ("v=spf1 exists:%{d2x}.example.net -all", "spf-invalid-macro"),
    ("v=spf1 exists:%{ir:}.example.net -all", "spf-invalid-macro"),
    ("v=spf1 exists:%{c}.example.net -all", "spf-invalid-macro"),
    ("v=spf1 a:%{r}.example.net -all", "spf-invalid-macro"),
    ("v=spf1 redirect=%{t}.example.net", "spf-invalid-macro"),
    ("v=spf1 exists:example.net% -all", "spf-invalid-macro"),
    ("v=spf1 -all foo=%x", "spf-invalid-macro"),
    # modifier names that are not names (12: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ))
    ("v=spf1 1up=foo -all", "spf-invalid-modifier"),
    ("v=spf1 =foo -all", "spf-invalid-modifier"),
    ("v=spf1 _x=foo -all", "spf-invalid-modifier"),
    ("v=spf1 a*b=foo -all", "spf-invalid-modifier"),
    # redirect and exp at most once (6)
    ("v=spf1 redirect=a.example.net redirect=b.example.net", "spf-duplicate-modifier"),
    ("v=spf1 redirect=a.example.net REDIRECT=a.example.net", "spf-duplicate-modifier"),
    ("v=spf1 -all exp=a.example.net exp=b.example.net", "spf-duplicate-modifier"),
    # characters outside the record's grammar: controls, non-ASCII (12: SP and %x21-7E)
    ("v=spf1 ip4:192.0.2.1\t-all", "spf-invalid-character"),
    ("v=spf1 include:çilek.example.net -all", "spf-invalid-character"),
    ("v=spf1 -all\x00", "spf-invalid-character"),
    ("v=spf1 a:mail.example.com\u00a0-all", "spf-invalid-character"),
    # unknown mechanisms (5)
    ("v=spf1 ip4:192.0.2.1 foo:bar -all", "spf-unknown-mechanism"),
    ("v=spf1 ip:192.0.2.1 -all", "spf-unknown-mechanism"),
    ("v=spf1 include_spf.example.net -all", "spf-unknown-mechanism"),
    ("v=spf1 -", "spf-unknown-mechanism"),
    ("v=spf1 +-all", "spf-unknown-mechanism"),
    ("v=spf1 -redirect=x.example.net", "spf-unknown-mechanism"),
    ("v=spf1 a:example.com ~ all", "spf-unknown-mechanism"),
]


@pytest.mark.parametrize("record, code", INVALID)
def test_syntax_errors_have_stable_codes(record, code):
    errors = spf.parse(record).errors
    assert errors and errors[0][0] == code, errors


@pytest.mark.parametrize("record, code", INVALID[::4])
def test_a_syntax_error_is_a_permerror_and_nothing_is_asked(record, code):
    ev = evaluate("example.com", {("example.com", "TXT"): [record]})
    assert ev.result == "permerror" and ev.errors[0].code == code
    assert ev.errors[0].where == ["example.com"]
    assert ev.asked == [] and ev.lookups == 0


def test_every_syntax_error_of_a_record_is_listed():
    errors = spf.parse("v=spf1 a/33 ip4:1.2.3 foo -all:x").errors
    assert [c for c, _ in errors] == [
        "spf-invalid-cidr",
        "spf-invalid-ip",
        "spf-unknown-mechanism",
        "spf-unexpected-argument",
    ]


def test_terms_are_parsed_with_their_parts():
    record = spf.parse("v=spf1 ~a:mail.%{d}/24//64 ip6:2001:db8::/48 -include:_spf.example.net redirect=x.example.net")
    a, ip6, include = record.mechanisms
    assert (a.qualifier, a.name, a.cidr4, a.cidr6) == ("~", "a", 24, 64)
    assert spf.spec_text(a.domain) == "mail.%{d}"
    assert (ip6.network, ip6.cidr6) == ("2001:db8::", 48)
    assert include.qualifier == "-" and spf.spec_text(include.domain) == "_spf.example.net"
    assert record.redirect is not None and spf.spec_text(record.redirect.domain) == "x.example.net"


# -- macros (RFC 7208 7.3, 7.4 examples for <domain> = email.example.com) -------------------
@pytest.mark.parametrize(
    "spec, expanded",
    [
        ("%{d}", "email.example.com"),
        ("%{d4}", "email.example.com"),
        ("%{d3}", "email.example.com"),
        ("%{d2}", "example.com"),
        ("%{d1}", "com"),
        ("%{dr}", "com.example.email"),
        ("%{d2r}", "example.email"),
        ("%{D}", "email.example.com"),
        ("_spf.%{d}", "_spf.email.example.com"),
        ("%{d}._spf.example.net.", "email.example.com._spf.example.net"),
        ("%{d-}.example.net", "email.example.com.example.net"),
    ],
)
def test_domain_macros_expand_as_the_rfc_examples(spec, expanded):
    assert spf.expand(spf.parse_macro_string(spec), "email.example.com") == expanded


def test_transformers_split_on_the_given_delimiters():
    parsed = spf.parse_macro_string("%{d2r-}")
    # parts mail | out.example | host.com, reversed, the rightmost two kept, joined with dots
    assert spf.expand(parsed, "mail-out.example-host.com") == "out.example.mail"


@pytest.mark.parametrize("letter", list("slohipv"))
def test_sender_macros_cannot_be_expanded_without_a_sender(letter):
    spec = spf.parse_macro_string(f"%{{{letter}}}.%{{d}}.example.net")
    assert spf.sender_dependent(spec) and spf.expand(spec, "example.com") is None


def test_escapes_are_literal():
    spec = spf.parse_macro_string("a%%b%_c%-d")
    assert spec == ("a%b c%20d",) and not spf.sender_dependent(spec)


def test_long_expansions_are_truncated_on_the_left():
    domain = ".".join(["x" * 60] * 4)  # 243 characters
    out = spf.expand(spf.parse_macro_string("%{d}._spf.example.net"), domain)
    assert len(out) <= 253 and out.endswith("._spf.example.net") and not out.startswith(".")


# -- evaluation (RFC 7208 4.6.4, 5, 6) ----------------------------------------------------
def test_a_plain_record_is_valid_and_asks_nothing():
    ev = evaluate("example.com", {("example.com", "TXT"): ["v=spf1 ip4:192.0.2.0/24 -all"]})
    assert (ev.result, ev.errors, ev.warnings, ev.lookups, ev.asked) == ("valid", [], [], 0, [])


def test_mechanisms_are_followed_with_their_lookups():
    zone = {
        ("example.com", "TXT"): ["v=spf1 a mx include:_spf.example.net exists:%{d}.ok.example.net -all"],
        ("example.com", "A"): ["192.0.2.1"],
        ("example.com", "MX"): [(10, "mx.example.com")],
        ("_spf.example.net", "TXT"): ["v=spf1 ip4:198.51.100.0/24 -all"],
        ("example.com.ok.example.net", "A"): ["127.0.0.2"],
    }
    ev = evaluate("example.com", zone)
    assert ev.result == "valid" and ev.lookups == 4 and ev.void_lookups == 0
    assert set(ev.asked) == {
        ("example.com", "A"),
        ("example.com", "MX"),
        ("_spf.example.net", "TXT"),
        ("example.com.ok.example.net", "A"),
    }
    assert ev.expanded == ["_spf.example.net"]


def test_lookups_of_one_record_go_out_together():
    zone = {("example.com", "TXT"): ["v=spf1 include:a.example.net include:b.example.net a:h.example.net -all"]}
    zone |= {(n, "TXT"): ["v=spf1 -all"] for n in ("a.example.net", "b.example.net")}
    zone[("h.example.net", "A")] = ["192.0.2.1"]
    first = spf_eval.evaluate("example.com", {("example.com", "TXT"): Answer("noerror", zone[("example.com", "TXT")])})
    assert set(first.missing) == {("a.example.net", "TXT"), ("b.example.net", "TXT"), ("h.example.net", "A")}


def test_ten_lookups_pass_and_the_eleventh_is_a_permerror():
    ten = " ".join(f"a:h{i}.example.net" for i in range(10))
    zone = {(f"h{i}.example.net", "A"): ["192.0.2.1"] for i in range(11)}
    ok = evaluate("example.com", zone | {("example.com", "TXT"): [f"v=spf1 {ten} -all"]})
    assert ok.result == "valid" and ok.lookups == 10
    assert codes(ok.warnings) == ["spf-many-lookups"]
    over = evaluate("example.com", zone | {("example.com", "TXT"): [f"v=spf1 {ten} a:h10.example.net -all"]})
    assert over.result == "permerror" and codes(over.errors) == ["spf-lookup-limit"]
    assert ("h10.example.net", "A") not in over.asked  # the 11th is never asked
    assert over.lookups == 11


def test_seven_lookups_give_no_warning():
    zone = {(f"h{i}.example.net", "A"): ["192.0.2.1"] for i in range(7)}
    zone[("example.com", "TXT")] = ["v=spf1 " + " ".join(f"a:h{i}.example.net" for i in range(7)) + " -all"]
    ev = evaluate("example.com", zone)
    assert ev.result == "valid" and ev.lookups == 7 and ev.warnings == []


def test_a_target_reached_twice_counts_twice():
    zone = {
        ("example.com", "TXT"): ["v=spf1 include:_s.example.net include:_s.example.net include:_s.example.net -all"],
        ("_s.example.net", "TXT"): ["v=spf1 a:h.example.net a:h.example.net -all"],
        ("h.example.net", "A"): ["192.0.2.1"],
    }
    ev = evaluate("example.com", zone)  # 3 x (include + 2 a) = 9
    assert ev.result == "valid" and ev.lookups == 9
    assert ev.asked.count(("_s.example.net", "TXT")) == 1  # counted three times, asked once


def test_ptr_redirect_and_sender_macros_count():
    zone = {
        ("example.com", "TXT"): ["v=spf1 ptr exists:%{i}.x.example.net include:%{l}._u.%{d} redirect=%{h}.example.net"],
    }
    ev = evaluate("example.com", zone)
    assert ev.result == "valid" and ev.lookups == 4 and ev.asked == []
    assert codes(ev.warnings) == ["spf-ptr"]


def test_terms_after_all_are_neither_counted_nor_asked():
    zone = {("example.com", "TXT"): ["v=spf1 -all include:gone.example.net a:gone.example.net"]}
    ev = evaluate("example.com", zone)
    assert ev.result == "valid" and ev.lookups == 0 and ev.asked == []
    assert codes(ev.warnings) == ["spf-terms-after-all", "spf-terms-after-all"]


def test_redirect_to_itself_loops_into_the_lookup_limit():
    zone = {("ayna-tekstil.com.tr", "TXT"): ["v=spf1 ip4:192.0.2.10 redirect=ayna-tekstil.com.tr"]}
    ev = evaluate("ayna-tekstil.com.tr", zone)
    assert ev.result == "permerror" and codes(ev.errors) == ["spf-include-loop"] and ev.lookups == 11


def test_include_of_itself_loops_into_the_lookup_limit():
    ev = evaluate("example.com", {("example.com", "TXT"): ["v=spf1 include:example.com -all"]})
    assert ev.result == "permerror" and codes(ev.errors) == ["spf-include-loop"]


def test_three_void_lookups_are_a_permerror_and_two_are_warnings():
    two = evaluate("example.com", {("example.com", "TXT"): ["v=spf1 a:x.example.net mx:y.example.net -all"]})
    assert two.result == "valid" and two.void_lookups == 2
    assert codes(two.warnings) == ["spf-void-lookup", "spf-void-lookup"]
    three = evaluate(
        "example.com", {("example.com", "TXT"): ["v=spf1 a:x.example.net mx:y.example.net exists:z.example.net -all"]}
    )
    assert three.result == "permerror" and codes(three.errors) == ["spf-void-lookup-limit"]


def test_void_lookups_count_across_includes():
    zone = {
        ("example.com", "TXT"): ["v=spf1 a:x.example.net include:_s.example.net -all"],
        ("_s.example.net", "TXT"): ["v=spf1 exists:y.example.net exists:z.example.net -all"],
    }
    ev = evaluate("example.com", zone)
    assert ev.result == "permerror" and ev.errors[0].code == "spf-void-lookup-limit"
    assert ev.errors[0].where == ["example.com", "_s.example.net"]


def test_an_empty_answer_is_void_like_nxdomain():
    zone = {
        ("example.com", "TXT"): ["v=spf1 a:x.example.net a:y.example.net mx:z.example.net -all"],
        ("z.example.net", "A"): ["192.0.2.1"],  # exists, but has no MX: an empty answer
    }
    ev = evaluate("example.com", zone)
    assert ev.result == "permerror" and codes(ev.errors) == ["spf-void-lookup-limit"]


def test_an_ipv6_only_host_is_not_void():
    zone = {
        ("example.com", "TXT"): ["v=spf1 a:v6.example.net a:x.example.net a:y.example.net -all"],
        ("v6.example.net", "A"): [],
        ("v6.example.net", "AAAA"): ["2001:db8::1"],
    }
    # an empty A answer needs the AAAA question; the zone helper answers [] as NXDOMAIN, so serve NODATA by hand
    answers = {("example.com", "TXT"): Answer("noerror", zone[("example.com", "TXT")])}
    answers[("v6.example.net", "A")] = Answer("nodata")
    answers[("v6.example.net", "AAAA")] = Answer("noerror", ["2001:db8::1"])
    answers[("x.example.net", "A")] = Answer("nxdomain")
    answers[("y.example.net", "A")] = Answer("nxdomain")
    ev = spf_eval.evaluate("example.com", answers)
    assert ev.missing == [] and ev.result == "valid" and ev.void_lookups == 2


def test_exists_asks_only_for_a_records():
    answers = {
        ("example.com", "TXT"): Answer("noerror", ["v=spf1 exists:v6.example.net -all"]),
        ("v6.example.net", "A"): Answer("nodata"),
    }
    ev = spf_eval.evaluate("example.com", answers)
    assert ev.missing == [] and ev.void_lookups == 1


def test_more_than_ten_mx_records_is_a_permerror():
    mx = [(i, f"mx{i}.example.com") for i in range(11)]
    ev = evaluate("example.com", {("example.com", "TXT"): ["v=spf1 mx -all"], ("example.com", "MX"): mx})
    assert ev.result == "permerror" and codes(ev.errors) == ["spf-mx-limit"]
    ok = evaluate("example.com", {("example.com", "TXT"): ["v=spf1 mx -all"], ("example.com", "MX"): mx[:10]})
    assert ok.result == "valid"


@pytest.mark.parametrize("target", [None, [], ["some other text"], ["v=spf10 -all"]])
def test_include_without_an_spf_record_is_a_permerror(target):
    zone = {("example.com", "TXT"): ["v=spf1 include:_spf.example.net -all"], ("_spf.example.net", "TXT"): target}
    ev = evaluate("example.com", zone)
    assert ev.result == "permerror" and codes(ev.errors) == ["spf-include-none"]
    assert ev.errors[0].where == ["example.com", "_spf.example.net"]


def test_include_with_two_records_is_a_permerror():
    zone = {
        ("example.com", "TXT"): ["v=spf1 include:_spf.example.net -all"],
        ("_spf.example.net", "TXT"): ["v=spf1 -all", "v=spf1 -all"],
    }
    ev = evaluate("example.com", zone)
    assert ev.result == "permerror" and codes(ev.errors) == ["spf-multiple-records"]


@pytest.mark.parametrize("target", [None, ["google-site-verification=x"]])
def test_redirect_without_an_spf_record_is_a_permerror(target):
    zone = {("example.com", "TXT"): ["v=spf1 redirect=_spf.example.net"], ("_spf.example.net", "TXT"): target}
    ev = evaluate("example.com", zone)
    assert ev.result == "permerror" and codes(ev.errors) == ["spf-redirect-none"]


def test_redirect_is_ignored_when_all_is_present():
    zone = {("example.com", "TXT"): ["v=spf1 redirect=_spf.example.net ~all"]}
    ev = evaluate("example.com", zone)
    assert ev.result == "valid" and ev.asked == [] and ev.lookups == 0
    assert codes(ev.warnings) == ["spf-redirect-ignored"]


def test_errors_deep_in_the_tree_reach_the_domain_with_the_chain():
    zone = {
        ("example.com", "TXT"): ["v=spf1 redirect=_r.example.com"],
        ("_r.example.com", "TXT"): ["v=spf1 include:_a.example.net -all"],
        ("_a.example.net", "TXT"): ["v=spf1 include:_b.example.net ~all"],
        ("_b.example.net", "TXT"): ["v=spf1 ip6:2001:db8::/200 -all"],
    }
    ev = evaluate("example.com", zone)
    assert ev.result == "permerror" and codes(ev.errors) == ["spf-invalid-cidr"]
    assert ev.errors[0].where == ["example.com", "_r.example.com", "_a.example.net", "_b.example.net"]


def test_the_first_error_in_evaluation_order_wins():
    zone = {
        ("example.com", "TXT"): ["v=spf1 include:_a.example.net include:_b.example.net -all"],
        ("_a.example.net", "TXT"): ["v=spf1 mx:gone.example.net a:gone.example.net exists:gone.example.net -all"],
        ("_b.example.net", "TXT"): ["v=spf1 foo -all"],
    }
    ev = evaluate("example.com", zone)
    assert codes(ev.errors) == ["spf-void-lookup-limit"]


@pytest.mark.parametrize("rtype, record", [("TXT", "include:_spf.example.net"), ("A", "a:h.example.net")])
@pytest.mark.parametrize("kind", ["timeout", "servfail"])
def test_a_dns_failure_anywhere_is_a_temperror(rtype, record, kind):
    name = "_spf.example.net" if rtype == "TXT" else "h.example.net"
    zone = {("example.com", "TXT"): [f"v=spf1 {record} -all"], (name, rtype): LookupFailure(kind, name, rtype)}
    ev = evaluate("example.com", zone)
    assert ev.result == "temperror" and ev.failure.kind == kind
    assert codes(ev.errors) == ["spf-temperror"]
    # an include's own record failed: the chain ends in it; an a-target's address failed: in the record asking
    assert ev.errors[0].where == (["example.com", name] if rtype == "TXT" else ["example.com"])


def test_a_permerror_before_the_failure_stays_a_permerror():
    zone = {
        ("example.com", "TXT"): ["v=spf1 include:_a.example.net include:_b.example.net -all"],
        ("_b.example.net", "TXT"): LookupFailure("timeout", "_b.example.net", "TXT"),
    }
    ev = evaluate("example.com", zone)  # _a does not exist: include of nothing is the receivers' first stop
    assert ev.result == "permerror" and codes(ev.errors) == ["spf-include-none"]


def test_sender_macro_include_is_not_an_error_and_not_asked():
    zone = {("example.com", "TXT"): ["v=spf1 include:%{i}._ip.%{h}._ehlo.%{d}._spf.example.net -all"]}
    ev = evaluate("example.com", zone)
    assert (ev.result, ev.errors, ev.lookups, ev.asked) == ("valid", [], 1, [])


def test_domain_macro_is_expanded_with_the_current_domain_inside_an_include():
    zone = {
        ("example.com", "TXT"): ["v=spf1 include:_spf.provider.net -all"],
        ("_spf.provider.net", "TXT"): ["v=spf1 exists:%{d}.ok.provider.net a -all"],
        ("_spf.provider.net.ok.provider.net", "A"): ["127.0.0.2"],
        ("_spf.provider.net", "A"): ["192.0.2.1"],
    }
    ev = evaluate("example.com", zone)
    assert ev.result == "valid" and ev.void_lookups == 0
    assert ("_spf.provider.net.ok.provider.net", "A") in ev.asked and ("_spf.provider.net", "A") in ev.asked


def test_names_no_resolver_can_ask_are_void_not_failures():
    zone = {
        ("example.com", "TXT"): ["v=spf1 a:foo$bar.example.net exists:a!b.example.net include:x~y.example.net -all"]
    }
    ev = evaluate("example.com", zone)
    assert ev.asked == []
    assert ev.result == "permerror" and codes(ev.errors) == ["spf-include-none"] and ev.void_lookups == 2


# -- warnings: legal, worth fixing -----------------------------------------------------------
@pytest.mark.parametrize(
    "record, warning",
    [
        ("v=spf1 +all", "spf-pass-all"),
        ("v=spf1 all", "spf-pass-all"),
        ("v=spf1 ip4:192.0.2.1 ?all", "spf-neutral-all"),
        ("v=spf1 ip4:192.0.2.1", "spf-no-all"),
        ("v=spf1 ptr -all", "spf-ptr"),
        ("v=spf1 -all ip4:192.0.2.1", "spf-terms-after-all"),
        ("v=spf1 -all redirect=_spf.example.net", "spf-redirect-ignored"),
        ("v=spf1 redirct=_spf.example.net -all", "spf-unknown-modifier"),
    ],
)
def test_warnings(record, warning):
    ev = evaluate("example.com", {("example.com", "TXT"): [record]})
    assert ev.result == "valid" and codes(ev.warnings) == [warning]


def test_pass_all_in_an_include_is_a_warning_that_names_the_include():
    zone = {
        ("example.com", "TXT"): ["v=spf1 include:_spf.example.net -all"],
        ("_spf.example.net", "TXT"): ["v=spf1 +all"],
    }
    ev = evaluate("example.com", zone)
    assert ev.result == "valid" and codes(ev.warnings) == ["spf-pass-all"]
    assert ev.warnings[0].where == ["example.com"]
    assert ev.warnings[0].message == "'include:_spf.example.net' matches every sender: any server passes SPF"


OPEN_INCLUDE = {
    ("open.example.net", "TXT"): ["v=spf1 +all"],
    ("wide.example.net", "TXT"): ["v=spf1 ip4:0.0.0.0/0 ip6:::/0 -all"],
    ("v4.example.net", "TXT"): ["v=spf1 ip4:0.0.0.0/0 -all"],
    ("nested.example.net", "TXT"): ["v=spf1 include:open.example.net -all"],
    ("negated.example.net", "TXT"): ["v=spf1 -include:open.example.net +all"],
    ("e.example.net", "A"): ["127.0.0.2"],
}


@pytest.mark.parametrize(
    ("record", "effective_all", "open_families"),
    [
        # RFC 7208 4.6.2: a mechanism that matches returns its own qualifier; 5.2: include matches when the
        # included record passes; 5.7: exists matches when the name has an address
        ("v=spf1 -include:open.example.net -all", "-all", set()),
        ("v=spf1 -include:open.example.net +all", "-all", set()),
        ("v=spf1 ?include:open.example.net -all", "?all", set()),
        ("v=spf1 ~include:open.example.net -all", "~all", set()),
        ("v=spf1 -include:wide.example.net -all", "-all", set()),
        ("v=spf1 -exists:e.example.net +all", "-all", set()),
        ("v=spf1 ?exists:e.example.net -all", "?all", set()),
        ("v=spf1 ~exists:e.example.net -all", "~all", set()),
        ("v=spf1 include:open.example.net -all", "-all", {4, 6}),
        ("v=spf1 +include:nested.example.net -all", "-all", {4, 6}),
        ("v=spf1 include:wide.example.net -all", "-all", {4, 6}),
        ("v=spf1 include:v4.example.net -all", "-all", {4}),
        ("v=spf1 exists:e.example.net -all", "-all", {4, 6}),
        # the included record fails everyone itself: the include never matches
        ("v=spf1 include:negated.example.net -all", "-all", set()),
        # a closing +all reached by IPv6 senders only
        ("v=spf1 -ip4:0.0.0.0/0 +all", "+all", {6}),
    ],
)
def test_a_term_that_matches_every_sender_returns_its_own_qualifier(record, effective_all, open_families):
    zone = {("example.com", "TXT"): [record], **OPEN_INCLUDE}
    ev = evaluate("example.com", zone)
    assert (ev.result, ev.missing) == ("valid", [])
    opened = set()
    for w in ev.warnings:
        if w.code == "spf-pass-all":
            family = re.search(r"every IPv([46]) sender", w.message)
            opened |= {int(family[1])} if family else {4, 6}
    assert (ev.effective_all, opened) == (effective_all, open_families)


def test_the_redirect_target_decides_the_policy_warnings():
    zone = {("example.com", "TXT"): ["v=spf1 redirect=_spf.example.net"], ("_spf.example.net", "TXT"): ["v=spf1 ?all"]}
    assert codes(evaluate("example.com", zone).warnings) == ["spf-neutral-all"]
    # an include's own ?all is only its own result, not the domain's policy
    zone = {("example.com", "TXT"): ["v=spf1 include:_spf.example.net -all"], ("_spf.example.net", "TXT"): ["v=spf1"]}
    assert evaluate("example.com", zone).warnings == []
