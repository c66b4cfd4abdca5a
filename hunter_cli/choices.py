"""How a choice typed by a person is matched: any case, ``-`` and ``_`` alike, locales to languages.

Pure functions, no I/O. Every command matches its choice values through these (issue 16):
``--kind provider-changed`` is ``provider_changed``, ``--segment migration`` is ``Migration``,
``--lang TR`` and ``HUNTER_LANG=tr_TR.UTF-8`` are ``tr``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable


def normalize(value: str) -> str:
    """The form two choice values are compared in: case-folded, ``_`` read as ``-``, outer spaces dropped."""
    return value.strip().casefold().replace("_", "-")


def pick(value: str, allowed: Iterable[str]) -> str | None:
    """The member of ``allowed`` that ``value`` names (``"Provider-Changed"`` -> ``"provider_changed"``), or None."""
    key = normalize(value)
    for a in allowed:
        if normalize(a) == key:
            return a
    return None


def language(value: str, available: Iterable[str]) -> str | None:
    """The language of ``available`` that ``value`` names, or None.

    Takes a language code in any case (``TR``), a BCP 47 tag (``tr-TR``) or a POSIX locale
    (``tr_TR.UTF-8``, ``tr_TR@euro``): the language subtag before any region, encoding or modifier.
    """
    exact = pick(value, available)
    if exact is not None:
        return exact
    head = value.strip().split(".", 1)[0].split("@", 1)[0].replace("_", "-").split("-", 1)[0]
    return pick(head, available) if head else None


# Words people type for a choice, read as the choice itself (docs/cli.md, "Choices and their synonyms").
# Keys are the choice lists' names (the ``what`` of :func:`unknown`); each maps a synonym, compared
# through :func:`normalize`, to one of that list's values. Only words that cannot mean anything else.
ALIASES: dict[str, dict[str, str]] = {
    "provider": {
        "microsoft": "m365",
        "microsoft-365": "m365",
        "microsoft365": "m365",
        "ms365": "m365",
        "office365": "m365",
        "office-365": "m365",
        "o365": "m365",
        "exchange-online": "m365",
        "outlook": "m365",
        "google-workspace": "google",
        "googleworkspace": "google",
        "workspace": "google",
        "gsuite": "google",
        "g-suite": "google",
        "gmail": "google",
        "yandex-360": "yandex",
        "zoho-mail": "zoho",
        "proton-mail": "proton",
        "protonmail": "proton",
        "selfhosted": "self-hosted",
        "self": "self-hosted",
        "own-srv": "self-hosted",  # the table's short form (render/short.py)
        "own srv": "self-hosted",
        "own server": "self-hosted",  # the table's full form (table.value.provider.self-hosted)
        "own-server": "self-hosted",
        "kendi": "self-hosted",  # the Turkish table's forms
        "kendi sunucusu": "self-hosted",
        "diğer": "other",
        "workmail": "amazon",  # the table's short form of Amazon WorkMail
        "amazon-workmail": "amazon",
        "on-premises": "self-hosted",
        "on-prem": "self-hosted",
        "onprem": "self-hosted",
    },
    "gateway": {
        "ironport": "cisco",
        "trend-micro": "trendmicro",
        "hornet": "hornetsecurity",
        "hornet-security": "hornetsecurity",
        "broadcom": "symantec",
    },
    "segment": {"exist": "Existing", "migr": "Migration"},  # the table's short forms (render/short.py)
    # services.json ids by the names the brief shows ("Google Workspace", "Freshworks (Freshdesk)", "Cisco Duo")
    "service": {
        "google-workspace": "google",
        "googleworkspace": "google",
        "gsuite": "google",
        "g-suite": "google",
        "freshworks": "freshdesk",
        "cisco-duo": "duo",
    },
    # the footprint column's names for the Exchange tags (lead/footprint.py FOOTPRINT_SHORT)
    "workload": {"exo": "exchange-online", "exch-onprem": "exchange-onprem", "exch-hybrid": "exchange-hybrid"},
}


def alias(value: str, what: str) -> str | None:
    """The choice that ``value`` is a synonym of in the list called ``what`` (:data:`ALIASES`), or the value a
    table shows in another language (:func:`table_words`: Turkish ``Soğuk`` is ``Cold``, provider ``yok`` is
    ``none``), or None: a rep types what the table in front of them shows (trial 30)."""
    key = normalize(value)
    found = ALIASES.get(what, {}).get(key)
    words = table_words(what)
    said = words.get(key) or words.get(folded(value))  # `soguk` as `Soğuk`, as `-s` folds (trial 32)
    if found is None and said is not None:
        found = ALIASES.get(what, {}).get(normalize(said), said)
    return found


def folded(value: str) -> str:
    """:func:`normalize` with Turkish letters and accents folded as ``-s`` folds them: ``"Soğuk"`` -> ``"soguk"``."""
    from .store.search import fold

    return normalize(fold(value) or "")


def shown(value: str, what: str, lang: str) -> str:
    """Choice ``value`` of column ``what`` as the table shows it in ``lang`` (its short form first: Turkish
    ``Existing`` is ``Mevcut``, ``Skip`` is ``Pas``, provider ``self-hosted`` is ``kendi``, ``other`` is ``diğer``),
    or ``value`` itself: the values an error lists are the ones the reader's table shows (trial 32)."""
    if lang == "en":
        return value
    from .brief.messages import Messages
    from .render.short import shorten

    data = Messages(lang).data
    for v in (shorten(what, value), value):
        for key in (f"table.value.{what}.short.{v}", f"table.value.{what}.{v}"):
            if isinstance(data.get(key), str):
                return data[key]
    return value


@functools.cache
def table_words(what: str) -> dict[str, str]:
    """The values the tables show in column ``what`` in every language, each as :func:`normalize` reads it, to
    the value it stands for: messages ``table.value.WHAT.VALUE`` and ``table.value.WHAT.short.VALUE``
    (``"soğuk"`` -> ``"Cold"``, ``"pas"`` -> ``"Skip"``, ``"kendi"`` -> ``"own srv"``). Empty for a column
    no table translates. The data is the message files (hunter_cli/brief/messages/*.json)."""
    from .brief.messages import LANGUAGES, Messages

    prefix = f"table.value.{what}."
    out: dict[str, str] = {}
    for lang in LANGUAGES:
        for key, said in Messages(lang).data.items():
            if key.startswith(prefix) and isinstance(said, str):
                out.setdefault(normalize(said), key[len(prefix) :].removeprefix("short."))
                out.setdefault(folded(said), key[len(prefix) :].removeprefix("short."))
    return out


def closest(value: str, allowed: Iterable[str], what: str = "") -> str | None:
    """The member of ``allowed`` (or of ``what``'s synonyms, read as their choice) that ``value`` most
    nearly spells (difflib's ratio 0.6 or more), or None: ``"m356"`` -> ``"m365"``, ``"microsft"`` -> ``"m365"``."""
    import difflib

    names = {normalize(a): a for a in allowed}
    synonyms = {k: v for k, v in ALIASES.get(what, {}).items() if v in names.values()}
    for word in table_words(what) if what else ():  # the words a table shows (`digar` -> diğer: other)
        choice = alias(word, what)
        if choice is not None and choice in names.values():
            synonyms.setdefault(word, choice)
    key = normalize(value)
    found = difflib.get_close_matches(key, list(names) + list(synonyms), n=1, cutoff=0.6)
    if not found:
        return None
    return names.get(found[0]) or synonyms[found[0]]


def unknown(
    value: str,
    allowed: Iterable[str],
    what: str,
    article: str = "a",
    also: str = "",
    near: str | None = None,
    instead: str | None = None,
) -> str:
    """The message for a value that is not one of ``allowed``: the valid values, and the nearest one.

    ``unknown("microsft", ("m365", "google"), "provider")`` ->
    ``"'microsft' is not a provider; use one of: m365, google; did you mean m365?"``. ``also`` follows
    the list (``" or a hosting brand such as Natro"``); ``near`` is the suggestion when :func:`closest`
    finds none among ``allowed``; ``instead`` is another option to use, said alone (``--workload teams`` for a
    Microsoft workload typed as a service, which :func:`closest` would read as ``teamviewer``).
    """
    if instead is not None:  # another option is the place for it: no list of this one's values
        return f"{value.strip()!r} is not {article} {what}; use {instead} instead"
    allowed = list(allowed)
    near = closest(value, allowed, what) or near
    hint = f"; did you mean {near}?" if near is not None else ""
    return f"{value.strip()!r} is not {article} {what}; use one of: {', '.join(allowed)}{also}{hint}"


def choose(value: str, allowed: Iterable[str], what: str, article: str = "a") -> str:
    """The member of ``allowed`` that ``value`` names, directly or as a synonym (:data:`ALIASES`);
    ValueError with :func:`unknown`'s message otherwise."""
    allowed = tuple(allowed)
    found = pick(value, allowed)
    if found is None:
        syn = alias(value, what)
        found = syn if syn in allowed else None
    if found is None:
        raise ValueError(unknown(value, allowed, what, article))
    return found


# -- brands: names people type shorter, without Turkish letters ---------------------------------------
BRAND_PREFIX_MIN = 3  # a typed start of a brand's name shorter than this matches by its first word only
# the tails a brand written as its domain ends in (Doruk.net, Turkticaret.net, VIT's vit.com.tr): left out
_DOMAIN_TAIL = re.compile(r"(?:\.(?:com|net|org|biz|info|gen|web|bel|tr|eu|io|de|co|uk))+$")
_NOT_LETTER = re.compile(r"[^0-9a-z]+")


def brand_key(text: str) -> str:
    """The form a brand name and what someone typed for it are compared in: Turkish letters and case
    folded (``Güzel`` -> ``guzel``, ``İsimtescil`` -> ``isimtescil``, ``ı`` -> ``i``), a part in brackets and a
    domain ending (``.net``, ``.com.tr``) left out, then nothing but letters and digits:
    ``"Güzel Hosting"`` -> ``"guzelhosting"``, ``"Doruk.net"`` -> ``"doruk"``, ``"VIT (vit.com.tr)"`` -> ``"vit"``."""
    from .store.search import fold

    folded = re.sub(r"\([^)]*\)", " ", fold(text) or "").strip()
    return _NOT_LETTER.sub("", _DOMAIN_TAIL.sub("", folded))


def match_brands(value: str, names: Iterable[str]) -> list[str]:
    """The brands of ``names`` that ``value`` names, in ``names``' order: those whose :func:`brand_key` it has
    (``guzel hosting``, ``doruk.net``, ``turkticaret``); failing that, those whose first word it is (``guzel``,
    ``a2``) or whose key starts with its key of at least :data:`BRAND_PREFIX_MIN` characters (``isim``). Several
    means the value is ambiguous (``host``: HostGator, Hostixo, ...); [] that it names none."""
    key = brand_key(value)
    if not key:
        return []
    names = list(dict.fromkeys(names))
    from .store.search import fold

    whole = [n for n in names if key in (brand_key(n), _NOT_LETTER.sub("", fold(n) or ""))]
    if whole:
        return whole

    def first_word(name: str) -> str:
        words = re.sub(r"\([^)]*\)", " ", fold(name) or "").split()
        return brand_key(words[0]) if words else ""

    return [n for n in names if first_word(n) == key or (len(key) >= BRAND_PREFIX_MIN and brand_key(n).startswith(key))]
