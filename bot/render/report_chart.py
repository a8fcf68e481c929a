"""The route report as a PNG: lead times per milestone and open work per step, drawn with matplotlib on its
Agg backend (no display, no GUI toolkit). Labels arrive translated; the numbers are the report's own, so a
suppressed cell ("< 5") is drawn as an empty bar with that text, never as a number."""

from __future__ import annotations

import io
import textwrap

from flows.report import SMALL, RouteFigures, Stat


def report_png(
    figures: RouteFigures, milestone_labels: list[str], step_labels: list[str], titles: tuple[str, str, str]
) -> bytes:
    """`titles`: (lead-time panel, open-work panel, the x axis "school days")."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # the OO API: no global pyplot state shared between chats

    lead_title, open_title, days = titles
    fig = Figure(figsize=(9, 7.5), dpi=110, layout="constrained")
    top, bottom = fig.subplots(2, 1)
    _bars(top, milestone_labels, [m.school_days for m in figures.lead_times], lead_title, days)
    shown = [(label, s) for label, s in zip(step_labels, figures.steps, strict=True) if s.open != 0]
    _open_work(bottom, [label for label, _ in shown], [s.open for _, s in shown], open_title)
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _bars(ax: object, labels: list[str], stats: list[Stat], title: str, unit: str) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    ys = list(range(len(labels)))
    medians = [s.median or 0.0 for s in stats]
    p90s = [(s.p90 or 0.0) - (s.median or 0.0) for s in stats]
    ax.barh(ys, medians, color="#2a6f97", label="median")
    ax.barh(ys, p90s, left=medians, color="#a9d6e5", label="p90")
    for y, s in zip(ys, stats, strict=True):
        note = SMALL if s.withheld else ("–" if s.median is None else f"{s.median:g} / {s.p90:g}")
        ax.text((s.p90 or 0.0) + 0.2, y, note, va="center", fontsize=8)
    ax.set_yticks(ys, _wrapped(labels))
    ax.set_xlim(0, max([s.p90 or 0.0 for s in stats] + [1.0]) * 1.25)
    ax.invert_yaxis()
    ax.set_title(title)
    ax.set_xlabel(unit)
    ax.legend(loc="lower right", fontsize=8)


def _open_work(ax: object, labels: list[str], counts: list[int | str], title: str) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    ys = list(range(len(labels)))
    ax.barh(ys, [c if isinstance(c, int) else 0 for c in counts], color="#e07a5f")
    for y, c in zip(ys, counts, strict=True):
        ax.text((c if isinstance(c, int) else 0) + 0.1, y, str(c), va="center", fontsize=8)
    ax.set_yticks(ys, _wrapped(labels))
    ax.set_xlim(0, max([c for c in counts if isinstance(c, int)] + [1]) * 1.2)
    ax.xaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
    ax.invert_yaxis()
    ax.set_title(title)


def _wrapped(labels: list[str]) -> list[str]:
    # Step titles are sentences in Dutch; wrapped, they leave the bars room on a phone-sized picture.
    return [textwrap.fill(label, 30) for label in labels]
