"""The one place that owns the course's figure sizes, type sizes, colours and how a figure is shown.

Every picture of the course must fit JupyterLab's notebook column on a projector (1280x800, file
browser open: the output column is 828 px wide) without being shrunk, and its text must render at
11 px or more. So:

- :func:`subplots` / :func:`figure` make figures :data:`COLUMN_WIDTH` inches wide at :data:`DPI`
  (800 px); more than :data:`MAX_COLUMNS` panels in a row are stacked, never squeezed.
- :data:`STYLE` sets the type sizes (none below :data:`MIN_FONT_PT` = 11 px at :data:`DPI`);
  importing :mod:`biaslab.plots` applies it.
- In a notebook, a figure is shown as ``<img alt="...">`` (:func:`figure_html`): :func:`fit_to_column`
  narrows any figure still wider than the column (a cell's own ``figsize``), and the alt text states
  what the picture shows (:func:`describe`, or one derived from its titles, axes and legend).
"""

from __future__ import annotations

import base64
import os
import html
import math

import numpy as np

__all__ = ["COLUMN_PX", "COLUMN_WIDTH", "DPI", "MIN_FONT_PT", "MAX_COLUMNS", "PALETTE", "STYLE", "apply_style",
           "figure_size", "subplots", "figure", "fit_to_column", "describe", "alt_text", "figure_png",
           "figure_html", "install_notebook_display"]

#: Pixels of JupyterLab's output column at 1280x800 with the file browser open (828 measured in the
#: browser test), less a margin.
COLUMN_PX = 820
#: Dots per inch of every picture (matplotlib's default); 1 pt = DPI / 72 px.
DPI = 100
#: Default figure width in inches: 800 px, inside the column.
COLUMN_WIDTH = 8.0
#: Height of one row of panels, inches.
PANEL_HEIGHT = 3.4
#: The smallest type size allowed: 8 pt = 11.1 px at DPI 100.
MIN_FONT_PT = 8.0
#: Panels side by side at most; more are stacked in rows.
MAX_COLUMNS = 2

#: Okabe-Ito: distinct for colour-blind readers and in a projector's light (tests/plots/test_style.py checks it).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

#: matplotlib settings of every course picture.
STYLE = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "figure.figsize": (COLUMN_WIDTH, PANEL_HEIGHT + 0.4),
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.title_fontsize": 9,
    "figure.titlesize": 12,
}


def apply_style() -> None:
    """Apply :data:`STYLE` and the :data:`PALETTE` colour cycle to matplotlib (importing :mod:`biaslab.plots` does it)."""
    import matplotlib
    from cycler import cycler

    settings = dict(STYLE, **{"axes.prop_cycle": cycler(color=list(PALETTE))})
    matplotlib.rcParams.update(settings)


def figure_size(nrows: int = 1, ncols: int = 1, *, panel_height: float | None = None,
                width: float | None = None) -> tuple[float, float]:
    """The (width, height) in inches of a figure of ``nrows`` x ``ncols`` panels in the column."""
    for name, value in (("panel_height", panel_height), ("width", width)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0):
            raise ValueError(f"{name} must be a positive number of inches or None, got {value!r}.")
    height = PANEL_HEIGHT if panel_height is None else float(panel_height)
    w = COLUMN_WIDTH if width is None else min(float(width), COLUMN_WIDTH)
    return (w, height * nrows + (0.4 if nrows == 1 else 0.2 * nrows))


def _layout(nrows, ncols, max_cols, kwargs):
    if nrows < 1 or ncols < 1:
        raise ValueError(f"nrows and ncols must be at least 1, got {nrows} x {ncols}.")
    n = nrows * ncols
    stacked = nrows == 1 and ncols > max_cols
    if stacked:
        nrows, ncols = math.ceil(ncols / max_cols), max_cols
        kwargs.pop("width_ratios", None)
        (kwargs.get("gridspec_kw") or {}).pop("width_ratios", None)
    return nrows, ncols, n, stacked


def _finish(fig, grid, n, stacked, squeeze):
    if not stacked:
        return fig, grid
    flat = np.asarray(grid).ravel()
    for ax in flat[n:]:
        ax.remove()
    return fig, flat[:n]


def subplots(nrows: int = 1, ncols: int = 1, *, panel_height: float | None = None, width: float | None = None,
             max_cols: int = MAX_COLUMNS, **kwargs):
    """``plt.subplots`` sized for the notebook column: more than ``max_cols`` panels in a row stack.

    A row of ``ncols`` panels asked for comes back as a 1-D array of ``ncols`` Axes either way, so
    ``a, b, c = subplots(1, 3)[1]`` works whether they stand side by side or are stacked.

    Examples
    --------
    >>> fig, axes = subplots(1, 4)
    >>> len(axes), fig.get_size_inches().tolist()
    (4, [8.0, 7.2])
    """
    import matplotlib.pyplot as plt

    apply_style()
    nrows, ncols, n, stacked = _layout(nrows, ncols, max_cols, kwargs)
    kwargs.setdefault("layout", "constrained")
    fig, grid = plt.subplots(nrows, ncols, figsize=figure_size(nrows, ncols, panel_height=panel_height, width=width),
                             **kwargs)
    return _finish(fig, grid, n, stacked, kwargs.get("squeeze", True))


def figure(nrows: int = 1, ncols: int = 1, *, panel_height: float | None = None, max_cols: int = MAX_COLUMNS,
           **kwargs):
    """Like :func:`subplots` but a ``matplotlib.figure.Figure`` outside pyplot (for widgets:
    a later ``plt.show()`` never draws it twice). Returns ``(figure, axes)``."""
    from matplotlib.figure import Figure

    apply_style()
    nrows, ncols, n, stacked = _layout(nrows, ncols, max_cols, kwargs)
    fig = Figure(figsize=figure_size(nrows, ncols, panel_height=panel_height), dpi=DPI,
                 layout=kwargs.pop("layout", "constrained"))
    grid = fig.subplots(nrows, ncols, **kwargs)
    return _finish(fig, grid, n, stacked, True)


def _single_row(fig):
    """The panels of a figure laid out as one row of one grid (``plt.subplots(1, n)``), else None."""
    axes = [ax for ax in fig.get_axes() if ax.get_visible()]
    specs = [ax.get_subplotspec() for ax in axes]
    if len(axes) < 2 or any(spec is None for spec in specs):
        return None
    grid = specs[0].get_gridspec()
    if any(spec.get_gridspec() is not grid for spec in specs) or grid.nrows != 1 or grid.ncols != len(axes):
        return None
    return sorted(axes, key=lambda ax: ax.get_subplotspec().colspan.start)


def fit_to_column(fig) -> bool:
    """Fit a figure wider than the column (a cell's own ``figsize``) to :data:`COLUMN_WIDTH`.

    A row of more panels than fit side by side is stacked (two plots, or four pictures such as
    images, a row); otherwise the figure is narrowed. Its text keeps its size either way (so it stays
    readable, where the browser would shrink the whole picture). Returns whether it changed.
    """
    w, h = fig.get_size_inches()
    if w * DPI <= COLUMN_PX:
        return False
    row = _single_row(fig)
    pictures = row is not None and all(not ax.axison for ax in row)
    cols = (4 if pictures else MAX_COLUMNS) if row is not None else 0
    if row is not None and len(row) > cols:
        rows = math.ceil(len(row) / cols)
        scale = min(1.0, (COLUMN_WIDTH / cols) / (w / len(row)))
        grid = fig.add_gridspec(rows, cols)
        for k, ax in enumerate(row):
            ax.set_subplotspec(grid[k // cols, k % cols])
        fig.set_size_inches(COLUMN_WIDTH, rows * h * scale + 0.3, forward=False)
    else:
        scale = COLUMN_WIDTH / w
        fig.set_size_inches(COLUMN_WIDTH, max(h * math.sqrt(scale), h * 0.6), forward=False)
    if fig.get_layout_engine() is None or row is not None:
        try:
            fig.set_layout_engine("constrained")
        except RuntimeError:  # a colorbar or a subplots_adjust layout that cannot change engine
            pass
    return True


def describe(target, text: str) -> None:
    """Attach the text alternative of a picture (its finding in words) to a figure or to one panel.

    A panel's text replaces what that panel had (a widget redrawing it keeps one); :func:`alt_text`
    reads the figure's text, then each panel's, and falls back to a description derived from titles,
    axis labels and legend entries when nothing was attached.
    """
    from matplotlib.axes import Axes
    from matplotlib.figure import FigureBase

    if not isinstance(target, (FigureBase, Axes)):
        raise TypeError(f"target must be a matplotlib Figure or Axes, got {type(target).__name__}.")
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}.")
    target._biaslab_alt = text.strip()


def alt_text(fig) -> str:
    """The text alternative of a figure: what :func:`describe` attached, else one derived from it."""
    parts = [getattr(fig, "_biaslab_alt", ""), *(getattr(ax, "_biaslab_alt", "") for ax in fig.get_axes())]
    parts = [p for p in parts if p]
    if parts:
        return " ".join(parts)
    pieces = []
    title = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) is not None else ""
    if title:
        pieces.append(title + ".")
    for ax in fig.get_axes():
        if not ax.get_visible() or not ax.axison and not ax.get_title():
            continue
        bits = [ax.get_title()] if ax.get_title() else []
        if ax.get_xlabel() or ax.get_ylabel():
            bits.append(f"{ax.get_ylabel() or 'value'} against {ax.get_xlabel() or 'position'}")
        legend = ax.get_legend()
        if legend is not None:
            labels = [t.get_text() for t in legend.get_texts() if t.get_text()]
            if labels:
                bits.append("series: " + ", ".join(labels))
        if bits:
            pieces.append("Panel: " + "; ".join(bits) + ".")
    return " ".join(pieces) or "A figure of the course (no description attached)."


def figure_png(fig) -> bytes:
    """The figure as PNG bytes at :data:`DPI`, as the notebook shows it."""
    import io

    buffer = io.BytesIO()
    fig.canvas.print_figure(buffer, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    return buffer.getvalue()


def _png_size(data: bytes) -> tuple[int, int]:
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def image_html(png: bytes, alt: str, *, caption: bool = False) -> str:
    """``<img>`` of PNG bytes with its alt text (and, if ``caption``, the text visible below it)."""
    width, height = _png_size(png)
    src = base64.b64encode(png).decode("ascii")
    img = (f'<img src="data:image/png;base64,{src}" alt="{html.escape(alt, quote=True)}" '
           f'width="{width}" height="{height}">')
    if caption:
        return f"<figure style=\"margin: 0\">{img}<figcaption>{html.escape(alt)}</figcaption></figure>"
    return img


def _wrap_wide_titles(fig) -> None:
    """Break a title wider than its figure (or panel) into lines: it would widen the picture past the column."""
    import textwrap

    renderer = fig.canvas.get_renderer()
    suptitle = getattr(fig, "_suptitle", None)
    texts = [(suptitle, fig.bbox.width)] if suptitle is not None else []
    texts += [(ax.title, ax.get_window_extent(renderer).width + 40) for ax in fig.get_axes() if ax.get_visible()]
    for text, room in texts:
        content = text.get_text()
        width = text.get_window_extent(renderer).width
        if content and width > room:
            lines = max(2, math.ceil(width / room))
            text.set_text("\n".join(textwrap.fill(line, max(12, math.ceil(len(line) / lines) + 2))
                                     for line in content.splitlines()))


def figure_html(fig) -> str:
    """The figure as ``<img alt="...">`` fitted to the column: how the course's notebooks show a figure."""
    if fit_to_column(fig):
        _wrap_wide_titles(fig)
    png = figure_png(fig)
    for _ in range(2):  # labels or a legend outside the axes made the cropped picture wider than the figure
        excess = _png_size(png)[0] - COLUMN_PX
        if excess <= 0:
            break
        width, height = fig.get_size_inches()
        if width - (excess + 8) / DPI < 3.0:  # a text that cannot wrap (no spaces): shrinking cannot help
            break
        fig.set_size_inches(width - (excess + 8) / DPI, height, forward=False)
        if fig.get_layout_engine() is None:
            fig.set_layout_engine("constrained")
        png = figure_png(fig)
    fig._biaslab_png = png  # the image/png formatter of the same display reuses it
    if os.environ.get(STRICT_ENV) == "1" and _png_size(png)[0] > COLUMN_PX:
        # the course's own tests (nbval sets it): a picture JupyterLab would shrink is a defect, found here
        raise ValueError(f"this picture is {_png_size(png)[0]} px wide, wider than the notebook column "
                         f"({COLUMN_PX} px), even after fitting: shorten or wrap its titles and legends")
    return image_html(png, alt_text(fig))


def _figure_png_b64(fig):
    png = getattr(fig, "_biaslab_png", None)
    fig._biaslab_png = None
    if png is None:
        fit_to_column(fig)
        png = figure_png(fig)
    return base64.b64encode(png).decode("ascii")


#: Set to "1" (the course's notebook tests do) to make a picture wider than the column an error.
STRICT_ENV = "BIASLAB_STRICT_FIGURES"


def install_notebook_display(shell=None) -> bool:
    """In a Jupyter kernel: apply the style and show every matplotlib figure through :func:`figure_html`.

    Called when :mod:`biaslab.plots` is imported; a no-op outside IPython. Returns whether it installed.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython ships with the course
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    # the inline backend resets every figure formatter when it loads, on the first figure: load it now
    plt._get_backend_mod()
    apply_style()
    formatters = shell.display_formatter.formatters

    def register(*_):
        html = formatters["text/html"]
        if not _has(html, Figure) or html.lookup_by_type(Figure) is not figure_html:
            html.for_type(Figure, figure_html)
            formatters["image/png"].for_type(Figure, _figure_png_b64)

    register()
    if not getattr(shell, "_biaslab_figure_display", False):
        # a later `%matplotlib inline` resets them again: put them back before figures are shown
        shell.events.register("post_execute", register)
        shell._biaslab_figure_display = True
    return True


def _has(formatter, cls) -> bool:
    try:
        formatter.lookup_by_type(cls)
    except KeyError:
        return False
    return True
