"""Search that understands Turkish: the folded search text and how a query reads it.

Reps type without Turkish letters, so ``isik`` must find ``IŞIK`` and ``inşaat``
must find ``İNŞAAT``. :func:`fold` maps İ, I, ı and i alike (Unicode's own
case rules do not: ``"I".lower()`` is ``i``, but Turkish pairs it with ``ı``),
then drops diacritics (ş→s, ç→c, ğ→g, ö→o, ü→u, â→a). The writer stores
``domains.search_text`` (:func:`search_text`: the domain, its Unicode form, the
company name and the notes, folded) and triggers copy it into the FTS5 table
``domains_fts`` (trigram tokenizer, https://www.sqlite.org/fts5.html#the_trigram_tokenizer),
so reading needs no function of Hunter's registered in SQLite: a query of three
or more characters is a trigram phrase match (a substring match, like LIKE
``%term%``), a shorter one a LIKE on the folded column.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

# Turkish dotted/dotless i: all four fold to ASCII i (İ would otherwise casefold to i + U+0307).
_DOTTED = str.maketrans({"İ": "i", "I": "i", "ı": "i"})
# Between the parts of search_text: never typed, so no match spans two fields.
SEPARATOR = "\n"
# Shortest query the trigram index can answer; shorter ones read search_text with LIKE.
MIN_FTS_CHARS = 3


def fold(text: str | None) -> str | None:
    """``"İNŞAAT Işık"`` -> ``"insaat isik"``: case, Turkish i and diacritics folded, spaces collapsed.

    None stays None. The same function folds what is stored and what is searched.
    """
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text.translate(_DOTTED).casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())


def search_text(domain: str, domain_unicode: str | None, company: str | None, notes: Iterable[str] = ()) -> str:
    """The stored, folded ``domains.search_text`` of a lead: domain, Unicode form, company, notes."""
    parts = [domain]
    uni = fold(domain_unicode)
    if uni and uni != domain:
        parts.append(uni)
    if company and (folded := fold(company)):
        parts.append(folded)
    parts.extend(f for n in notes if (f := fold(n)))
    return SEPARATOR.join(parts)


def fts_phrase(term: str) -> str:
    """An FTS5 query matching ``term`` as one phrase (a substring, with the trigram tokenizer)."""
    return '"' + term.replace('"', '""') + '"'


def like_pattern(text: str) -> str:
    """``%text%`` for LIKE ... ESCAPE '\\', with the user's own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
