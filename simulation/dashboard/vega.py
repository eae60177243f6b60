"""A Vega-Lite view whose data change without redrawing the chart.

Solara's ``FigureAltair`` sends the whole chart again and re-embeds it on every change. Here the
chart (an Altair chart's Vega-Lite spec, with named data sets) is sent once per run, and each
frame sends only the rows of its named data sets; the browser swaps them into the live Vega
view. Vega's action menu gives the PNG and SVG export.
"""

from __future__ import annotations

import os
from typing import Any

import altair
import ipyvuetify as v
import traitlets

FRONT_END: tuple[str, ...] = tuple(
    f"{name}@{version.split('.')[0]}"
    for name, version in (
        ("vega", altair.VEGA_VERSION),
        ("vega-lite", altair.VEGALITE_VERSION),
        ("vega-embed", altair.VEGAEMBED_VERSION),
    )
)
"""The npm packages the view loads through Solara's CDN proxy (majors matching Altair's)."""


class VegaView(v.VuetifyTemplate):
    """A Vega-Lite spec (``spec``) and the rows of its named data sets (``rows``)."""

    template_file = os.path.join(os.path.dirname(__file__), "vega_view.vue")
    spec = traitlets.Dict().tag(sync=True)
    rows = traitlets.Dict().tag(sync=True)
    frame = traitlets.Int(0).tag(sync=True)
    drawn = traitlets.Int(0).tag(sync=True)
    """The last frame the browser has drawn (set by the browser when ``report`` is on)."""
    report = traitlets.Bool(False).tag(sync=True)
    cdn = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    versions = traitlets.List([p.split("@")[-1] for p in FRONT_END]).tag(sync=True)

    @traitlets.default("cdn")
    def _cdn(self) -> str | None:
        import solara.settings

        if not solara.settings.assets.proxy:
            return solara.settings.assets.cdn
        return None


class Payload:
    """A value handed to a chart as is: the page's renderer neither walks nor compares it.

    Rows of data are large nested lists; as a component's argument they would be walked and
    compared element by element on every frame. Two payloads are equal only when they are the
    same object.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value
