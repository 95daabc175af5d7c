"""The one check every API request body passes before any schema sees it.

JSON may escape characters that no text column, log line or e-mail header can carry: a lone
UTF-16 surrogate ("\\ud800") cannot be encoded as UTF-8 (the database driver fails with a
500), and NUL ("\\u0000") is refused by PostgreSQL. Both are answered 422 with the field path,
for every operation alike, object keys included.
"""

from __future__ import annotations

from typing import Any

from theke.api.errors import FieldError

NUL = "\x00"


def _problem_in(text: str) -> FieldError | None:
    if NUL in text:
        return FieldError("", "NUL characters (\\u0000) are not allowed.", "nul_character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return FieldError(
            "", "Lone surrogates (\\ud800-\\udfff) are not valid Unicode text.", "invalid_unicode"
        )
    return None


def _readable(key: str) -> str:
    """A key as a path part the problem document can carry (escaped like JSON would)."""
    return key.encode("utf-8", "backslashreplace").decode().replace(NUL, "\\u0000")


def unstorable_text(data: Any, path: tuple[str, ...] = ()) -> list[FieldError]:
    """Every string (value or key) of a parsed JSON body that cannot be stored, by its path."""
    found: list[FieldError] = []
    if isinstance(data, str):
        if error := _problem_in(data):
            error.path = ".".join(path)
            found.append(error)
    elif isinstance(data, dict):
        for key, value in data.items():
            name = _readable(key)
            if error := _problem_in(key):
                error.path = ".".join((*path, name))
                found.append(error)
            found.extend(unstorable_text(value, (*path, name)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(unstorable_text(value, (*path, str(index))))
    return found
