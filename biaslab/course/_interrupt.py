"""A stopped cell says so in one line, not with a red ``KeyboardInterrupt`` traceback.

A presenter who stops a slow cell (Kernel > Interrupt, or I I) in front of a room, or a learner who
stops one by mistake, sees a wall of red library frames that says nothing useful. In a course
kernel the interrupt still stops the cell and "Run all" still stops there (the cell's reply is an
error); only what is shown changes: one sentence on what happened and what to do next.
"""

from __future__ import annotations

MESSAGE = ("Stopped: you interrupted this cell, so it did not finish and what it was computing is not "
           "there. Run it again when you are ready; a workshop presenter can open the saved state instead "
           "(docs/PRESENTER.md).")


def _shown(shell, etype, value, tb, tb_offset=None):
    """IPython's custom-exception hook: the cell's error output is the one sentence, with no frames (a
    Jupyter kernel sends it as the cell's error, so the cell still counts as failed)."""
    shell._showtraceback(etype, value, [MESSAGE])
    return [MESSAGE]


def quiet_keyboard_interrupt(shell=None) -> bool:
    """Show an interrupted cell as one sentence in this IPython kernel. Returns whether it is installed
    (False outside IPython). Other exceptions keep their usual traceback; calling it again changes nothing."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython comes with Jupyter
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    handled = tuple(getattr(shell, "custom_exceptions", ()) or ())
    if KeyboardInterrupt not in handled:
        if handled:  # someone else's hook: leave it alone rather than replace it
            return False
        shell.set_custom_exc((KeyboardInterrupt,), _shown)
    return True
