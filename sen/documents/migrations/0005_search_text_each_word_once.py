"""Search texts keep each word once (sen.core.text.search_words): the same documents match, the text
is a third shorter. Existing texts are already folded, so dropping their repeated words is enough."""

from __future__ import annotations

from typing import Any

from django.db import migrations

BATCH = 2_000


def _each_word_once(text: str) -> str:
    # Written out here, not imported: a migration must keep doing what it did when search_words changes.
    return " ".join(dict.fromkeys(text.split(" ")))


def forwards(apps: Any, schema_editor: Any) -> None:
    for name in ("OutgoingDocument", "IncomingDocument"):
        model = apps.get_model("documents", name)
        last = 0
        while True:
            rows = list(model.objects.filter(pk__gt=last).order_by("pk").only("pk", "search_text")[:BATCH])
            if not rows:
                break
            changed = []
            for row in rows:
                shorter = _each_word_once(row.search_text)
                if shorter != row.search_text:
                    row.search_text = shorter
                    changed.append(row)
            model.objects.bulk_update(changed, ["search_text"])
            last = rows[-1].pk


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_issuekey_case_file")]

    # Backwards there is nothing to undo: the shorter text finds the same documents.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
