"""Workshop mode: each module executed once, its saved state and timings kept for presenters."""

import json
import os
from pathlib import Path

import nbformat
import pytest

import biaslab.cli
from biaslab.course import load_curriculum, source_dir
from biaslab.course._workshop import TIMINGS_FILE, add_parser, build_workshop

MODULE = load_curriculum().module("08")  # one of the fastest modules (about 8 s on 2 cores)


def run_cli(argv):
    """``biaslab ...`` through the real entry point once the lead registers the command, else directly."""
    if "biaslab.course._workshop" in biaslab.cli._COMMANDS:
        return biaslab.cli.main(argv)
    import argparse

    parser = argparse.ArgumentParser(prog="biaslab")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    dest = tmp_path_factory.mktemp("workshop")
    summary = build_workshop(dest, modules=[MODULE.number])
    return dest, summary


def test_saved_state_has_every_output_and_no_error(built):
    dest, summary = built
    assert summary["built"] == [MODULE.id] and summary["kept"] == [] and summary["failed"] == {}
    path = dest / MODULE.notebook
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count is not None for c in code)
    outputs = [o for c in code for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the pictures must be kept inline"
    assert nb.metadata["biaslab"]["workshop"] is True
    # the presenter's run knows the answer keys (module 08's q3 is judged against one): every check says Correct
    for cell in code:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            shown = json.dumps(cell.outputs)
            assert "Correct" in shown and "Recorded" not in shown, meta["grade_id"]
    # the source notebook itself is untouched (no outputs committed)
    for extra in (source_dir() / MODULE.notebook).parent.iterdir():
        assert (path.parent / extra.name).is_file()


def test_timings_json(built):
    dest, summary = built
    timings = json.loads((dest / TIMINGS_FILE).read_text())
    assert timings["machine"]["cpu_count"] == os.cpu_count()
    entry = timings["modules"][MODULE.id]
    assert entry == summary["timings"][MODULE.id]
    assert 0 < entry["slowest_cell"]["seconds"] <= entry["seconds"]
    nb = nbformat.read(dest / MODULE.notebook, as_version=4)
    slowest = nb.cells[entry["slowest_cell"]["index"]]
    assert slowest.cell_type == "code"
    assert entry["slowest_cell"]["first_line"] == next(ln.strip() for ln in slowest.source.splitlines() if ln.strip())
    assert entry["code_cells"] == sum(c.cell_type == "code" for c in nb.cells)


def test_existing_saved_state_is_kept_without_force(built, capsys):
    dest, _ = built
    path = dest / MODULE.notebook
    before = (path.stat().st_mtime_ns, path.read_bytes())
    summary = build_workshop(dest, modules=[MODULE.id])
    assert summary["built"] == [] and summary["kept"] == [MODULE.id]
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before
    assert MODULE.id in summary["timings"]  # the earlier timing is still reported
    # the command line: same outcome, a table of times, exit code 0
    assert run_cli(["workshop", "--dest", str(dest), "--module", MODULE.number]) == 0
    out = capsys.readouterr().out
    assert "kept the saved state" in out and MODULE.id in out and "0 built, 1 kept" in out
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def tiny_source(root: Path, code: str) -> Path:
    """A source folder whose module 08 is one small notebook (with a file beside it)."""
    folder = root / "source" / MODULE.id
    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nbformat.write(nb, folder / f"{MODULE.id}.ipynb")
    (folder / "table.csv").write_text("a,b\n1,2\n")
    return root / "source"


def test_force_rebuilds_in_a_clean_kernel(tmp_path, monkeypatch):
    monkeypatch.setenv("BIASLAB_WORKBOOK", str(tmp_path / "learner"))  # must not reach the kernel
    monkeypatch.setenv("MPLBACKEND", "Agg")  # nor this: the saved state keeps its pictures inline
    code = "import os\nprint(os.getcwd(), os.environ.get('BIASLAB_WORKBOOK'), os.environ.get('MPLBACKEND'))"
    source = tiny_source(tmp_path, code)
    dest = tmp_path / "workshop"
    (dest / MODULE.id).mkdir(parents=True)
    (dest / MODULE.notebook).write_text("the presenter's own copy")
    assert build_workshop(dest, modules=["08"], source=source)["kept"] == [MODULE.id]
    assert (dest / MODULE.notebook).read_text() == "the presenter's own copy"

    summary = build_workshop(dest, modules=["08"], source=source, force=True)
    assert summary["built"] == [MODULE.id]
    nb = nbformat.read(dest / MODULE.notebook, as_version=4)
    cwd, workbook, backend = nb.cells[0].outputs[0].text.split()
    assert Path(cwd).resolve() == (source / MODULE.id).resolve()
    assert workbook == "None" and backend == "module://matplotlib_inline.backend_inline"
    assert (dest / MODULE.id / "table.csv").read_text() == "a,b\n1,2\n"
    assert json.loads((dest / TIMINGS_FILE).read_text())["modules"][MODULE.id]["code_cells"] == 1


def test_a_failing_module_gets_no_saved_state(tmp_path):
    source = tiny_source(tmp_path, "raise RuntimeError('the projector is on fire')")
    summary = build_workshop(tmp_path / "workshop", modules=["08"], source=source)
    assert summary["built"] == [] and "the projector is on fire" in summary["failed"][MODULE.id]
    assert not (tmp_path / "workshop" / MODULE.notebook).exists()


@pytest.mark.parametrize("kwargs, error, words", [
    ({"dest": 123}, TypeError, "dest"),
    ({"dest": ""}, ValueError, "dest"),
    ({"modules": "08"}, TypeError, "modules"),
    ({"modules": [8]}, TypeError, "modules"),
    ({"modules": []}, ValueError, "modules"),
    ({"modules": ["99"]}, ValueError, "'99'"),
    ({"force": "yes"}, TypeError, "force"),
    ({"timeout": 0}, ValueError, "timeout"),
    ({"log": "print"}, TypeError, "log"),
    ({"source": 1}, TypeError, "source"),
])
def test_bad_arguments_raise_clear_errors(tmp_path, kwargs, error, words):
    kwargs = {"dest": tmp_path / "workshop", **kwargs}
    with pytest.raises(error, match=words):
        build_workshop(**kwargs)
    assert not (tmp_path / "workshop").exists()  # nothing is created before the arguments are checked


def test_cli_reports_an_unknown_module(tmp_path):
    if "biaslab.course._workshop" not in biaslab.cli._COMMANDS:
        pytest.skip("biaslab workshop is not registered in biaslab.cli yet")
    assert biaslab.cli.main(["workshop", "--dest", str(tmp_path), "--module", "99"]) == 2
