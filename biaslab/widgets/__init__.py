"""Interactive widgets of the course (ipywidgets): knobs that teach something.

Each widget precomputes what it can so an update answers in well under a second; ipywidgets is
imported inside the functions.
"""

from . import _fairness, _sources, _poisoning, _robustness, _images, _tradeoffs, _mitigation
from ._fairness import *  # noqa: F401,F403
from ._sources import *  # noqa: F401,F403
from ._poisoning import *  # noqa: F401,F403
from ._robustness import *  # noqa: F401,F403
from ._images import *  # noqa: F401,F403
from ._tradeoffs import *  # noqa: F401,F403
from ._mitigation import *  # noqa: F401,F403

__all__ = [name for part in (_fairness, _sources, _poisoning, _robustness, _images, _tradeoffs, _mitigation) for name in part.__all__]
