"""Pictures of the course: each takes computed results (never computes metrics) and an ``ax``.

matplotlib and seaborn are imported inside the functions, so importing this package is cheap.
"""

from . import _fairness, _sources, _poisoning, _robustness, _images, _tradeoffs, _mitigation, _audit
from ._fairness import *  # noqa: F401,F403
from ._sources import *  # noqa: F401,F403
from ._poisoning import *  # noqa: F401,F403
from ._robustness import *  # noqa: F401,F403
from ._images import *  # noqa: F401,F403
from ._tradeoffs import *  # noqa: F401,F403
from ._mitigation import *  # noqa: F401,F403
from ._audit import *  # noqa: F401,F403

__all__ = [name for part in (_fairness, _sources, _poisoning, _robustness, _images, _tradeoffs, _mitigation, _audit)
           for name in part.__all__]
