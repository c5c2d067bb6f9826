"""Files written by a service: each one under a name of its own, and deleted again if the service's
transaction fails, so a failed request leaves no orphan file and never removes another request's.

    with files.written() as written, transaction.atomic():
        name = files.store(written, "documents/ab/ab…-x.pdf", data)
        ...

The transaction is the inner context, so it rolls back before the files are removed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

logger = logging.getLogger(__name__)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store(written: list[str], name: str, data: bytes) -> str:
    """Save `data` (the storage may alter `name` to keep it unique) and remember it in `written`."""
    stored = default_storage.save(name, ContentFile(data))
    written.append(stored)
    return stored


def read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        data: bytes = handle.read()
    return data


def forget(names: Sequence[str]) -> None:
    """Delete what a failed request wrote (no other request references it)."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("Could not delete orphan file %s", name)


@contextmanager
def written() -> Iterator[list[str]]:
    names: list[str] = []
    try:
        yield names
    except BaseException:
        forget(names)
        raise


def response(name: str, *, filename: str, content_type: str, as_attachment: bool = True) -> Any:
    """A streamed download of a stored file (not read into memory first)."""
    from django.http import FileResponse

    return FileResponse(
        default_storage.open(name, "rb"), content_type=content_type, as_attachment=as_attachment, filename=filename
    )
