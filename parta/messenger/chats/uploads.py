"""Checking an uploaded file before it becomes an attachment (C6): size limits, type sniffing, photo thumbnails.

The type a browser declares is not trusted: the kind comes from the file's first bytes (`filetype`). Photos are
JPEG, PNG, WebP and GIF that Pillow can open; audio and video are the formats browsers play; everything else is a
plain file, always served as a download. Programs (Windows, Linux and macOS executables, installer and script
extensions) are refused outright. HTML, SVG and XML are stored as plain files, so they are never rendered by the
browser on the messenger's origin.

Limits come from settings (bytes): CHATS_MAX_FILE_BYTES (20 MB), CHATS_MAX_PHOTO_BYTES (10 MB),
CHATS_MAX_AUDIO_BYTES (20 MB), CHATS_MAX_VIDEO_BYTES (100 MB), and CHATS_MAX_ATTACHMENTS per message (10).
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from parta.messenger.chats.errors import ChatRefusal
from parta.messenger.chats.models import AttachmentKind

MB = 1024 * 1024
DEFAULT_LIMITS = {
    AttachmentKind.FILE: 20 * MB,
    AttachmentKind.IMAGE: 10 * MB,
    AttachmentKind.AUDIO: 20 * MB,
    AttachmentKind.VIDEO: 100 * MB,
}
LIMIT_SETTINGS = {
    AttachmentKind.FILE: "CHATS_MAX_FILE_BYTES",
    AttachmentKind.IMAGE: "CHATS_MAX_PHOTO_BYTES",
    AttachmentKind.AUDIO: "CHATS_MAX_AUDIO_BYTES",
    AttachmentKind.VIDEO: "CHATS_MAX_VIDEO_BYTES",
}
THUMBNAIL_SIZE = 320  # px, the longer side
MAX_PHOTO_PIXELS = 50_000_000  # larger images are kept as files: decoding them could exhaust memory
SNIFF_BYTES = 8192

PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
AUDIO_TYPES = {"audio/mpeg": "audio/mpeg", "audio/mp4": "audio/mp4", "audio/ogg": "audio/ogg",
               "audio/x-wav": "audio/wav", "audio/aac": "audio/aac", "audio/x-flac": "audio/flac"}  # fmt: skip
VIDEO_TYPES = {"video/mp4", "video/webm", "video/quicktime", "video/x-m4v"}
# Containers that hold either sound or pictures: a browser's voice recording is audio/webm, sniffed as video/webm.
AUDIO_OR_VIDEO = {"video/webm": "audio/webm", "video/mp4": "audio/mp4"}
EXECUTABLE_TYPES = {"application/x-msdownload", "application/x-executable", "application/x-shockwave-flash",
                    "application/x-google-chrome-extension", "application/vnd.ms-cab-compressed",
                    "application/x-rpm", "application/x-deb"}  # fmt: skip
EXECUTABLE_MAGIC = (
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)
EXECUTABLE_EXTENSIONS = {"exe", "msi", "msp", "bat", "cmd", "com", "scr", "pif", "cpl", "dll", "sys", "vbs", "vbe",
                         "js", "jse", "wsf", "wsh", "hta", "ps1", "psm1", "reg", "lnk", "jar", "apk", "appx", "app",
                         "dmg", "pkg", "deb", "rpm", "run", "elf", "so"}  # fmt: skip
MARKUP_STARTS = (b"<html", b"<!doctype", b"<svg", b"<?xml", b"<script", b"<head", b"<body", b"<iframe")
OCTET_STREAM = "application/octet-stream"


@dataclass
class PreparedUpload:
    """An upload that passed the checks, ready to be stored with its message."""

    upload: UploadedFile
    kind: str
    original_name: str
    content_type: str
    size: int
    extension: str
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None  # WebP, at most THUMBNAIL_SIZE px


def size_limit(kind: str) -> int:
    return int(getattr(settings, LIMIT_SETTINGS[AttachmentKind(kind)], DEFAULT_LIMITS[AttachmentKind(kind)]))


def max_attachments() -> int:
    return int(getattr(settings, "CHATS_MAX_ATTACHMENTS", 10))


def clean_name(name: str | None) -> str:
    """The file's own name without any folder, control characters or excess length; "file" when nothing is left."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = f"{stem[: 190 - len(ext)]}.{ext}" if dot and len(ext) <= 10 else base[:200]
    return base or "file"


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def _is_markup(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith(b"<") and any(marker in start[:1024] for marker in MARKUP_STARTS)


def _refuse_type(name: str) -> ChatRefusal:
    return ChatRefusal(
        "file_type_refused",
        _("«%(name)s» looks like a program. Programs cannot be sent in chats: put them in an archive if you must.")
        % {"name": name},
        status=415,
    )


def human_size(size: int) -> str:
    if size >= MB:
        return _("%(size)s MB") % {"size": round(size / MB)}
    return _("%(size)s KB") % {"size": max(1, round(size / 1024))}


def _too_large(name: str, kind: str) -> ChatRefusal:
    return ChatRefusal(
        "file_too_large",
        _("«%(name)s» is larger than %(limit)s, the most a chat accepts for this kind of file.")
        % {"name": name, "limit": human_size(size_limit(kind))},
        status=413,
    )


def classify(head: bytes, *, declared: str | None) -> tuple[str, str, str]:
    """(kind, content type, extension) from the file's first bytes; `declared` only tells audio from video in a
    container that holds either. Raises nothing: refusing is `prepare_upload`'s job."""
    guess = filetype.guess(head)
    mime = guess.mime if guess else ""
    extension = guess.extension if guess else "bin"
    if mime in PHOTO_TYPES:
        return AttachmentKind.IMAGE, mime, extension
    if mime in AUDIO_OR_VIDEO and (declared or "").lower().startswith("audio/"):
        return AttachmentKind.AUDIO, AUDIO_OR_VIDEO[mime], extension
    if mime in AUDIO_TYPES:
        return AttachmentKind.AUDIO, AUDIO_TYPES[mime], extension
    if mime in VIDEO_TYPES:
        return AttachmentKind.VIDEO, mime, extension
    if not mime or _is_markup(head):
        return AttachmentKind.FILE, OCTET_STREAM, "bin"
    return AttachmentKind.FILE, mime, extension


def _thumbnail(upload: UploadedFile) -> tuple[int, int, bytes] | None:
    """(width, height, WebP thumbnail) of a photo, upright as its EXIF says; None if Pillow cannot read it."""
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in {"JPEG", "PNG", "WEBP", "GIF"} or image.width * image.height > MAX_PHOTO_PIXELS:
                return None
            upright = ImageOps.exif_transpose(image)
            width, height = upright.size
            upright.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
            if upright.mode not in {"RGB", "RGBA"}:
                upright = upright.convert("RGBA" if "transparency" in upright.info or "A" in upright.mode else "RGB")
            out = io.BytesIO()
            upright.save(out, format="WEBP", quality=80)
            return width, height, out.getvalue()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        upload.seek(0)


def prepare_upload(upload: UploadedFile) -> PreparedUpload:
    """Checks one uploaded file (type, size) and makes a photo's thumbnail. Raises ChatRefusal (413, 415)."""
    name = clean_name(upload.name)
    size = int(upload.size or 0)
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    guess = filetype.guess(head)
    if (guess and guess.mime in EXECUTABLE_TYPES) or head.startswith(EXECUTABLE_MAGIC):
        raise _refuse_type(name)
    if _extension(name) in EXECUTABLE_EXTENSIONS:
        raise _refuse_type(name)
    kind, content_type, extension = classify(head, declared=upload.content_type)
    if size > size_limit(kind):
        raise _too_large(name, kind)
    prepared = PreparedUpload(upload, kind, name, content_type, size, extension)
    if kind == AttachmentKind.IMAGE:
        made = _thumbnail(upload)
        if made is None:  # not a photo after all (or too big to decode): keep it as a plain file
            prepared.kind, prepared.content_type = AttachmentKind.FILE, OCTET_STREAM
        else:
            prepared.width, prepared.height, prepared.thumbnail = made
    return prepared


def prepare_uploads(uploads: list[UploadedFile]) -> list[PreparedUpload]:
    if len(uploads) > max_attachments():
        raise ChatRefusal(
            "too_many_files",
            _("One message can carry at most %(count)s files.") % {"count": max_attachments()},
        )
    return [prepare_upload(upload) for upload in uploads]
