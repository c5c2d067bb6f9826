"""Which language a text is in: the reader's, or Vietnamese for a record.

What a person reads on a page, in an API answer or in an error follows their language (Vietnamese
by default, English when chosen). What Sen keeps, sends or prints as a record is Vietnamese whoever
made it: the stored search text, the edXML sent to other systems, the printed and exported registers,
the official forms and the signed PDFs, the texts of audit events and of notifications, the default
names a record gets when it is created. Choice labels are lazy translations, so a record reads them
through `vietnamese_label`; code that builds a whole record runs inside `in_vietnamese()`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Choices
from django.utils import translation

RECORD_LANGUAGE = "vi"


def in_vietnamese() -> translation.override:
    """`with in_vietnamese():` around building what is kept, sent or printed."""
    return translation.override(RECORD_LANGUAGE)


def vietnamese_label(choice: Choices) -> str:
    """The label of `choice` in Vietnamese, whatever language is active: "Quyết định", never "Decision"."""
    with in_vietnamese():
        return str(choice.label)


def with_labels(rows: list[Any], **fields: type[Choices]) -> list[Any]:
    """Sets each row's `<field>_label` in the reader's language, each label translated once for the
    list. A row's `get_<field>_display` hashes every lazy label of the field: 0.1 ms a call for the 27
    document types, 20 ms of a 50-row page (bench/documents). Rows of a list page, not records."""
    for field, choices in fields.items():
        labels = {value: str(label) for value, label in choices.choices}
        for row in rows:
            value = getattr(row, field)
            setattr(row, f"{field}_label", labels.get(value, value))
    return rows
