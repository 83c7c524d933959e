"""Refusing an upload over its size limit before Django reads it.

Django reads a multipart body when request.POST is first used, which the CSRF check does
before any view runs, and its default handlers write a large file to a temporary file
first: a 1 GiB upload was written whole to disk before the view refused it. A view
wrapped in `limit_upload_size`:

- answers a request whose Content-Length is over the limit without reading its body
  (the answer needs no CSRF check: it changes nothing);
- otherwise parses the body through `SizeLimitHandler`, which stops the upload as soon as
  more file bytes than the limit have arrived, keeping none of them.

Under WSGI, Django reads no body without a Content-Length (a chunked request arrives
empty), so the handler is the bound when the header is missing or understates the file.
gunicorn has no body limit of its own: a reverse proxy in front should refuse bodies
over the same size (nginx `client_max_body_size`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt, csrf_protect

MEGABYTE = 1_048_576
# Room for the other form fields and the multipart envelope around the file.
ENVELOPE_BYTES = 64 * 1024


def size_text(size: int, decimals: int = 0) -> str:
    """5242880 → "5 MB"; with decimals=1, 161480704 → "154.0 MB"; under a megabyte in KB."""
    unit, name = (MEGABYTE, "MB") if size >= MEGABYTE else (1024, "KB")
    if decimals == 0 and size % unit:
        decimals = 1
    return f"{size / unit:,.{decimals}f} {name}"


def too_large_message(size: int | None, limit: int) -> str:
    """The real size when it is known and reads differently from the limit; otherwise "over the limit"."""
    if size is None or size_text(size, 1) == size_text(limit, 1):
        return f"The file is over the {size_text(limit)} limit."
    return f"The file is {size_text(size, 1)}; the limit is {size_text(limit)}."


@dataclass(frozen=True)
class UploadRefusal:
    """Why an upload was refused unread: its size (None when the request did not say) and the limit."""

    size: int | None
    limit: int

    def __str__(self) -> str:
        return too_large_message(self.size, self.limit)


class SizeLimitHandler(FileUploadHandler):
    """First in the handler chain: passes file data on until more than max_bytes has arrived, then stops."""

    def __init__(self, request: HttpRequest, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0
        self.refusal: UploadRefusal | None = None

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        """An over-long body is answered as empty, unread (for callers that skipped the view's own check)."""
        if content_length > self.max_bytes + ENVELOPE_BYTES:
            self.refusal = UploadRefusal(content_length, self.max_bytes)
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.refusal = UploadRefusal(None, self.max_bytes)
            # The declared length is within the envelope of the limit here, so reading the rest
            # costs little and lets the browser show the answer instead of a reset connection.
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


Refused = Callable[..., HttpResponse]


def limit_upload_size(max_bytes: Callable[[], int], refused: Refused) -> Callable:
    """View decorator: `refused(request, refusal, *args, **kwargs)` answers an upload over max_bytes().

    The view keeps its CSRF check (Django's documented way to change upload handlers
    per view: csrf_exempt outside, csrf_protect inside, handlers set in between).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_protect
        def parsed_within_limit(request: HttpRequest, handler: SizeLimitHandler, *args, **kwargs) -> HttpResponse:
            request.FILES  # noqa: B018 -- parse now, through the handler, whatever the CSRF check did
            if handler.refusal is not None:
                return refused(request, handler.refusal, *args, **kwargs)
            return view(request, *args, **kwargs)

        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            handler = SizeLimitHandler(request, max_bytes())
            request.upload_handlers.insert(0, handler)
            declared = _declared_length(request)
            if request.method == "POST" and declared > handler.max_bytes + ENVELOPE_BYTES:
                return refused(request, UploadRefusal(declared, handler.max_bytes), *args, **kwargs)
            return parsed_within_limit(request, handler, *args, **kwargs)

        return wrapper

    return decorator


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
