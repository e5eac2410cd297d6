"""Pictures of the course: each takes computed results (never computes metrics) and an ``ax``.

matplotlib is imported inside the functions, so importing this package is cheap outside a
notebook. Sizes, type sizes, colours and how a figure is shown in a notebook are owned by
:mod:`biaslab.plots._style` (``subplots``, ``figure``, ``describe``): in a Jupyter kernel, importing
this package applies the course style and shows every figure fitted to the column, with alt text.
"""

from . import _style, _fairness, _sources, _poisoning, _robustness, _images, _tradeoffs, _mitigation, _audit
from ._style import (COLUMN_PX, COLUMN_WIDTH, DPI, MIN_FONT_PT, PALETTE, alt_text, describe,  # noqa: F401
                     figure, subplots)
from ._fairness import *  # noqa: F401,F403
from ._sources import *  # noqa: F401,F403
from ._poisoning import *  # noqa: F401,F403
from ._robustness import *  # noqa: F401,F403
from ._images import *  # noqa: F401,F403
from ._tradeoffs import *  # noqa: F401,F403
from ._mitigation import *  # noqa: F401,F403
from ._audit import *  # noqa: F401,F403

__all__ = ["COLUMN_PX", "COLUMN_WIDTH", "DPI", "MIN_FONT_PT", "PALETTE", "alt_text", "describe", "figure", "subplots"] + [
    name for part in (_fairness, _sources, _poisoning, _robustness, _images, _tradeoffs, _mitigation, _audit)
    for name in part.__all__]

_style.install_notebook_display()
