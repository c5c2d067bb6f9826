"""Choice labels are translations (they follow the reader); records read them in Vietnamese."""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django.utils.functional import Promise

from sen.core.i18n import vietnamese_label
from sen.documents.choices import DocumentType, Urgency

# Names that read the same in both languages.
SAME_IN_ENGLISH = {"SMS", "Zalo"}


def sen_choices() -> list[type[models.Choices]]:
    """Every choices class of Sen (each app's models import its choices module)."""
    found, todo = [], [models.Choices]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("sen."):
                found.append(sub)
    return found


def test_every_choice_label_of_sen_is_a_translation_with_an_english_text():
    classes = sen_choices()
    untranslated = []
    for choices in classes:
        for choice in choices:
            with translation.override("en"):
                english = str(choice.label)
            if not isinstance(choice.label, Promise) or (
                english == vietnamese_label(choice) and english not in SAME_IN_ENGLISH
            ):
                untranslated.append(f"{choices.__qualname__}.{choice.name}")

    assert len(classes) > 30
    assert untranslated == []


def test_a_label_for_a_record_is_vietnamese_whatever_the_language():
    with translation.override("en"):
        assert str(DocumentType.QUYET_DINH.label) == "Decision"
        assert vietnamese_label(DocumentType.QUYET_DINH) == "Quyết định"
        assert vietnamese_label(Urgency.FLASH) == "Hỏa tốc"
        assert translation.get_language() == "en"  # and the reader's language is left as it was


def test_a_list_gets_each_row_labelled_in_the_reader_language_and_an_unknown_value_as_it_is():
    from types import SimpleNamespace

    from sen.core.i18n import with_labels

    rows = [SimpleNamespace(doc_type="QĐ"), SimpleNamespace(doc_type="XX")]
    with translation.override("en"):
        with_labels(rows, doc_type=DocumentType)
    assert [row.doc_type_label for row in rows] == ["Decision", "XX"]
    with translation.override("vi"):
        assert with_labels(rows, doc_type=DocumentType)[0].doc_type_label == "Quyết định"
