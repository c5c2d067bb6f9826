"""What a signature looks like on the page: the signer's signature image, the organisation's red seal,
and the fonts of text stamps. Everything is generated at run time; no image of a real signature or
seal is ever committed.

Fonts. pyHanko 0.38 spaces the glyphs of fonts whose unitsPerEm is 2048 (Liberation, DejaVu) twice too
wide in stamps, so text stamps use Noto Serif (unitsPerEm 1000; "Times-style" as Decree 30 asks for
appendices). Embedding a font makes pyHanko subset it per signature (~80 ms for the whole Noto Serif):
the font is cut once per process to the Vietnamese repertoire, and that small font is embedded whole
(~40 KB, no per-signature subsetting, its bytes written as they are). Images are encoded once per process.
"""

from __future__ import annotations

import functools
import io
import math
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.font.api import FontEngineFactory
from pyhanko.pdf_utils.font.opentype import CIDFontType2, GlyphAccumulator
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import StaticStampStyle, TextStampStyle

FONT_DIR = Path("/usr/share/fonts/truetype/noto")
SERIF = FONT_DIR / "NotoSerif-Regular.ttf"
SERIF_BOLD = FONT_DIR / "NotoSerif-Bold.ttf"
SERIF_ITALIC = FONT_DIR / "NotoSerif-Italic.ttf"
SCRIPT = FONT_DIR / "NotoSerif-Italic.ttf"  # no handwriting font in Debian's Noto set: italic serif

# Vietnamese in precomposed form plus what official text uses.
VIETNAMESE_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0xFF),
    (0x100, 0x17F),
    (0x1A0, 0x1B0),
    (0x300, 0x323),
    (0x1EA0, 0x1EF9),
    (0x2010, 0x2026),
)
RED = (200, 16, 46)


@functools.cache
def presubset_font(path: Path = SERIF) -> bytes:
    """The font cut to the Vietnamese repertoire (once per process)."""
    from fontTools import subset, ttLib

    font = ttLib.TTFont(str(path))
    options = subset.Options()
    # pyHanko drops the layout tables when it embeds a font; precomposed Vietnamese needs none of them.
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH"]
    options.layout_features = []
    options.hinting = False
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=[code for low, high in VIETNAMESE_RANGES for code in range(low, high + 1)])
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@functools.cache
def _compressed(font_bytes: bytes) -> bytes:
    return zlib.compress(font_bytes)


class _WholeFontCIDFontType2(CIDFontType2):
    """Writes the pre-cut font's bytes as they are: fontTools would otherwise recompile its glyf table
    (~40 ms) for every signature."""

    font_bytes: bytes = b""

    def set_font_file(self, writer: BasePdfFileWriter) -> generic.IndirectObject:
        stream = generic.StreamObject(
            dict_data={pdf_name("/Filter"): pdf_name("/FlateDecode")},
            encoded_data=_compressed(self.font_bytes),
        )
        ref = writer.add_object(stream)
        self._font_descriptor[pdf_name("/FontFile2")] = ref
        return ref


class PresubsetGlyphAccumulator(GlyphAccumulator):
    """Embeds the pre-cut font whole (~40 KB) instead of subsetting it again for every signature."""

    def __init__(self, *, writer: BasePdfFileWriter, font_bytes: bytes, font_size: int, obj_stream: Any) -> None:
        super().__init__(writer=writer, font_handle=io.BytesIO(font_bytes), font_size=font_size, obj_stream=obj_stream)
        if type(self.cidfont_obj) is CIDFontType2:
            self.cidfont_obj.__class__ = _WholeFontCIDFontType2
            self.cidfont_obj.font_bytes = font_bytes  # type: ignore[attr-defined]

    def _extract_subset(self, options: object = None) -> None:
        return None


@dataclass(frozen=True)
class PresubsetFontFactory(FontEngineFactory):
    """A GlyphAccumulator over the pre-cut font held in memory."""

    font_path: Path = SERIF
    font_size: int = 10

    def create_font_engine(self, writer: BasePdfFileWriter, obj_stream: object = None) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return PresubsetGlyphAccumulator(
            writer=writer, font_bytes=presubset_font(self.font_path), font_size=self.font_size, obj_stream=obj_stream
        )


def _fit_font(draw: ImageDraw.ImageDraw, text: str, path: Path, max_width: int, start: int) -> ImageFont.FreeTypeFont:
    size = start
    while size > 10:
        font = ImageFont.truetype(str(path), size)
        left, _top, right, _bottom = draw.textbbox((0, 0), text, font=font)
        if right - left <= max_width:
            return font
        size -= 2
    return ImageFont.truetype(str(path), size)


@functools.lru_cache(maxsize=256)
def signature_png(full_name: str) -> bytes:
    """A stand-in for a scanned signature: the name's given name in italic script-like type with an
    underline flourish, dark blue ink, transparent background. Obviously generated, never a real one."""
    width, height = 480, 200
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    words = full_name.split()
    text = " ".join(words[-2:]) if len(words) > 1 else full_name
    font = _fit_font(draw, text, SCRIPT, width - 60, 84)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x = (width - (right - left)) // 2 - left
    y = (height - (bottom - top)) // 2 - top - 10
    ink = (20, 40, 140, 255)
    draw.text((x, y), text, font=font, fill=ink)
    # A flourish under the name.
    base = y + bottom + 8
    points = [(x + t * (right - left) / 40, base + 10 * math.sin(t / 40 * math.pi * 1.5)) for t in range(41)]
    draw.line(points, fill=ink, width=4, joint="curve")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@functools.lru_cache(maxsize=256)
def seal_png(unit_name: str, place: str = "") -> bytes:
    """A round red seal: the unit's name around the rim, a star in the middle (generated; transparent)."""
    size = 400
    scale = 2  # draw big, shrink: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    colour = (*RED, 235)
    centre = big / 2
    draw.ellipse((8, 8, big - 8, big - 8), outline=colour, width=14 * scale // 2 * 2)
    draw.ellipse((150, 150, big - 150, big - 150), outline=colour, width=6)
    text = unit_name.upper()
    font = ImageFont.truetype(str(SERIF_BOLD), 66)
    radius = centre - 82
    # Letters along the rim, clockwise, centred on the top; at most 300 degrees, at most 15 per letter.
    count = max(len(text), 1)
    step = min(math.radians(300) / count, math.radians(17))
    start = -math.pi / 2 - step * count / 2
    for index, char in enumerate(text):
        angle = start + step * (index + 0.5)
        cx = centre + radius * math.cos(angle)
        cy = centre + radius * math.sin(angle)
        glyph = Image.new("RGBA", (120, 120), (255, 255, 255, 0))
        ImageDraw.Draw(glyph).text((60, 60), char, font=font, fill=colour, anchor="mm")
        rotated = glyph.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC)
        image.alpha_composite(rotated, (int(cx - 60), int(cy - 60)))
    # Star in the middle.
    star = []
    for k in range(10):
        r = 100 if k % 2 == 0 else 40
        a = -math.pi / 2 + k * math.pi / 5
        star.append((centre + r * math.cos(a), centre + r * math.sin(a)))
    draw.polygon(star, fill=colour)
    if place:
        small = _fit_font(draw, place.upper(), SERIF_BOLD, 360, 40)
        draw.text((centre, centre + 160), place.upper(), font=small, fill=colour, anchor="mm")
    image = image.resize((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@functools.lru_cache(maxsize=256)
def _image(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image.convert("RGBA")


@dataclass(frozen=True)
class EncodedImage:
    width: int
    height: int
    rgb: bytes  # Flate-compressed samples
    alpha: bytes


@functools.lru_cache(maxsize=256)
def encoded_image(png: bytes) -> EncodedImage:
    image = _image(png)
    return EncodedImage(
        width=image.width,
        height=image.height,
        rgb=zlib.compress(image.convert("RGB").tobytes()),
        alpha=zlib.compress(image.split()[-1].tobytes()),
    )


class CachedPdfImage(PdfImage):
    """An image XObject whose compressed samples are computed once per process (pyHanko's PdfImage
    re-encodes the pixels for every signature)."""

    def __init__(self, png: bytes) -> None:
        self._encoded = encoded_image(png)
        super().__init__(_image(png))

    @property
    def image_ref(self) -> generic.IndirectObject:
        writer = self.writer
        assert writer is not None
        ref = self._image_ref
        if ref is None or ref.get_pdf_handler() is not writer:
            encoded = self._encoded
            size = {
                pdf_name("/Type"): pdf_name("/XObject"),
                pdf_name("/Subtype"): pdf_name("/Image"),
                pdf_name("/Width"): generic.NumberObject(encoded.width),
                pdf_name("/Height"): generic.NumberObject(encoded.height),
                pdf_name("/BitsPerComponent"): generic.NumberObject(8),
                pdf_name("/Filter"): pdf_name("/FlateDecode"),
            }
            smask = writer.add_object(
                generic.StreamObject(
                    {**size, pdf_name("/ColorSpace"): pdf_name("/DeviceGray")}, encoded_data=encoded.alpha
                )
            )
            ref = writer.add_object(
                generic.StreamObject(
                    {**size, pdf_name("/ColorSpace"): pdf_name("/DeviceRGB"), pdf_name("/SMask"): smask},
                    encoded_data=encoded.rgb,
                )
            )
            self._image_ref = ref
        return ref


FULL_FIT = layout.SimpleBoxLayoutRule(
    x_align=layout.AxisAlignment.ALIGN_MID,
    y_align=layout.AxisAlignment.ALIGN_MID,
    margins=layout.Margins.uniform(0),
    inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
)


def signer_style(full_name: str) -> StaticStampStyle:
    """Layer 1: the signature image alone, centred in its field (the field sits between the position
    title and the printed name)."""
    return StaticStampStyle(
        background=CachedPdfImage(signature_png(full_name)),
        background_layout=FULL_FIT,
        background_opacity=1.0,
        border_width=0,
    )


def seal_style(unit_name: str) -> StaticStampStyle:
    """Layer 2: the red seal image."""
    return StaticStampStyle(
        background=CachedPdfImage(seal_png(unit_name)),
        background_layout=FULL_FIT,
        background_opacity=1.0,
        border_width=0,
    )


def appendix_style() -> TextStampStyle:
    """Appendices: no image; number and ký hiệu, then the signing time (ISO 8601, +07:00), Times-style 10 pt,
    black, upright. The text comes in the `sen_text` parameter."""
    return TextStampStyle(
        stamp_text="%(sen_text)s",
        text_box_style=TextBoxStyle(font=PresubsetFontFactory(SERIF, font_size=10), font_size=10, leading=12),
        border_width=0,
        background=None,
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MAX,
            y_align=layout.AxisAlignment.ALIGN_MAX,
            margins=layout.Margins.uniform(1),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
    )


def field_text_style(size: int = 13, *, italic: bool = False) -> TextBoxStyle:
    """The number and date written into the prepared text fields (the date line is italic)."""
    return TextBoxStyle(
        font=PresubsetFontFactory(SERIF_ITALIC if italic else SERIF, font_size=size),
        font_size=size,
        box_layout_rule=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(left=1, right=1, top=0, bottom=0),
        ),
    )


def text_stamp_style(size: int = 9) -> TextStampStyle:
    """A small text stamp (e-results): who signed and when."""
    return TextStampStyle(
        stamp_text="%(sen_text)s",
        text_box_style=TextBoxStyle(font=PresubsetFontFactory(SERIF, font_size=size), font_size=size, leading=size + 2),
        border_width=1,
        background=None,
    )
