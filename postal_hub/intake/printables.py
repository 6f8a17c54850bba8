"""Barcodes for printed documents, as inline SVG (no image library, crisp on any printer)."""

from __future__ import annotations

import io
import re

import barcode
import qrcode
import qrcode.image.svg
from barcode.writer import SVGWriter
from markupsafe import Markup

_XML_HEADER = re.compile(r"^<\?xml[^>]*>\s*(<!DOCTYPE[^>]*>\s*)?")
# The page's CSP forbids inline style attributes; fill as an SVG presentation attribute needs no exception.
_STYLE_FILL = re.compile(r'style="fill:\s*([#\w]+);?\s*"')


def code128_svg(text: str) -> Markup:
    out = io.BytesIO()
    barcode.get("code128", text, writer=SVGWriter()).write(
        out, options={"write_text": False, "module_height": 14.0, "module_width": 0.33, "quiet_zone": 3.0}
    )
    svg = _STYLE_FILL.sub(r'fill="\1"', _XML_HEADER.sub("", out.getvalue().decode("utf-8")))
    if "style=" in svg:
        raise ValueError("the barcode SVG carries a style the page's CSP would block")
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="Code 128" class="barcode" ', 1))  # noqa: S704


def qr_svg(data: str) -> Markup:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = _XML_HEADER.sub("", image.to_string(encoding="unicode"))
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR" class="qr" ', 1))  # noqa: S704
