"""Files and documents the background, PDF and reopening tests make: real PDFs (reportlab), pictures (Pillow), a
guest's browser, and pages like the browser's board writes them (docs/board.md "The document")."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from pycrdt import Array, Doc, Map
from pypdf import PdfWriter
from reportlab.pdfgen.canvas import Canvas

from parta.messenger.calls.models import Call, Participant


def make_pdf(pages: int = 2, *, text: str = "Worksheet page", size: tuple[float, float] = (595, 842)) -> bytes:
    """A real PDF: each page says "<text> <n>" (extractable text, so a test can find it again)."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=size)
    for number in range(1, pages + 1):
        canvas.setFont("Helvetica", 24)
        canvas.drawString(72, size[1] - 100, f"{text} {number}")
        canvas.rect(60, 60, size[0] - 120, size[1] - 200)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf(1)))
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_picture(width: int = 300, height: int = 200, *, fmt: str = "PNG", exif: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCamera"  # Make
        image.save(out, format=fmt, exif=data)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def upload(data: bytes, name: str, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def guest_browser(call: Call, participant: Participant) -> Client:
    """A guest's browser whose session joined the call by its link (what calls' guest join leaves in the session)."""
    store = SessionStore()
    store["call_guests"] = {str(call.public_id): participant.pk}
    store.create()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key or ""
    return client


def add_page(doc: Doc, *, items: list[dict[str, Any]], image: dict[str, Any] | None = None, **extra: Any) -> bytes:
    """Appends a page with these items (and an `image` background); answers the Yjs update."""
    before = doc.get_state()
    pages = doc.get("pages", type=Array)
    fields: dict[str, Any] = {"id": f"page-{len(pages) + 1}", "title": f"Страница {len(pages) + 1}", **extra}
    if image is not None:
        fields.update(image=image, width=image["width"], height=image["height"])
    with doc.transaction():
        pages.append(Map({**fields, "items": Array([Map(item) for item in items])}))
    return doc.get_update(before)


def text_item(text: str, *, kind: str = "text", x: float = 100, y: float = 100) -> dict[str, Any]:
    return {"id": f"{kind}-{x}-{y}", "kind": kind, "author": 1, "color": "#1f2328", "width": 2, "x": x, "y": y,
            "w": 700, "h": 80, "text": text, "size": 28}  # fmt: skip


def pen_item(points: list[float] | None = None, *, kind: str = "pen") -> dict[str, Any]:
    return {"id": f"{kind}-1", "kind": kind, "author": 1, "color": "#1f6feb", "width": 4,
            "points": points or [10.0, 10.0, 60.0, 80.0, 120.0, 40.0, 200.0, 200.0]}  # fmt: skip
