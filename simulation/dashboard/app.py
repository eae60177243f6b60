"""The page: controls on the left; run bar, network, practice space and measures on the right.

The page holds the state (settings, seed, run, playing, comparison) and the threads that step
the run; :mod:`simulation.dashboard.panels` draws it.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping
from typing import Any

import solara

from simulation.dashboard import compare, controller
from simulation.dashboard.controls import controls
from simulation.dashboard.live import Live
from simulation.dashboard.panels import LivePart
from simulation.dashboard.run import Run, start_run
from simulation.dashboard.sidebar import Sidebar
from simulation.model import default_parameters

DEFAULT_SEED = 42
"""The first seed, so that two students who open the page see the same run."""

CSS = """
.dash { display: grid; grid-template-columns: 330px minmax(0, 1fr); height: 100vh;
        overflow: hidden; background: #fafafa; }
.dash .controls { overflow-y: auto; height: 100vh; padding: 10px 12px; background: white;
        border-right: 1px solid #e0e0e0; box-sizing: border-box; }
.dash .views { overflow-y: auto; height: 100vh; padding: 0 12px 12px 12px;
        box-sizing: border-box; }
.dash .run-bar { position: sticky; top: 0; z-index: 5; background: #fafafa;
        padding: 8px 0 6px 0; display: flex; flex-wrap: wrap; gap: 8px; align-items: stretch; }
.dash .view-grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
.dash .measure-grid { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 6px; }
.dash .card { background: white; border: 1px solid #e3e3e3; border-radius: 8px; padding: 4px 8px; }
.dash .card-title { font-weight: 600; font-size: 0.9rem; color: #222; }
.dash .drawer-toggle, .dash .drawer-close { display: none; }
.dash .v-input--selection-controls { margin-top: 0; padding-top: 0; }
@media (max-width: 1300px) {
  .dash .measure-grid { grid-template-columns: repeat(2, minmax(0, 1fr)); }
}
@media (max-width: 900px) {
  .dash { grid-template-columns: minmax(0, 1fr); }
  .dash .controls { position: fixed; left: 0; top: 0; width: min(340px, 88vw); z-index: 20;
        transform: translateX(-105%); transition: transform 0.2s; box-shadow: 2px 0 12px #0004; }
  .dash.drawer-open .controls { transform: none; }
  .dash .drawer-toggle, .dash .drawer-close { display: inline-flex; }
  .dash .view-grid { grid-template-columns: minmax(0, 1fr); }
}
"""


@solara.component
def Dashboard(
    initial: Mapping[str, Any] | None = None,
    seed: int = DEFAULT_SEED,
    play_interval: float = controller.PLAY_INTERVAL,
    use_url: bool = True,
) -> None:
    """The whole dashboard.

    Args:
        initial: parameter values that replace the model's defaults at start.
        seed: the first seed.
        play_interval: shortest time between two frames while playing, in seconds.
        use_url: read the set-up from the page's URL at start and keep it there.

    Why one function: a Solara component; the page's state, its threads and the actions on it
    are hooks, which must be called in the same order on every render of one component.
    """
    router = solara.use_router()
    start = solara.use_memo(
        lambda: controller.decode(router.search) if use_url else ({}, None, []), []
    )
    start_b = solara.use_memo(
        lambda: controller.decode_b(router.search) if use_url else (None, []), []
    )
    ctrls = solara.use_memo(controls, [])
    defaults = solara.use_memo(default_parameters, [])
    values = solara.use_reactive({**defaults, **(initial or {}), **start[0]})
    seed_value = solara.use_reactive(start[1] if start[1] is not None else int(seed))
    resets = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(1)
    message = solara.use_reactive("; ".join(start[2] + start_b[1]))
    target = solara.use_reactive(0)
    bands = solara.use_reactive((-1, {}))
    comparing = solara.use_reactive(False)
    drawer = solara.use_reactive(False)
    info = solara.use_reactive(False)
    last_good = solara.use_ref(None)
    alive = solara.use_memo(controller.browser_probe, [])
    live = solara.use_memo(Live, [])
    player = solara.use_memo(
        lambda: controller.Player(alive, lambda f: live.wait_drawn(f, controller.ACK_TIMEOUT)), []
    )
    shown_band = solara.use_ref({})
    kept = solara.use_reactive(start_b[0])  # the settings kept as B, or None
    shown_other = solara.use_ref((None, None))

    def build() -> tuple[Run | None, str | None]:
        try:
            new = start_run(values.value, seed_value.value)
        except Exception as exc:  # a combination of controls the model refuses
            return last_good.current, f"Could not build the model with these settings: {exc}"
        last_good.current = new
        return new, None

    key = (tuple(sorted(values.value.items())), seed_value.value, resets.value)
    run, build_error = solara.use_memo(build, [key])

    def start_other() -> tuple[Run | None, str | None]:
        if kept.value is None or run is None:
            return None, None
        try:
            return compare.start_b(kept.value), None
        except Exception as exc:  # the kept settings no longer build (a case file gone)
            return None, f"Could not build run B with the kept settings: {exc}"

    other, other_error = solara.use_memo(start_other, [kept.value, run])
    shown_other.current = (run, other)

    def frame() -> int:
        if run is None:
            return 0
        owner, b = shown_other.current
        b = b if owner is run else None
        if b is not None:
            b.step_to(run.week)  # B plays in step with A
        return live.push(run, shown_band.current, b)

    def stop(why: str) -> None:
        if why == "abandoned":
            # on the server's console: the teacher sees that a closed laptop stopped its run
            print(
                f"dashboard: no browser for {controller.ABANDONED_AFTER:.0f} s, run paused at "
                f"week {run.week if run else 0}",
                file=sys.stderr,
                flush=True,
            )
        elif why != "done":
            message.set(why)
        playing.set(False)
        target.set(0)

    def play(cancel: threading.Event) -> None:
        if run is None:
            return
        if target.value > run.week:
            player.play(
                run,
                lambda: 10_000,
                lambda: 0,
                lambda: True,
                stop,
                cancel,
                interval=0.0,
                until=target.value,
            )
            frame()
            return
        player.play(
            run,
            lambda: speed.value,
            frame,
            lambda: playing.value,
            stop,
            cancel,
            interval=play_interval,
        )

    solara.use_thread(
        play, dependencies=[playing.value, target.value, run], intrusive_cancel=False
    )

    def compare_seeds(cancel: threading.Event) -> None:
        if not comparing.value or run is None:
            return
        weeks = max(run.week, 52)
        band = controller.seed_band(values.value, seed_value.value, weeks)
        if not cancel.is_set():
            bands.set((run.serial, band))
            comparing.set(False)

    solara.use_thread(compare_seeds, dependencies=[comparing.value, run], intrusive_cancel=False)

    def catch_up(cancel: threading.Event) -> None:
        # B starts at week 0: it catches up with A (while playing, the play loop's frames do)
        if other is not None and not playing.value and not cancel.is_set():
            frame()

    solara.use_thread(catch_up, dependencies=[other], intrusive_cancel=False)

    query = controller.encode(values.value, seed_value.value, kept.value)

    def push_url() -> None:
        if use_url and (router.search or "") != query:
            router.push(f"{router.path or '/'}?{query}")

    # also when the address changes under the page: a fresh page's browser first reports its
    # bare address, which would otherwise replace the set-up written at the first draw
    solara.use_effect(push_url, [query, router.search])

    def set_param(name: str, value: Any) -> None:
        values.set({**values.value, name: value})

    def reset() -> None:
        playing.set(False)
        resets.set(resets.value + 1)

    def step() -> None:
        if run is not None:
            try:
                run.step(speed.value)
            except Exception as exc:
                message.set(f"The model failed at week {run.week}: {exc}")
            frame()

    actions = {
        "step": step,
        "reset": reset,
        "defaults": lambda: (playing.set(False), values.set(dict(defaults)), message.set("")),
        "run_to": lambda week: target.set(int(week)),
        "compare": lambda: comparing.set(True),
        "clear": lambda: bands.set((-1, {})),
        "keep_b": lambda: kept.set(compare.Setup.of(values.value, seed_value.value)),
        "clear_b": lambda: kept.set(None),
    }
    band = bands.value[1] if run is not None and bands.value[0] == run.serial else {}
    shown_band.current = band

    solara.Title("Pooling: isomorphism or hybridisation?")
    solara.Style(CSS)
    with solara.Div(classes=["dash"] + (["drawer-open"] if drawer.value else [])):
        with solara.Div(classes=["controls"]):
            Sidebar(
                ctrls,
                values.value,
                set_param,
                seed_value,
                run,
                actions,
                comparing.value,
                bool(band),
                drawer,
                kept.value is not None,
                other,
            )
        with solara.Div(classes=["views"]):
            notes = (build_error, other_error, message.value)
            pair = None
            if other is not None:
                pair = (other, compare.legend(values.value, seed_value.value, kept.value))
            LivePart(run, live, playing, speed, actions, drawer, info, band, notes, pair)


@solara.component
def Page() -> None:
    """The page Solara serves (``solara run simulation.dashboard``)."""
    Dashboard()


@solara.component
def Layout(children: list | None = None) -> None:
    """No app bar: the page uses the whole window."""
    solara.Column(children=list(children or []), style={"padding": "0", "margin": "0"})
