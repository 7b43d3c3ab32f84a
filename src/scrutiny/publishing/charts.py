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


#: zlib level for the PNG files: level 3 encodes a third faster than Pillow's default (6) and, for
#: these flat-coloured charts, gives slightly smaller files; the pixels are the same at any level.
PNG_COMPRESS_LEVEL = 3


def png_bytes(figure: matplotlib.figure.Figure) -> bytes:
    """The figure as PNG bytes (no software tag, so identical inputs give identical files)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None},
                   pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    return buffer.getvalue()


def png_data_uri(figure: matplotlib.figure.Figure) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(figure)).decode("ascii")


def as_image(figure: matplotlib.figure.Figure):
    """An IPython PNG image of a figure, so notebooks show it whatever the plotting backend."""
    from IPython.display import Image

    return Image(data=png_bytes(figure), format="png")
