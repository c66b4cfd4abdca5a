"""Small pieces of English every command's messages share: counts with their noun, empty states."""

from __future__ import annotations

# Irregular plurals of the nouns Hunter counts.
_PLURALS = {"entry": "entries", "company": "companies", "match": "matches", "was": "were", "is": "are"}

# What a list command says when the database holds no lead at all (docs/cli.md, "Empty states").
NO_LEADS = "No leads yet: run `hunter scan FILE` or `hunter import FILE`."


def plural(n: int, noun: str, many: str | None = None) -> str:
    """``plural(1, "domain")`` -> ``"1 domain"``; ``plural(2, "domain")`` -> ``"2 domains"`` (thousands with commas)."""
    word = noun if n == 1 else (many or _PLURALS.get(noun, noun + "s"))
    return f"{number(n)} {word}"


def lang() -> str:
    """The running command's language (en, tr): its ``--lang``, else the ``lang`` setting (HUNTER_LANG,
    the config file), else en (hunter_cli/cli/common.py :func:`current_lang`)."""
    from ..cli.common import current_lang

    return current_lang()


def say(key: str, **values) -> str:
    """The message ``key`` (hunter_cli/brief/messages/{en,tr}.json) in the command's language."""
    from ..brief.messages import Messages

    return Messages(lang())(key, **values)


def said(key: str, **values) -> str:
    """:func:`say` for a sentence whose values may be sentences themselves (:class:`~hunter_cli.said.Said`:
    a failure's words), each said in the command's language too."""
    from ..said import Said, in_lang

    return in_lang(Said(key, **values), lang())


def number(n: float, spec: str = ",.0f", lang_: str | None = None) -> str:
    """``n`` as the command's language writes it: 6,417 in English, 6.417 in Turkish."""
    from ..brief.localize import format_number

    return format_number(n, lang_ or lang(), spec)


def column(label: str, lang_: str | None = None) -> str:
    """A table's column header in the command's language (messages ``table.col.*``; the English
    label where there is none, SPF, DKIM and DMARC among them)."""
    from ..brief.messages import Messages

    m = Messages(lang_ or lang())
    key = f"table.col.{label}"
    return m(key) if m.has(key) else label


def value(column_name: str, text: str, lang_: str | None = None, short: bool = False) -> str:
    """A value a table shows in ``column_name`` (provider, tenant, status) in the command's language
    (messages ``table.value.COLUMN.VALUE``: ``self-hosted`` is ``kendi sunucusu``, ``m365`` is
    ``Microsoft 365`` as the CSV's provider_name has it; a provider id without a message, the provider
    catalog's name); codes and names that read the same in every language (Natro, P1) as they are.
    ``short``: the narrow tables' form, where a value needs one of its own (``table.value.COLUMN.short.VALUE``:
    Turkish ``Pas`` for Skip, ``M365`` for Microsoft 365)."""
    if not text:
        return text
    from ..brief.messages import Messages

    m = Messages(lang_ or lang())
    if short and m.has(f"table.value.{column_name}.short.{text}"):
        return m(f"table.value.{column_name}.short.{text}")
    key = f"table.value.{column_name}.{text}"
    if m.has(key):
        return m(key)
    if column_name == "provider":  # a provider id the messages do not name yet: the catalog's name for it
        from ..catalog import load_catalog

        return load_catalog().names.get(text, text)
    return text


def unmarked(text: str) -> str:
    """``text`` without Markdown code marks: a table cell or a terminal line is not Markdown, so
    ```include:x` eklendi`` reads ``include:x eklendi`` (the brief's Markdown keeps its own marks)."""
    return text.replace("`", "") if "`" in text else text
