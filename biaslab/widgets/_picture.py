"""What every teaching widget shares: a picture that answers fast, says what it shows, and survives saving.

- The picture is an ``HTML`` widget holding ``<img alt="...">`` (PNG at the course's DPI, no
  ``bbox_inches="tight"`` second draw): setting it is one state update, so the widget needs no
  ``Output`` widget and no reply from the frontend (nbclient, nbgrader's executor, never has to
  answer it: see ``biaslab/widgets/_sources.py``), and the picture is part of the widget state.
- The readout and the picture are set in the same step from the same numbers, so they never disagree.
- :class:`TeachingBox` adds a static copy (readout and picture, as HTML) to the widget's display
  bundle: a notebook opened without a live kernel or untrusted (a workshop's saved state) shows
  the picture the widget had, where it would otherwise show ``VBox(children=...)`` as text.
"""

from __future__ import annotations

import io
import time

__all__ = ["TeachingBox", "render_png", "picture_html"]


def render_png(fig, *, animated=None, full=True) -> bytes:
    """The figure as PNG bytes at the course's DPI, in one draw (or less).

    The first call lays the figure out (constrained layout) and then freezes that layout: a widget's
    panels keep their place from one move to the next, and the layout (half of a draw) is not solved
    again on every move. With ``animated`` (the artists a move changes), everything else is drawn
    once (``full=True``) and kept as a background; a later call with ``full=False`` draws only those
    artists over it (blitting), which is what lets a widget answer within 0.2 s. The PNG is written
    with light compression (fast; pictures of flat colours).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    from ..plots._style import DPI

    if fig.dpi != DPI:
        fig.set_dpi(DPI)
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    animated = list(animated or ())
    for artist in animated:
        artist.set_animated(True)
    background = getattr(fig, "_biaslab_background", None)
    if not animated or full or background is None:
        canvas.draw()  # every artist not animated
        if fig.get_layout_engine() is not None and not getattr(fig, "_biaslab_layout_frozen", False):
            fig.set_layout_engine("none")  # the positions just computed stay
            fig._biaslab_layout_frozen = True
        fig._biaslab_background = canvas.copy_from_bbox(fig.bbox) if animated else None
    else:
        canvas.restore_region(background)
    for artist in animated:
        fig.draw_artist(artist)
    buffer = io.BytesIO()
    Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1) \
        .convert("RGB").save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def picture_html(fig, alt: str, **render) -> str:
    from ..plots._style import image_html

    return image_html(render_png(fig, **render), alt)


def _box_class():
    import ipywidgets as widgets

    class TeachingBox(widgets.VBox):
        """A VBox of controls, a readout and a picture, with a static copy in its display bundle."""

        def __init__(self, controls, *, readout=None, label="teaching widget"):
            self.picture = widgets.HTML(layout=widgets.Layout(min_height="120px"))
            self.picture.add_class("biaslab-picture")
            self.readout = readout if readout is not None else widgets.HTML()
            self.readout.add_class("biaslab-readout")
            super().__init__([*controls, self.readout, self.picture])
            self.add_class("biaslab-widget")
            self.label = label
            #: seconds the last updates took in the kernel (numbers, drawing, PNG), newest last
            self.timings = []

        def show(self, fig, *, readout: str, alt: str, animated=None, full=True) -> None:
            """Draw ``fig`` (only its ``animated`` artists when ``full`` is false: see :func:`render_png`)
            and set the readout and the picture together."""
            start = time.perf_counter()
            html = picture_html(fig, alt, animated=animated, full=full)
            self.readout.value = readout
            self.picture.value = html
            self.timings.append(time.perf_counter() - start)
            del self.timings[:-200]

        def _repr_mimebundle_(self, **kwargs):
            bundle = super()._repr_mimebundle_(**kwargs)
            # shown where the live widget cannot be (no kernel, an untrusted saved notebook)
            bundle["text/html"] = (f'<div class="biaslab-widget-static" role="group" aria-label="{self.label} '
                                   f'(saved picture; the controls move in a live kernel)">'
                                   f"<p>{self.readout.value}</p>{self.picture.value}</div>")
            return bundle

    return TeachingBox


def __getattr__(name):
    if name == "TeachingBox":  # ipywidgets is imported only when a widget is built
        cls = _box_class()
        globals()["TeachingBox"] = cls
        return cls
    raise AttributeError(name)
