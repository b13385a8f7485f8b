"""One upload pipeline for personal photos and residency documents.

A file is judged by its bytes, never by its name or the browser's content
type. Images are opened and verified with Pillow, then re-encoded from pixels
so nothing but the picture survives (EXIF, GPS, comments, embedded profiles).
PDFs must start with ``%PDF-``, parse as a PDF with at least one page (pypdf),
and carry no active content (JavaScript, launch actions, embedded files) and
no markup another program would run: a file that is both a PDF and an HTML
page or script (a polyglot) is refused.
"""

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
JPEG, PNG, PDF = "jpeg", "png", "pdf"
IMAGE_KINDS = (JPEG, PNG)
# The shorter side of a personal photo, in pixels (card photo and residency photo alike).
PHOTO_MIN_SIDE = 600
ALL_KINDS = (JPEG, PNG, PDF)

_SIGNATURES = {
    JPEG: b"\xff\xd8\xff",
    PNG: b"\x89PNG\r\n\x1a\n",
    PDF: b"%PDF-",
}
_CONTENT_TYPES = {JPEG: "image/jpeg", PNG: "image/png", PDF: "application/pdf"}
_EXTENSIONS = {JPEG: ".jpg", PNG: ".png", PDF: ".pdf"}
# Far above any photo or scan; below it Pillow never decodes a decompression bomb.
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class CleanUpload:
    kind: str
    content: bytes
    width: int | None = None
    height: int | None = None

    @property
    def content_type(self) -> str:
        return _CONTENT_TYPES[self.kind]

    @property
    def extension(self) -> str:
        return _EXTENSIONS[self.kind]

    def as_file(self) -> ContentFile:
        """A file whose name only carries the extension; storage adds a random name."""
        return ContentFile(self.content, name=f"upload{self.extension}")


def _kinds_label(kinds) -> str:
    return ", ".join(kind.upper() for kind in kinds)


def _sniff(head: bytes) -> str | None:
    for kind, signature in _SIGNATURES.items():
        if head.startswith(signature):
            return kind
    return None


def upload_clean(
    uploaded, *, kinds=ALL_KINDS, max_bytes: int = MAX_UPLOAD_BYTES, min_side: int = 0
) -> CleanUpload:
    """Check an uploaded file and return a clean copy, or raise ``ValidationError``.

    ``min_side`` is the smallest width and height an image may have (600 for
    the personal photo).
    """
    uploaded.seek(0)
    data = uploaded.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(
            _("The file is larger than %(size)d MB. Choose a smaller file."),
            code="file_too_large",
            params={"size": max_bytes // (1024 * 1024)},
        )
    if not data:
        raise ValidationError(_("The file is empty."), code="file_empty")
    kind = _sniff(data[:16])
    if kind not in kinds:
        raise ValidationError(
            _("This file type is not accepted. Upload a %(kinds)s file."),
            code="file_type",
            params={"kinds": _kinds_label(kinds)},
        )
    if kind == PDF:
        return _clean_pdf(data)
    return _clean_image(data, kind, min_side)


# Markup that would make the same bytes an HTML page or a script for a browser.
_MARKUP = (b"<script", b"<html", b"<svg", b"<!doctype", b"<iframe", b"<?php", b"<body")
_ACTIONS_THAT_RUN = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm"}


def _pdf_is_active(reader: PdfReader) -> bool:
    """JavaScript, launch actions, embedded files or XFA forms anywhere a reader looks."""

    def runs(action) -> bool:
        action = action.get_object() if action is not None else None
        return bool(action) and hasattr(action, "get") and action.get("/S") in _ACTIONS_THAT_RUN

    root = reader.trailer["/Root"].get_object()
    names = root.get("/Names")
    names = names.get_object() if names is not None else {}
    form = root.get("/AcroForm")
    if (
        runs(root.get("/OpenAction"))
        or "/AA" in root
        or "/JavaScript" in names
        or "/EmbeddedFiles" in names
        or (form is not None and "/XFA" in form.get_object())
    ):
        return True
    for page in reader.pages:
        if "/AA" in page:
            return True
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if runs(annotation.get("/A")) or "/AA" in annotation:
                return True
    return False


def _clean_pdf(data: bytes) -> CleanUpload:
    end = data.rfind(b"%%EOF")
    trailing = data[end + 5 :].strip() if end != -1 else b""
    if trailing or any(tag in data[:1024].lower() for tag in _MARKUP):
        raise ValidationError(
            _("This PDF contains active content or markup. Upload a plain scanned document."),
            code="pdf_unsafe",
        )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = len(reader.pages)
        active = pages > 0 and _pdf_is_active(reader)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        pages, active = 0, False
    if pages < 1:
        raise ValidationError(
            _("The PDF could not be read. Upload a PDF with at least one page."),
            code="pdf_unreadable",
        )
    if active:
        raise ValidationError(
            _("This PDF contains active content or markup. Upload a plain scanned document."),
            code="pdf_unsafe",
        )
    return CleanUpload(kind=PDF, content=data)


def _clean_image(data: bytes, kind: str, min_side: int) -> CleanUpload:
    unreadable = ValidationError(
        _("The picture could not be read. Upload a clear JPEG or PNG photo."),
        code="image_unreadable",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise unreadable
                probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise unreadable from None
    except Image.DecompressionBombWarning:
        raise unreadable from None
    if image.format != kind.upper():
        raise unreadable
    image = ImageOps.exif_transpose(image)
    if min_side and (image.width < min_side or image.height < min_side):
        raise ValidationError(
            _(
                "The photo is %(width)d×%(height)d pixels; it must be at least "
                "%(min)d×%(min)d pixels."
            ),
            code="image_too_small",
            params={"width": image.width, "height": image.height, "min": min_side},
        )
    if kind == JPEG:
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    # Pillow writes comments, EXIF and ICC profiles from ``info`` back out: drop them all.
    image.info = {}
    out = io.BytesIO()
    if kind == JPEG:
        image.save(out, format="JPEG", quality=90, optimize=True)
    else:
        image.save(out, format="PNG", optimize=True)
    return CleanUpload(kind=kind, content=out.getvalue(), width=image.width, height=image.height)
