import json
import os
import sys

import pytest

# Plots render off-screen in tests.
os.environ.setdefault("MPLBACKEND", "Agg")
# Tools that the code under test starts by name (nbgrader runs `alembic`, kernels run `python`)
# must come from this environment, however pytest was started.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh home folder (the learner's key goes to ~/.biaslab/keys) and no workbook from the environment."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("BIASLAB_WORKBOOK", raising=False)
    return home


@pytest.fixture
def workbook(tmp_path):
    """An empty self-paced workbook folder (test modules may define their own ``workbook``)."""
    from biaslab.course import load_curriculum

    folder = tmp_path / "workbook"
    (folder / ".biaslab").mkdir(parents=True)
    (folder / ".biaslab" / "workbook.json").write_text(json.dumps({"course": load_curriculum().id}))
    return folder


# ---------------------------------------------------------------- pictures fit the notebook column
# Every picture the plot and widget tests draw is checked against the course's limits
# (biaslab.plots._style): laid out and cropped as a notebook shows it, at most COLUMN_PX wide
# (JupyterLab's column at 1280x800 with the file browser open), and no text under MIN_FONT_PT
# (11 px at the course's DPI). So every plot function and widget, as its tests call it, is checked.

def check_figure_fits(fig, where="", png=None):
    """Raise AssertionError when ``fig`` would be shrunk in the column or has text under 11 px."""
    import io

    from matplotlib.text import Text

    from biaslab.plots._style import COLUMN_PX, DPI, MIN_FONT_PT

    if png is None:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
        png = buffer.getvalue()
    width = int.from_bytes(png[16:20], "big")
    assert width <= COLUMN_PX, f"{where}: the picture is {width} px wide, the column {COLUMN_PX} px"
    small = sorted({(round(t.get_fontsize(), 1), t.get_text()[:30]) for t in fig.findobj(Text)
                    if t.get_visible() and t.get_text().strip() and t.get_fontsize() < MIN_FONT_PT})
    assert not small, f"{where}: text under {MIN_FONT_PT} pt ({MIN_FONT_PT * DPI / 72:.0f} px): {small}"


@pytest.fixture(autouse=True)
def every_picture_fits_the_column(request, monkeypatch):
    folder = request.node.path.parent.name
    if folder not in ("plots", "widgets") or request.node.path.parent.parent.name != "tests":
        yield
        return
    import matplotlib.pyplot as plt

    from biaslab.widgets import _picture

    render = _picture.render_png

    def checked_render(fig, **kwargs):  # a widget's picture, as the widget renders it
        png = render(fig, **kwargs)
        check_figure_fits(fig, f"{request.node.name} (widget)", png)
        return png

    monkeypatch.setattr(_picture, "render_png", checked_render)
    plt.close("all")
    yield
    try:
        for number in plt.get_fignums():
            check_figure_fits(plt.figure(number), request.node.name)
    finally:
        plt.close("all")
