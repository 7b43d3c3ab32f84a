"""Chart helpers shared by every report: house colours and PNG output for HTML and notebooks."""

from __future__ import annotations

import base64
import io

import matplotlib
import matplotlib.figure

# Labels come from input text: a '$' in a name is a dollar sign, never mathtext to be parsed.
matplotlib.rcParams["text.parse_math"] = False

COUNCIL_COLOUR = "#1f4e79"


ENGLAND_COLOUR = "#7f7f7f"


VERDICT_COLOURS = {
    "better": "#2e7d32",
    "improved": "#2e7d32",
    "similar": "#9e9e9e",
    "no_significant_change": "#9e9e9e",
    "worse": "#c62828",
    "worsened": "#c62828",
    "not_compared": "#e0e0e0",
}


#: Resolution of every chart image (dots per inch).
PNG_DPI = 150
#: zlib level for the PNG files: level 3 encodes a third faster than Pillow's default (6) and, for
#: these flat-coloured charts, gives slightly smaller files; the pixels are the same at any level.
PNG_COMPRESS_LEVEL = 3


def png_bytes(figure: matplotlib.figure.Figure) -> bytes:
    """The figure as PNG bytes (no software tag, so identical inputs give identical files).

    A chart with no transparent pixel (all of them: the figure background is opaque white) is
    stored as RGB, without the alpha channel: the same pixels, and Chromium prints a report with
    opaque images faster (it need not flatten an alpha channel onto the page; the PDF is the same).
    """
    from PIL import Image

    rendered = io.BytesIO()
    figure.savefig(rendered, format="png", dpi=PNG_DPI, bbox_inches="tight", pil_kwargs={"compress_level": 0})
    image = Image.open(rendered)
    if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=PNG_COMPRESS_LEVEL, dpi=(PNG_DPI, PNG_DPI))
    return buffer.getvalue()


def png_data_uri(figure: matplotlib.figure.Figure) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(figure)).decode("ascii")


def as_image(figure: matplotlib.figure.Figure):
    """An IPython PNG image of a figure, so notebooks show it whatever the plotting backend."""
    from IPython.display import Image

    return Image(data=png_bytes(figure), format="png")
