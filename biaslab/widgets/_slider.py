"""The teaching widgets' slider: a native, labelled ``<input type="range">`` (an anywidget).

ipywidgets' sliders (noUiSlider) give their handle no accessible name: a screen reader announces
"slider" and a number, never what it sets, and axe-core reports it as a serious violation. This
slider is the browser's own range input, so it is named by its ``<label>``, says its value in words
(``aria-valuetext``, the same text as the visible value), moves with the arrow, Page and Home/End
keys, and is drawn large enough to grab on a projector. Like the sliders it replaces with
``continuous_update=False``, it tells the kernel only where a drag ends (the ``change`` event);
while dragging, the value beside it follows at once.

Python sees it as ipywidgets' ``SelectionSlider``: ``options`` (values, or ``(label, value)``
pairs), ``value`` (observe it with ``names="value"``), ``description``, ``index``.
"""

from __future__ import annotations

import anywidget
import traitlets

__all__ = ["AccessibleSlider"]

_ESM = r"""
let counter = 0;
function render({ model, el }) {
  const id = `biaslab-slider-${Date.now().toString(36)}-${counter++}`;
  const label = document.createElement("label");
  label.className = "biaslab-slider-label";
  label.htmlFor = id;
  const input = document.createElement("input");
  input.type = "range";
  input.id = id;
  input.min = "0";
  input.step = "1";
  input.className = "biaslab-slider-input";
  // the arrow keys move the slider, not JupyterLab's notebook (its shortcuts would take the focus away)
  input.setAttribute("data-lm-suppress-shortcuts", "true");
  const shown = document.createElement("output");
  shown.className = "biaslab-slider-value";
  shown.htmlFor = id;
  shown.setAttribute("aria-hidden", "true");  // the input says it already (aria-valuetext)
  const say = (i) => {
    const labels = model.get("labels");
    const text = labels[i] === undefined ? "" : labels[i];
    input.setAttribute("aria-valuetext", text);
    shown.textContent = text;
  };
  const sync = () => {
    const labels = model.get("labels");
    label.textContent = model.get("description");
    input.max = String(Math.max(labels.length - 1, 0));
    input.value = String(model.get("index"));
    input.style.width = model.get("width");
    say(model.get("index"));
  };
  input.addEventListener("input", () => say(Number(input.value)));  // while dragging: the value only
  input.addEventListener("change", () => {  // released (or a key pressed): the kernel redraws
    model.set("index", Number(input.value));
    model.save_changes();
  });
  model.on("change:index", sync);
  model.on("change:labels", sync);
  model.on("change:description", sync);
  model.on("change:width", sync);
  sync();
  el.classList.add("biaslab-slider");
  el.append(label, input, shown);
  return () => {
    model.off("change:index", sync);
    model.off("change:labels", sync);
    model.off("change:description", sync);
    model.off("change:width", sync);
  };
}
export default { render };
"""

_CSS = """
.biaslab-slider { display: flex; align-items: center; gap: 0.6em; margin: 4px 0; font-size: 13px; }
.biaslab-slider-label { min-width: 5.5em; text-align: right; color: #1f1f1f; }
.biaslab-slider-input { height: 24px; accent-color: #1a56a8; cursor: pointer; }
.biaslab-slider-input:focus-visible { outline: 3px solid #1a56a8; outline-offset: 2px; }
.biaslab-slider-value { min-width: 4.5em; color: #1f1f1f; font-variant-numeric: tabular-nums; }
"""


def _pairs(options) -> list[tuple[str, object]]:
    if isinstance(options, (str, bytes)) or not hasattr(options, "__iter__"):
        raise TypeError(f"options must be a list of values or of (label, value) pairs, got {type(options).__name__}.")
    pairs = []
    for option in options:
        if isinstance(option, tuple):
            if len(option) != 2 or not isinstance(option[0], str):
                raise TypeError(f"options: a pair must be (label, value), got {option!r}.")
            pairs.append(option)
        else:
            pairs.append((f"{option:g}" if isinstance(option, float) else str(option), option))
    if not pairs:
        raise ValueError("options must hold at least one value.")
    return pairs


def _equal(a, b) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


class AccessibleSlider(anywidget.AnyWidget):
    """A labelled range slider over a list of options; ``value`` is the option at ``index``."""

    _esm = _ESM
    _css = _CSS

    index = traitlets.Int(0).tag(sync=True)
    labels = traitlets.List(traitlets.Unicode()).tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)
    width = traitlets.Unicode("360px").tag(sync=True)
    #: the chosen option's value (kernel side only; the browser knows the index and the labels)
    value = traitlets.Any(None)

    def __init__(self, *, options, value=None, description: str = "", width: str = "360px", **kwargs):
        pairs = _pairs(options)
        super().__init__(labels=[p[0] for p in pairs], description=str(description), width=str(width), **kwargs)
        self._options = tuple(pairs)
        self._labelled = any(isinstance(o, tuple) for o in options)
        self._moving = False
        self.set_trait("value", pairs[0][1])
        if value is not None:
            self.value = value

    @property
    def options(self) -> tuple:
        """The ``(label, value)`` pairs given, or the values where no labels were."""
        return tuple(self._options) if self._labelled else tuple(v for _, v in self._options)

    @options.setter
    def options(self, options) -> None:
        pairs = _pairs(options)
        keep = self.value
        self._options = tuple(pairs)
        self._labelled = any(isinstance(o, tuple) for o in options)
        self._moving = True
        try:
            self.labels = [p[0] for p in pairs]
            at = self._find(keep)
            self.index = 0 if at is None else at
        finally:
            self._moving = False
        self.value = pairs[self.index][1]

    def _find(self, value):
        for i, (_, v) in enumerate(self._options):
            if _equal(v, value):
                return i
        return None

    @traitlets.validate("value")
    def _check_value(self, proposal):
        if self._find(proposal["value"]) is None:
            values = ", ".join(repr(v) for _, v in self._options[:12])
            raise traitlets.TraitError(f"value must be one of the slider's options ({values}), "
                                       f"got {proposal['value']!r}.")
        return proposal["value"]

    @traitlets.observe("value")
    def _value_moved(self, change):
        if not self._moving:
            self._moving = True
            try:
                self.index = self._find(change["new"])
            finally:
                self._moving = False

    @traitlets.observe("index")
    def _index_moved(self, change):
        if self._moving:
            return
        if not 0 <= change["new"] < len(self._options):
            self.index = change["old"]
            return
        self._moving = True
        try:
            self.value = self._options[change["new"]][1]
        finally:
            self._moving = False
