"""The package installs, imports fast without torch, and finds its data from a built wheel."""

import json
import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str, *, python=sys.executable, cwd=None, env=None) -> str:
    result = subprocess.run(
        [str(python), "-c", textwrap.dedent(code)], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_import_does_not_import_torch():
    # what keeps `import biaslab` fast (torch alone takes seconds); speed itself is not timed in tests
    out = run_python(
        """
        import json, sys
        import biaslab, biaslab.course, biaslab.datasets, biaslab.metrics, biaslab.plots, biaslab.widgets
        print(json.dumps({"torch": "torch" in sys.modules}))
        """
    )
    assert json.loads(out)["torch"] is False


def test_shipped_checksums_are_up_to_date():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "update_sha256sums.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (path,) = out.glob("biaslab-*.whl")
    return path


def test_loaders_work_from_a_wheel_in_another_environment(wheel, tmp_path):
    env_dir = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True, timeout=120)
    target = env_dir / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    # Install the wheel into the new environment only (no editable finder, no checkout on the path)...
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    # ...and let it see the dependencies (numpy, pandas, ...) of this environment, without its .pth files.
    (target / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    out = run_python(
        """
        import json
        import biaslab
        from biaslab.datasets import data_dir, load_adult, load_fashion_mnist, make_chest_xrays
        adult = load_adult()
        fm = load_fashion_mnist(subset="test")
        xr = make_chest_xrays(50, random_state=0)
        print(json.dumps({"package": biaslab.__file__, "data": str(data_dir()),
                          "adult": len(adult.frame), "fashion": len(fm.target), "xrays": len(xr.target)}))
        """,
        python=env_dir / "bin" / "python", cwd=tmp_path, env=env,
    )
    facts = json.loads(out)
    assert facts["package"].startswith(str(target))
    assert facts["data"].startswith(str(target)), "data must come from the installed wheel, not the checkout"
    assert (facts["adult"], facts["fashion"], facts["xrays"]) == (48842, 10000, 50)


def test_editable_install_finds_the_checkout_data():
    out = run_python("from biaslab.datasets import data_dir; print(data_dir())", cwd="/")
    assert Path(out.strip()) == ROOT / "datasets"
