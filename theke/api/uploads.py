"""Files sent to the API as multipart/form-data, with PUT as well as POST.

Django fills `request.FILES` for POST only, and ninja's `File[...]` parameters on PUT need a
middleware that parses every non-JSON PUT body of the whole site before authentication.
Upload endpoints call `read_upload(request)` instead: after the API key was checked, the
declared length is compared with the limit before a byte is read, then the body is parsed.
Document the body with `UPLOAD_BODY` (`openapi_extra=UPLOAD_BODY`).

Answers: 415 when the body is not multipart/form-data, 413 when it is too large, 400 when
it cannot be parsed, 422 (path "file") when the field is missing. Whether the file's type is
acceptable is decided by its content (theke.core.files.check_upload), not here; images go
through the image pipeline (theke.core.images: pixel limit from the header before decoding,
refusals as 422 with the field's path and a code such as `too_many_pixels`).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError

from theke.api.errors import FieldError, Problem, problem

# Room for the multipart boundaries and part headers around the file itself.
MULTIPART_OVERHEAD = 64 * 1024

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "The file; its type is checked by its content.",
                        }
                    },
                }
            }
        },
    }
}


def too_large(limit: int) -> Problem:
    message = f"The file exceeds the limit of {limit} bytes."
    return problem(413, message, [FieldError("file", message, "too_large")])


def read_upload(request: HttpRequest, field: str = "file", limit: int | None = None) -> bytes:
    """The content of the multipart field `field`, at most `limit` bytes
    (default THEKE_API_MAX_UPLOAD_BYTES); refusals are Problems (see the module)."""
    limit = settings.API_MAX_UPLOAD_BYTES if limit is None else limit
    if (request.content_type or "").lower() != "multipart/form-data":
        raise problem(415, f"Send the file as multipart/form-data in the field {field!r}.")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError as exc:
        raise problem(400, "Invalid Content-Length.") from exc
    if length > limit + MULTIPART_OVERHEAD:
        raise too_large(limit)
    if not length and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        # WSGI passes no length for a chunked body, and Django then reads none of it.
        raise problem(400, "Send the file with a Content-Length (chunked bodies are not read).")
    try:
        if request.method == "POST":
            files = request.FILES
        else:
            body = getattr(request, "_body", None)  # already read by someone: parse the copy
            stream = BytesIO(body) if body is not None else request
            _post, files = request.parse_file_upload(request.META, stream)
    except RequestDataTooBig as exc:
        raise too_large(limit) from exc
    except (MultiPartParserError, TooManyFieldsSent, TooManyFilesSent) as exc:
        raise problem(400, "The multipart body could not be read.") from exc
    upload: UploadedFile | None = files.get(field)
    if upload is None:
        message = f"The field {field!r} with the file is missing."
        raise problem(422, message, [FieldError(field, message, "missing")])
    if upload.size is not None and upload.size > limit:
        raise too_large(limit)
    data = upload.read()
    if len(data) > limit:
        raise too_large(limit)
    return data
