"""The Solara dashboard: move the controls, play the weeks, watch practices mix or converge.

Launch it with ``isohybrid dashboard`` (or ``python -m solara run simulation.dashboard``). The
package imports the model and nothing imports the package. Its modules:

- :mod:`~simulation.dashboard.controls`: controls generated from the parameter table;
- :mod:`~simulation.dashboard.run`: a run being watched and its measures' history;
- :mod:`~simulation.dashboard.regime`: the regime rule, its null twins and the held label;
- :mod:`~simulation.dashboard.charts`, :mod:`~simulation.dashboard.network`: Vega-Lite views;
- :mod:`~simulation.dashboard.controller`: play, run to a week, compare, URL, export;
- :mod:`~simulation.dashboard.app`, :mod:`~simulation.dashboard.panels`,
  :mod:`~simulation.dashboard.sidebar`, :mod:`~simulation.dashboard.live`,
  :mod:`~simulation.dashboard.components`: the page.
"""

from __future__ import annotations

import solara.server.settings

from simulation.dashboard.app import Dashboard, Layout, Page

# Workshops run offline, and nobody asked for usage statistics: no Solara telemetry.
solara.server.settings.telemetry.mixpanel_enable = False
# A page whose browser is gone is closed (and its memory freed) after this long, not 24 h.
if solara.server.settings.kernel.cull_timeout == "24h":
    solara.server.settings.kernel.cull_timeout = "20s"

page = Page
"""Alias of :func:`Page` for Mesa's and Jupyter's ``page`` convention."""

__all__ = ["Dashboard", "Layout", "Page", "page"]
