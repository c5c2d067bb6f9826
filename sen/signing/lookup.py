"""Hook for the public verify page: finding a signed document by a code (a dossier code for an
e-result, issue 3). The app that owns the documents registers a function at start-up:

    # sen/dossiers/apps.py
    def ready(self):
        from sen.signing import lookup
        from sen.dossiers.selectors import signed_result_pdf   # (code: str) -> bytes | None
        lookup.register("dossier", signed_result_pdf)

The verify page then shows a "Mã hồ sơ" box and validates the stored PDF found by the code (None → "not
found"). Nothing is registered until the dossiers app exists.
"""

from __future__ import annotations

from collections.abc import Callable

Lookup = Callable[[str], bytes | None]

_lookups: dict[str, Lookup] = {}


def register(name: str, function: Lookup) -> None:
    _lookups[name] = function


def unregister(name: str) -> None:
    _lookups.pop(name, None)


def available() -> bool:
    return bool(_lookups)


def find(code: str) -> bytes | None:
    for function in _lookups.values():
        found = function(code)
        if found is not None:
            return found
    return None
