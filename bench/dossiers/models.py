"""The bench-only table the bare single-row-insert endpoint writes to (created by generate.py)."""

from __future__ import annotations

from django.db import models


class BenchRow(models.Model):
    created_at = models.DateTimeField()
    note = models.CharField(max_length=64)

    class Meta:
        managed = False
        db_table = "bench_row"

    def __str__(self) -> str:
        return f"{self.pk}: {self.note}"
