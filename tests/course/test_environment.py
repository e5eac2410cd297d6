"""The environment self-test: each problem a learner can have is reported as such, with a fix."""

import argparse
import hashlib
import os
import stat

import pytest

from biaslab.course import _environment as env
from biaslab.course._environment import EnvironmentCheck, EnvironmentReport, check_environment
from biaslab.datasets import _base


def test_this_environment_is_ready():
    report = check_environment()
    assert report.ok, str(report)
    names = [c.name for c in report]
    assert names[0] == "python"
    for expected in ["package numpy", "package torch", "package scikit-learn", "package pillow", "torch threads",
                     "data adult", "data fashion_mnist", "workbook", "widgets", "cpu cores", "memory"]:
        assert expected in names
    assert not any(n.startswith(("package pytest", "package playwright")) for n in names)  # dev extras are not needed
    assert all(c.fix for c in report.problems)
    assert all(not c.fix for c in report if c.status == "ok")


def test_report_shows_as_text_and_html():
    report = EnvironmentReport([
        EnvironmentCheck("python", "ok", "Python 3.11.7"),
        EnvironmentCheck("package numpy", "missing", "not installed", "pip install 'numpy>=2.0'"),
        EnvironmentCheck("workbook", "warning", "not in a workbook", "make lab"),
    ], seconds=0.5)
    assert not report.ok
    assert [c.name for c in report.problems] == ["package numpy", "workbook"]
    text = str(report)
    assert text.startswith("NOT READY: 1 check(s)")
    assert "MISSING  package numpy" in text and "fix: pip install 'numpy>=2.0'" in text
    page = report._repr_html_()
    assert "<table>" in page and "pip install &#x27;numpy&gt;=2.0&#x27;" in page
    frame = report.to_frame()
    assert list(frame.columns) == ["check", "status", "detail", "fix"] and len(frame) == 3
    assert report["workbook"].status == "warning"
    with pytest.raises(KeyError, match="no check named"):
        report["nothing"]
    warned = EnvironmentReport([EnvironmentCheck("workbook", "warning", "x", "y")])
    assert warned.ok and str(warned).startswith("Ready, with warnings")


def test_bad_report_arguments():
    with pytest.raises(ValueError, match="status must be one of"):
        EnvironmentCheck("python", "fine", "x")
    with pytest.raises(TypeError, match="EnvironmentCheck"):
        EnvironmentReport(["python ok"])


# --- packages ----------------------------------------------------------------------------------

def test_missing_package_is_reported_with_a_fix(monkeypatch):
    monkeypatch.setattr(env, "_requirements", lambda: ["numpy>=2.0", "surely-not-installed-pkg>=1.2",
                                                       "pytest>=8; extra == \"dev\""])
    checks = {c.name: c for c in env._check_packages()}
    assert set(checks) == {"package numpy", "package surely-not-installed-pkg"}
    missing = checks["package surely-not-installed-pkg"]
    assert missing.status == "missing" and missing.detail == "not installed"
    assert "pip install 'surely-not-installed-pkg>=1.2'" in missing.fix and "make lab" in missing.fix
    assert checks["package numpy"].status == "ok"


def test_too_old_package_is_a_warning(monkeypatch):
    monkeypatch.setattr(env, "_requirements", lambda: ["numpy>=999"])
    (check,) = env._check_packages()
    assert check.status == "warning" and "made for >=999" in check.detail
    assert "pip install 'numpy>=999'" in check.fix


def test_installed_but_not_importable(monkeypatch):
    monkeypatch.setattr(env, "_requirements", lambda: ["numpy>=2.0"])
    monkeypatch.setattr(env, "_importable", lambda name: False)
    (check,) = env._check_packages()
    assert check.status == "missing" and "import numpy" in check.detail
    assert "--force-reinstall" in check.fix


def test_import_names_differ_from_distribution_names():
    from importlib import metadata

    for dist, module in [("scikit-learn", "sklearn"), ("pillow", "PIL"), ("PyJWT", "jwt"), ("pyyaml", "yaml")]:
        assert env._import_name(metadata.distribution(dist), dist) == module


def test_wrong_python(monkeypatch):
    monkeypatch.setattr(env, "_requires_python", lambda: ">=3.99")
    check = env._check_python()
    assert check.status == "missing" and "needs >=3.99" in check.detail and "make lab" in check.fix


# --- datasets ----------------------------------------------------------------------------------

@pytest.fixture
def fake_data(tmp_path, monkeypatch):
    """A data folder of our own: toy/ with one good and one damaged file, other/ with a file missing."""
    files = {"toy/good.csv": b"a,b\n1,2\n", "toy/damaged.csv": b"x\n1\n", "other/gone.csv": b"y\n", "README.md": b"hi"}
    sums = []
    for rel, content in files.items():
        sums.append(f"{hashlib.sha256(content).hexdigest()}  {rel}")
        if rel != "other/gone.csv":
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / rel).write_bytes(content)
    (tmp_path / "toy" / "damaged.csv").write_bytes(b"x\n2\n")  # changed after the checksum was taken
    (tmp_path / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    monkeypatch.setattr(_base, "data_dir", lambda: tmp_path)
    _base._checksums.cache_clear()
    yield tmp_path
    _base._checksums.cache_clear()  # the real folder's sums are read again afterwards


def test_damaged_and_missing_data_files_are_reported(fake_data):
    checks = {c.name: c for c in env._check_datasets()}
    assert checks["data (index)"].status == "ok"
    toy, other = checks["data toy"], checks["data other"]
    assert toy.status == "missing" and "damaged (sha256 differs from SHA256SUMS): toy/damaged.csv" in toy.detail
    assert "toy/good.csv" not in toy.detail
    assert "git checkout -- datasets/toy" in toy.fix and "reinstall biaslab" in toy.fix
    assert other.status == "missing" and "missing: other/gone.csv" in other.detail


def test_no_data_folder(monkeypatch):
    def nowhere():
        raise _base.DataIntegrityError("biaslab's shipped data was not found")

    monkeypatch.setattr(_base, "data_dir", nowhere)
    _base._checksums.cache_clear()
    try:
        (check,) = env._check_datasets()
    finally:
        _base._checksums.cache_clear()
    assert check.status == "missing" and "not found" in check.detail and "Reinstall" in check.fix


# --- workbook ----------------------------------------------------------------------------------

@pytest.fixture
def workbook(tmp_path, monkeypatch):
    (tmp_path / ".biaslab").mkdir()
    (tmp_path / ".biaslab" / "workbook.json").write_text("{}")
    monkeypatch.setenv("BIASLAB_WORKBOOK", str(tmp_path))
    return tmp_path


def test_writable_workbook(workbook):
    check = env._check_workbook()
    assert check.status == "ok" and str(workbook) in check.detail
    assert sorted(p.name for p in (workbook / ".biaslab").iterdir()) == ["workbook.json"]  # the probe is gone


def test_read_only_workbook_is_reported_with_a_fix(workbook, monkeypatch):
    meta = workbook / ".biaslab"
    meta.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        if os.access(meta, os.W_OK):  # root writes anyway: make the write fail as it would for a learner
            def refuse(*args, **kwargs):
                raise PermissionError(13, "Permission denied")

            monkeypatch.setattr(env.tempfile, "mkstemp", refuse)
        check = env._check_workbook()
    finally:
        meta.chmod(stat.S_IRWXU)
    assert check.status == "missing" and "cannot write" in check.detail and "Permission denied" in check.detail
    assert "chmod -R u+w" in check.fix and "biaslab workbook --dest" in check.fix


def test_no_workbook_is_a_warning(tmp_path, monkeypatch):
    monkeypatch.delenv("BIASLAB_WORKBOOK", raising=False)
    monkeypatch.chdir(tmp_path)
    check = env._check_workbook()
    assert check.status == "warning" and "progress is not saved" in check.detail and "make lab" in check.fix
    monkeypatch.setenv("BIASLAB_WORKBOOK", str(tmp_path))
    assert "is not a workbook" in env._check_workbook().detail


# --- machine -----------------------------------------------------------------------------------

def test_few_cores_and_little_memory_are_warnings(monkeypatch):
    monkeypatch.setattr(env, "_usable_cores", lambda: 1)
    monkeypatch.setattr(env, "_available_memory_gb", lambda: 0.7)
    cores, memory = env._check_cores(), env._check_memory()
    assert cores.status == "warning" and "1 usable CPU core" in cores.detail and cores.fix
    assert memory.status == "warning" and "0.7 GB" in memory.detail and "close other programs" in memory.fix
    monkeypatch.setattr(env, "_available_memory_gb", lambda: None)
    assert env._check_memory().status == "warning"


def test_torch_threads(monkeypatch):
    import torch

    assert env._check_torch().status == "ok"
    monkeypatch.setattr(env, "_usable_cores", lambda: 1)
    monkeypatch.setattr(torch, "get_num_threads", lambda: 4)
    check = env._check_torch()
    assert check.status == "warning" and "4 CPU thread(s) on 1 usable core" in check.detail
    assert "torch.set_num_threads(1)" in check.fix


def test_missing_widget_extension(monkeypatch):
    real_version = env.metadata.version

    def version(name):
        if name == "jupyterlab_widgets":
            raise env.metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(env.metadata, "version", version)
    check = env._check_widgets()
    assert check.status == "warning" and "jupyterlab_widgets" in check.fix


# --- the command -------------------------------------------------------------------------------

def test_doctor_command(capsys, monkeypatch):
    parser = argparse.ArgumentParser(prog="biaslab")
    env.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["doctor"])
    assert args.func(args) == 0
    assert "package numpy" in capsys.readouterr().out
    monkeypatch.setattr(env, "_requirements", lambda: ["surely-not-installed-pkg"])
    assert args.func(args) == 1
    assert "MISSING" in capsys.readouterr().out


def test_doctor_is_a_biaslab_subcommand(capsys):
    from biaslab.cli import main

    assert main(["doctor"]) == 0
    assert "sha256 verified" in capsys.readouterr().out
