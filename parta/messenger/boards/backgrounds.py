"""Checking a background the organizer uploads (docs/board.md "Backgrounds") and making its page pictures.

The type comes from the file's content (`filetype`, as chats' uploads do), never from its name or the browser's word.
A PDF is opened by pypdf (refused when encrypted or unreadable) and each page is rendered by PDFium (`pypdfium2`, a
wheel that bundles it) to a PNG whose long side is BOARDS_PAGE_IMAGE_SIDE px; the original PDF is kept for the board's
vector PDF. A PNG, JPEG or WebP is checked by Pillow, its pixel count capped before decoding (a decompression bomb),
turned upright, scaled down to the same long side and re-encoded, which drops its metadata (EXIF, GPS).
"""

from __future__ import annotations

import io
import logging
import threading
from dataclasses import dataclass, field

import filetype
import pypdfium2 as pdfium
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from parta.messenger.boards import errors
from parta.messenger.boards.models import BackgroundKind
from parta.messenger.chats.uploads import clean_name

log = logging.getLogger(__name__)
MB = 1024 * 1024
_pdfium = threading.Lock()  # PDFium is not thread-safe: one rendering at a time in a process
IMAGE_FORMATS = {"image/png": ("PNG", "png"), "image/jpeg": ("JPEG", "jpg"), "image/webp": ("WEBP", "webp")}


@dataclass
class PagePicture:
    width: int  # px, which are the page's board units
    height: int
    data: bytes


@dataclass
class PreparedBackground:
    kind: str
    name: str
    original: bytes  # the PDF as uploaded; for an image, the re-encoded picture
    original_name: str  # the stored file's name: "original.pdf", "image.png"
    content_type: str  # of the page pictures
    extension: str  # of the page pictures
    pages: list[PagePicture] = field(default_factory=list)


def prepare_background(upload: UploadedFile) -> PreparedBackground:
    """Checks one upload and makes its page pictures. Raises BoardRefusal: board_background_not_supported (not a PDF
    or a picture by content, empty, damaged, encrypted), board_background_too_large, board_background_too_many_pages."""
    name = clean_name(upload.name)
    limit = int(settings.BOARDS_MAX_BACKGROUND_BYTES)
    if int(upload.size or 0) > limit:
        raise errors.background_too_large(max(1, round(limit / MB)))
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:  # a size the upload handler under-reported
        raise errors.background_too_large(max(1, round(limit / MB)))
    if not data:
        raise errors.background_empty()
    guess = filetype.guess(data[:8192])
    mime = guess.mime if guess else ""
    if mime == "application/pdf":
        return PreparedBackground(
            BackgroundKind.PDF, name, data, "original.pdf", "image/png", "png", pages=pdf_pictures(data)
        )
    if mime in IMAGE_FORMATS:
        picture, encoded = image_picture(data, mime)
        extension = IMAGE_FORMATS[mime][1]
        return PreparedBackground(
            BackgroundKind.IMAGE, name, encoded, f"image.{extension}", mime, extension, pages=[picture]
        )
    raise errors.background_not_supported()


def pdf_page_count(data: bytes) -> int:
    """The number of pages of a readable, unencrypted PDF; refused otherwise."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise errors.background_encrypted_pdf()
        count = len(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError):
        raise errors.background_broken_pdf() from None
    if count == 0:
        raise errors.background_broken_pdf()
    return count


def pdf_pictures(data: bytes) -> list[PagePicture]:
    count = pdf_page_count(data)
    if count > settings.BOARDS_MAX_PDF_PAGES:
        raise errors.background_too_many_pages(int(settings.BOARDS_MAX_PDF_PAGES))
    with _pdfium:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            raise errors.background_broken_pdf() from None
        try:
            return [_render(document[index]) for index in range(min(count, len(document)))]
        except (pdfium.PdfiumError, ValueError):
            raise errors.background_broken_pdf() from None
        finally:
            document.close()


def _render(page: pdfium.PdfPage) -> PagePicture:
    """One page as a PNG, its long side BOARDS_PAGE_IMAGE_SIDE px (its size as shown: /Rotate applied)."""
    side = int(settings.BOARDS_PAGE_IMAGE_SIDE)
    try:
        width, height = page.get_size()
        scale = side / max(width, height) if min(width, height) > 0 else 0
        if min(width, height) * scale < 1:  # no size, or a sliver no board page can show
            raise errors.background_broken_pdf()
        image = page.render(scale=scale, fill_color=(255, 255, 255, 255)).to_pil()
    finally:
        page.close()
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG")
    return PagePicture(image.width, image.height, out.getvalue())


def image_picture(data: bytes, mime: str) -> tuple[PagePicture, bytes]:
    """The picture upright, at most BOARDS_PAGE_IMAGE_SIDE px on its long side, re-encoded in its own format."""
    pillow_format = IMAGE_FORMATS[mime][0]
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != pillow_format:
                raise errors.background_not_supported()
            if image.width * image.height > settings.BOARDS_MAX_IMAGE_PIXELS:
                raise errors.background_too_many_pixels()
            image.load()
            upright = ImageOps.exif_transpose(image)
            side = int(settings.BOARDS_PAGE_IMAGE_SIDE)
            upright.thumbnail((side, side))
            upright = _plain_mode(upright, pillow_format)
            out = io.BytesIO()
            options = {"quality": 90} if pillow_format in {"JPEG", "WEBP"} else {}
            upright.save(out, format=pillow_format, **options)
    except Image.DecompressionBombError:
        raise errors.background_too_many_pixels() from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise errors.background_broken_image() from None
    encoded = out.getvalue()
    return PagePicture(upright.width, upright.height, encoded), encoded


def _plain_mode(image: Image.Image, pillow_format: str) -> Image.Image:
    if pillow_format == "JPEG":
        return image.convert("RGB") if image.mode != "RGB" else image
    if image.mode not in {"RGB", "RGBA"}:
        return image.convert("RGBA")
    return image
