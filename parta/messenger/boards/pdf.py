"""The board as a PDF (docs/board.md "The board's PDF"): every page, its items drawn as vectors by reportlab.

A page is as wide and high as the board says (1600×1000 board units by default, a background's page its picture's
size), scaled so that its long side is an A4 page's (842 pt). A page whose background is a PDF page gets that page
itself, as vectors, under its items (pypdf merges the two); an image background is drawn as the image. Text is set in
DejaVu Sans (Debian's fonts-dejavu-core, BOARDS_PDF_FONT) so Cyrillic renders and stays searchable.

The document comes from browsers: every value is checked here (numbers finite, colours "#rrggbb", sizes capped), and
an item that makes no sense is left out rather than failing the whole PDF.
"""

from __future__ import annotations

import io
import itertools
import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from reportlab import rl_config
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

log = logging.getLogger(__name__)
# Binary page streams (zlib only, no ASCII85 layer): a fifth smaller and faster to write; no one reads them as text.
# (rl_accel, reportlab's C accelerator, is pinned too: number formatting is most of the work for a board of strokes.)
rl_config.useA85 = 0

LONG_SIDE_PT = 842.0  # an A4 page's long side
DEFAULT_WIDTH, DEFAULT_HEIGHT = 1600.0, 1000.0
LIMIT = 1_000_000.0  # board units: anything further out is nonsense
MAX_POINTS = 40_000  # numbers in one stroke's `points`
MAX_TEXT = 10_000
COLOR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
FONT_NAME = "BoardSans"
_font: list[str] = []


@dataclass
class Backdrops:
    """What the pages' `image` entries point at: background id → the original PDF, (id, page) → a picture."""

    pdfs: Mapping[str, bytes] = field(default_factory=dict)
    pictures: Mapping[tuple[str, int], bytes] = field(default_factory=dict)


def font() -> str:
    """The registered TTF's name; Helvetica (no Cyrillic) when the font file is missing, which the log says."""
    if not _font:
        path = Path(settings.BOARDS_PDF_FONT)
        if path.is_file():
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(path)))
            _font.append(FONT_NAME)
        else:
            log.warning("boards: the PDF font %s is missing (apt-get install fonts-dejavu-core)", path)
            _font.append("Helvetica")
    return _font[0]


def number(value: Any, default: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return default
    return max(-LIMIT, min(LIMIT, float(value)))


def color(value: Any, default: str = "#1f2328") -> Color:
    return HexColor(value if isinstance(value, str) and COLOR_RE.match(value) else default)


def points(value: Any) -> list[tuple[float, float]]:
    if not isinstance(value, list):
        return []
    flat = [number(v) for v in value[:MAX_POINTS]]
    return list(zip(flat[0::2], flat[1::2], strict=False))


def text_of(value: Any) -> str:
    return value[:MAX_TEXT] if isinstance(value, str) else ""


def page_size(page: Mapping[str, Any]) -> tuple[float, float]:
    image = page.get("image") if isinstance(page.get("image"), dict) else None
    width = number(page.get("width"), 0) or (number(image.get("width"), 0) if image else 0) or DEFAULT_WIDTH
    height = number(page.get("height"), 0) or (number(image.get("height"), 0) if image else 0) or DEFAULT_HEIGHT
    return max(1.0, abs(width)), max(1.0, abs(height))


def board_pdf(pages: list[dict[str, Any]], backdrops: Backdrops | None = None) -> bytes:
    """The PDF of these pages (plain data, as the Yjs document's `pages` reads); an empty board is one blank page."""
    backdrops = backdrops or Backdrops()
    pages = pages or [{}]
    out = io.BytesIO()
    canvas = Canvas(out, pageCompression=1)
    canvas.setTitle("Parta")
    pdf_pages: dict[int, tuple[str, int]] = {}
    for index, page in enumerate(pages):
        width, height = page_size(page)
        scale = LONG_SIDE_PT / max(width, height)
        canvas.setPageSize((width * scale, height * scale))
        canvas.saveState()
        canvas.translate(0, height * scale)
        canvas.scale(scale, -scale)  # from here on: board units, y down, as the browser draws
        backdrop = _draw_backdrop(canvas, page, backdrops, width, height)
        if backdrop is not None:
            pdf_pages[index] = backdrop
        for item in page.get("items") or []:
            if isinstance(item, dict):
                _draw_item_safely(canvas, item)
        canvas.restoreState()
        canvas.showPage()
    canvas.save()
    if not pdf_pages:
        return out.getvalue()
    return _with_pdf_backgrounds(out.getvalue(), pages, pdf_pages, backdrops)


def _draw_backdrop(
    canvas: Canvas, page: Mapping[str, Any], backdrops: Backdrops, width: float, height: float
) -> tuple[str, int] | None:
    """Draws a picture or paper lines; answers (background id, page) when the page's backdrop is a PDF page."""
    image = page.get("image")
    if isinstance(image, dict) and isinstance(image.get("background_id"), str):
        key = (image["background_id"], int(number(image.get("page"), 1)))
        if key[0] in backdrops.pdfs:
            return key
        picture = backdrops.pictures.get(key)
        if picture is not None:
            w, h = number(image.get("width"), width), number(image.get("height"), height)
            canvas.saveState()
            canvas.translate(0, h)
            canvas.scale(1, -1)  # pictures are drawn y up
            canvas.drawImage(ImageReader(io.BytesIO(picture)), 0, 0, w, h, mask="auto")
            canvas.restoreState()
        return None
    paper = page.get("background")
    if paper in {"grid", "lines"}:
        canvas.setStrokeColor(HexColor("#d0d7de"))
        canvas.setLineWidth(1)
        step = 40.0
        for y in _steps(step, height):
            canvas.line(0, y, width, y)
        if paper == "grid":
            for x in _steps(step, width):
                canvas.line(x, 0, x, height)
    return None


def _steps(step: float, end: float) -> list[float]:
    return [step * n for n in range(1, min(int(end / step) + 1, 2000))]


def _draw_item_safely(canvas: Canvas, item: Mapping[str, Any]) -> None:
    canvas.saveState()
    try:
        _draw_item(canvas, item)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError):  # one odd item must not cost the whole PDF
        log.info("boards: an item of kind %r was left out of the PDF", item.get("kind"), exc_info=True)
    finally:
        canvas.restoreState()


def _draw_item(canvas: Canvas, item: Mapping[str, Any]) -> None:
    kind = item.get("kind")
    width = max(0.1, min(500.0, abs(number(item.get("width"), 3))))
    canvas.setStrokeColor(color(item.get("color")))
    canvas.setLineWidth(width)
    canvas.setLineCap(1)
    canvas.setLineJoin(1)
    if kind in {"pen", "highlighter"}:
        if kind == "highlighter":
            canvas.setStrokeAlpha(0.35)
        _stroke(canvas, points(item.get("points")), width)
    elif kind in {"line", "arrow"}:
        ends = points(item.get("points"))
        if len(ends) >= 2:
            (x0, y0), (x1, y1) = ends[0], ends[-1]
            canvas.line(x0, y0, x1, y1)
            if kind == "arrow":
                _arrow_head(canvas, item, (x0, y0), (x1, y1), width)
    elif kind in {"rect", "ellipse"}:
        _shape(canvas, item, kind)
    elif kind in {"text", "sticky"}:
        _text_box(canvas, item, sticky=kind == "sticky")


def _stroke(canvas: Canvas, pts: list[tuple[float, float]], width: float) -> None:
    """A smooth stroke: quadratic curves through the midpoints of the points (what the browser draws), as cubics."""
    if not pts:
        return
    if len(pts) == 1:
        x, y = pts[0]
        canvas.setFillColor(canvas._strokeColorObj)  # a dot: a tap of the pen
        canvas.circle(x, y, width / 2, stroke=0, fill=1)
        return
    path = canvas.beginPath()
    path.moveTo(*pts[0])
    prev = pts[0]
    for (cx, cy), nxt in itertools.pairwise(pts[1:]):
        end = ((cx + nxt[0]) / 2, (cy + nxt[1]) / 2)
        c1 = (prev[0] + 2 / 3 * (cx - prev[0]), prev[1] + 2 / 3 * (cy - prev[1]))
        c2 = (end[0] + 2 / 3 * (cx - end[0]), end[1] + 2 / 3 * (cy - end[1]))
        path.curveTo(*c1, *c2, *end)
        prev = end
    path.lineTo(*pts[-1])
    canvas.drawPath(path, stroke=1, fill=0)


def _arrow_head(
    canvas: Canvas, item: Mapping[str, Any], start: tuple[float, float], end: tuple[float, float], width: float
) -> None:
    angle = math.atan2(end[1] - start[1], end[0] - start[0])
    length = max(12.0, width * 4)
    path = canvas.beginPath()
    path.moveTo(*end)
    for side in (-1, 1):
        a = angle + math.pi - side * math.radians(28)
        path.lineTo(end[0] + length * math.cos(a), end[1] + length * math.sin(a))
    path.close()
    canvas.setFillColor(color(item.get("color")))
    canvas.drawPath(path, stroke=0, fill=1)


def _box(item: Mapping[str, Any]) -> tuple[float, float, float, float]:
    x, y = number(item.get("x")), number(item.get("y"))
    w, h = number(item.get("w")), number(item.get("h"))
    return min(x, x + w), min(y, y + h), abs(w), abs(h)


def _shape(canvas: Canvas, item: Mapping[str, Any], kind: str) -> None:
    x, y, w, h = _box(item)
    fill = isinstance(item.get("fill"), str) and COLOR_RE.match(item["fill"]) is not None
    if fill:
        canvas.setFillColor(color(item.get("fill")))
    if kind == "rect":
        canvas.rect(x, y, w, h, stroke=1, fill=int(fill))
    else:
        canvas.ellipse(x, y, x + w, y + h, stroke=1, fill=int(fill))


def _text_box(canvas: Canvas, item: Mapping[str, Any], *, sticky: bool) -> None:
    x, y, w, h = _box(item)
    size = max(4.0, min(400.0, abs(number(item.get("size"), 20 if sticky else 24))))
    pad = 12.0 if sticky else 0.0
    if sticky:
        canvas.setFillColor(color(item.get("fill"), "#fff3a3"))
        canvas.rect(x, y, max(w, 1), max(h, 1), stroke=0, fill=1)
    name = font()
    lines: list[str] = []
    for paragraph in text_of(item.get("text")).split("\n"):
        lines.extend(simpleSplit(paragraph, name, size, w - 2 * pad) if w > 2 * pad else [paragraph])
        if not paragraph:
            lines.append("")
    canvas.setFillColor(color(item.get("color"), "#1f2328"))
    canvas.setFont(name, size)
    for number_, line in enumerate(lines):
        canvas.saveState()
        canvas.translate(x + pad, y + pad + size * (number_ + 0.85) * 1.2)
        canvas.scale(1, -1)  # text stands upright in the y-down frame
        canvas.drawString(0, 0, line)
        canvas.restoreState()


def _with_pdf_backgrounds(
    strokes: bytes, pages: list[dict[str, Any]], pdf_pages: dict[int, tuple[str, int]], backdrops: Backdrops
) -> bytes:
    """Each page with a PDF background: that page (vectors, scaled into the picture's place) under the strokes."""
    drawn = PdfReader(io.BytesIO(strokes))
    readers: dict[str, PdfReader] = {}
    writer = PdfWriter()
    for index, page in enumerate(drawn.pages):
        if index not in pdf_pages:
            writer.add_page(page)
            continue
        background_id, number_ = pdf_pages[index]
        reader = readers.get(background_id) or readers.setdefault(
            background_id, PdfReader(io.BytesIO(backdrops.pdfs[background_id]))
        )
        if not 1 <= number_ <= len(reader.pages):
            writer.add_page(page)
            continue
        writer.add_page(_merged_page(page, reader.pages[number_ - 1], pages[index]))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _merged_page(drawn: PageObject, source: PageObject, page: Mapping[str, Any]) -> PageObject:
    width, height = float(drawn.mediabox.width), float(drawn.mediabox.height)
    scale = width / page_size(page)[0]
    image = page["image"]
    place_w = number(image.get("width"), page_size(page)[0]) * scale
    place_h = number(image.get("height"), page_size(page)[1]) * scale
    if source.rotation % 360:  # a turned page: its content turned instead, so the box below is what one sees
        source = PdfWriter().add_page(source)
        source.transfer_rotation_to_content()
    box = source.cropbox
    left, bottom = float(box.left), float(box.bottom)
    sx, sy = place_w / float(box.width), place_h / float(box.height)
    result = PageObject.create_blank_page(width=width, height=height)
    move = Transformation().translate(-left, -bottom).scale(sx, sy).translate(0, height - place_h)
    result.merge_transformed_page(source, move)
    result.merge_page(drawn)
    return result
