"""Accent-insensitive search: the folded form of a text is stored beside it, so the same query
works identically on SQLite and PostgreSQL (no unaccent() needed, one indexable column)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, diacritics removed, đ → d, spaces collapsed: "Đăng ký Khai sinh" → "dang ky khai sinh"."""
    lowered = unicodedata.normalize("NFD", (text or "").lower().replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in lowered if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", unicodedata.normalize("NFC", stripped)).strip()


def search_words(text: str) -> str:
    """The folded text with each word once, in order of first appearance: what a search matches on.

    A query word never holds a space, so it is part of the folded text exactly when it is part of
    one of its words: each word once finds the same documents. The text is a third shorter (a
    document's paragraphs repeat their words), so a scan reads less and PostgreSQL seldom has to
    compress it (decompressing was most of a scan's time; bench/documents/README.md)."""
    return " ".join(dict.fromkeys(fold(text).split(" ")))
