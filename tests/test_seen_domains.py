"""Input de-duplication: exact (whole domains compared, never hashes) and flat in memory past the spill point."""

from __future__ import annotations

import random

from hunter_cli import inputs
from hunter_cli.inputs import InputStats
from hunter_cli.store import seen as seen_module
from hunter_cli.store.seen import SeenDomains


def test_repeats_are_found_before_and_after_the_spill():
    rnd = random.Random(5)
    names = [f"firma{rnd.randrange(10**8):08d}.com.tr" for _ in range(3000)]
    stream = names + rnd.sample(names, 1000) + [n.upper().lower() for n in names[:10]]
    s = SeenDomains(spill_at=500)
    firsts = [s.add(n) for n in stream]
    expected, known = [], set()
    for n in stream:
        expected.append(n not in known)
        known.add(n)
    assert firsts == expected
    assert s.on_disk and len(s) == len(set(names))
    assert names[0] in s and "yok.com.tr" not in s
    s.close()
    assert not s.on_disk


def test_near_identical_domains_are_all_kept():
    # names that differ in one character, in case, or only in length (a hash set could merge none of
    # these either, but a table keyed by a truncated or folded form would)
    near = [
        "a.com.tr",
        "b.com.tr",
        "ab.com.tr",
        "a.com.t",
        "a.comtr",
        "xn--ieki-ahmet-n6abc.com.tr",
        "ieki-ahmet.com.tr",
    ]
    near += [f"{'x' * i}.com" for i in range(1, 64)]
    for spill_at in (1, 3, 10_000):
        s = SeenDomains(spill_at=spill_at)
        assert all(s.add(n) for n in near)
        assert not any(s.add(n) for n in near)
        assert len(s) == len(near)
        s.close()


def test_a_scan_input_past_the_spill_point_counts_duplicates_exactly(tmp_path, monkeypatch):
    monkeypatch.setattr(seen_module, "SPILL_AT", 40)
    lines, unique = [], []
    for i in range(300):
        d = f"firma{i:04d}.com.tr"
        unique.append(d)
        lines.append(d)
        if i % 3 == 0:
            lines.append(f"https://www.{d}/iletisim")  # the same domain, written another way
        if i % 7 == 0:
            lines.append(f"satis@{d}")
    path = tmp_path / "list.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stats = InputStats()
    got = list(inputs.domains([str(path)], stats))
    assert got == unique
    assert stats.accepted == 300 and stats.duplicates == len(lines) - 300


def test_the_first_company_name_of_a_domain_is_kept_before_and_after_the_spill():
    """A later row under another company name is said in the scan summary against the first row's name
    (trial 32): that name and its place survive the move to the temporary file."""
    s = SeenDomains(spill_at=50)
    for i in range(40):
        s.add(f"f{i}.com.tr")
        s.set_name(f"f{i}.com.tr", f"Firma {i}", f"a.csv:{i + 2}")
    s.set_name("f1.com.tr", "Another", "a.csv:99")  # a later name never replaces the first
    assert s.name_of("f1.com.tr") == ("Firma 1", "a.csv:3") and s.name_of("yok.com.tr") is None
    for i in range(40, 60):
        s.add(f"f{i}.com.tr")
    assert s.on_disk
    s.set_name("f2.com.tr", "Another", "a.csv:100")
    s.set_name("f55.com.tr", "Firma 55", "a.csv:57")
    assert s.name_of("f1.com.tr") == ("Firma 1", "a.csv:3")
    assert s.name_of("f2.com.tr") == ("Firma 2", "a.csv:4")
    assert s.name_of("f55.com.tr") == ("Firma 55", "a.csv:57") and s.name_of("f41.com.tr") is None
    s.close()
