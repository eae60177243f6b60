"""The regime colours shared by the paper figures and the dashboard (one palette, no plotting)."""

from __future__ import annotations

from collections.abc import Mapping

REGIME_COLOURS: Mapping[str, str] = {
    "persistence": "#004488",
    "compression": "#6699CC",
    "hybridisation": "#DDAA33",
    "isomorphism": "#BB5566",
    "fragmentation": "#BBBBBB",
}
"""One colour per regime (Paul Tol's high-contrast scheme, its light blue for compression, grey
for fragmentation): persistence, hybridisation and isomorphism stay apart under every common
colour-vision deficiency and in greyscale; compression is a lighter shade of persistence's blue,
as it is a milder departure from it."""


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on a ``#RRGGBB`` background (WCAG luminance)."""
    r, g, b = (int(background[k : k + 2], 16) / 255 for k in (1, 3, 5))

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    return "#000000" if luminance > 0.179 else "#ffffff"
