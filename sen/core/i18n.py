"""Which language a text is in: the reader's, or Vietnamese for a record.

What a person reads on a page, in an API answer or in an error follows their language (Vietnamese
by default, English when chosen). What Sen keeps, sends or prints as a record is Vietnamese whoever
made it: the stored search text, the edXML sent to other systems, the printed and exported registers,
the official forms and the signed PDFs, the texts of audit events and of notifications, the default
names a record gets when it is created. Choice labels are lazy translations, so a record reads them
through `vietnamese_label`; code that builds a whole record runs inside `in_vietnamese()`.
"""

from __future__ import annotations

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
