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
