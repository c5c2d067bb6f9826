"""An Idempotency-Key of a case-file creation points at the case file it made, so a retry answers
with that file. Keys stored before this migration had no pointer: each is matched to its case file
by the request hash the service computed then (from the file's body, year, code, title, retention,
unit and keeper, none of which change after creation)."""

import hashlib
import json

import django.db.models.deletion
from django.db import migrations, models


def _request_hash(case_file) -> str:
    # The recipe of services.case_file_create when these keys were stored.
    body = {
        "case_file": [case_file.body_id, case_file.year, case_file.code, case_file.title, case_file.retention],
        "unit": case_file.unit_id,
        "keeper": case_file.keeper_id,
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def link_case_file_keys(apps, schema_editor):
    IssueKey = apps.get_model("documents", "IssueKey")
    CaseFile = apps.get_model("documents", "CaseFile")
    orphans = IssueKey.objects.filter(outgoing__isnull=True, incoming__isnull=True, case_file__isnull=True)
    if not orphans.exists():
        return
    by_hash = {_request_hash(case_file): case_file.pk for case_file in CaseFile.objects.iterator()}
    for issue_key in orphans.iterator():
        case_file_id = by_hash.get(issue_key.request_hash)
        if case_file_id is not None:
            IssueKey.objects.filter(pk=issue_key.pk).update(case_file_id=case_file_id)


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_incoming_arrived_index")]

    operations = [
        migrations.AddField(
            model_name="issuekey",
            name="case_file",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="documents.casefile",
            ),
        ),
        migrations.RunPython(link_case_file_keys, migrations.RunPython.noop),
    ]
