"""The sandbox a student's notebook runs in while a class is graded.

nbgrader executes each submission in a fresh kernel; :class:`SandboxedKernelManager` starts that
kernel inside bubblewrap (``bwrap``, Linux user namespaces), so the student's code

- sees only what a notebook needs, read-only: the system's libraries, the Python installation,
  the biaslab package (with its ``exercises`` replaced by recording-only stubs: no reference,
  expected value or answer key is in the kernel) and the shipped data; plus the grader's inputs
  file (the cases the student's functions are run on);
- writes only a scratch copy of the files handed in (not the notebook being graded, whose restored
  test cells hold the hidden tests), seen at the submission's path, and a private ``/tmp``;
- never sees the course folder (``source/`` with solutions and hidden tests, ``gradebook.db``,
  other students' submissions, the course secret), the instructor's home (keys), or the network:
  the kernel talks to the grader over Unix sockets in a private folder (``--unshare-net``);
- runs as user ``nobody`` in a new user, PID, IPC and UTS namespace with no capabilities, and
  dies with the grader;
- gets resource limits: address space, CPU seconds, size of written files, processes (see
  :data:`LIMITS`; the cell timeout of nbgrader's ``Execute`` bounds wall time).

Files handed in beside the notebook cannot shadow installed packages: the kernel starts with
Python's safe path (``-P``) and IPython's ``ignore_cwd``, so the working folder is not on
``sys.path``.

``BIASLAB_SANDBOX=off`` runs the kernel without bubblewrap (the exercises stubs and limits still
apply; nothing is hidden from the student's code): for machines without user namespaces, never for
a real class.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

__all__ = ["SandboxedKernelManager", "sandbox_mode", "sandbox_command", "LIMITS", "SandboxUnavailable"]

#: resource limits of a graded kernel (override with BIASLAB_SANDBOX_<NAME>, e.g. BIASLAB_SANDBOX_MEMORY_GIB)
LIMITS = {"memory_gib": 12, "cpu_seconds": 1800, "file_mib": 512, "processes": 4096}
STUBS_ENV = "BIASLAB_GRADING_STUBS"

# the parts of /etc a Python kernel reads (not /etc as a whole: shadow, ssh keys and sudoers stay out)
_ETC = ("passwd", "group", "hosts", "nsswitch.conf", "localtime", "ld.so.cache", "ld.so.conf", "ld.so.conf.d",
        "alternatives", "fonts", "ssl", "ca-certificates", "mime.types", "matplotlibrc")


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or user namespaces are disabled."""


def sandbox_mode() -> str:
    """``"bwrap"`` (default) or ``"off"`` (``BIASLAB_SANDBOX=off``)."""
    mode = os.environ.get("BIASLAB_SANDBOX", "bwrap").strip().lower()
    if mode not in ("bwrap", "off"):
        raise ValueError(f"BIASLAB_SANDBOX must be 'bwrap' or 'off', got {mode!r}.")
    return mode


def _limits() -> dict:
    out = {}
    for name, default in LIMITS.items():
        value = os.environ.get(f"BIASLAB_SANDBOX_{name.upper()}")
        out[name] = float(value) if value else default
    return out


def _package_dirs() -> tuple[Path, Path]:
    import biaslab
    from biaslab.datasets._base import data_dir

    return Path(biaslab.__file__).resolve().parent, data_dir().resolve()


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _python_dirs(private: list) -> list[Path]:
    """The Python installation and every folder on ``sys.path`` (e.g. a linked site-packages), except
    those that hold, or lie inside, a private folder (the course, the folder being graded)."""
    dirs = {Path(sys.base_prefix), Path(sys.prefix), Path(sys.exec_prefix)}
    dirs |= {Path(p) for p in sys.path if p and os.path.isabs(p)}
    out = set()
    for d in dirs:
        d = d.resolve()
        home = Path.home().resolve()  # a Python under it (pyenv) is mounted, the home itself (keys) never
        if not d.is_dir() or _inside(home, d) or any(_inside(d, p) or _inside(p, d) for p in private):
            continue
        out.add(d)
    return sorted(out)


def sandbox_command(kernel_cmd: list, *, workdir, grading_dir, conn_dir, course_root=None) -> list:
    """The command that runs ``kernel_cmd`` (an ipykernel command line) in the sandbox.

    ``course_root`` (and ``workdir``) are never mounted, nor any folder that contains them."""
    kernel_cmd = _kernel_command(kernel_cmd)
    workdir, grading_dir, conn_dir = (Path(p).resolve() for p in (workdir, grading_dir, conn_dir))
    private = [workdir] + ([Path(course_root).resolve()] if course_root else [])
    limits = _limits()
    launcher = [sys.executable, "-P", "-m", "biaslab.grading._launch",
                "--memory-gib", f"{limits['memory_gib']:g}", "--cpu-seconds", f"{limits['cpu_seconds']:g}",
                "--file-mib", f"{limits['file_mib']:g}", "--processes", f"{limits['processes']:g}", "--"]
    env = {"HOME": "/tmp/home", "MPLCONFIGDIR": "/tmp/home/.config/matplotlib", "PYTHONSAFEPATH": "1",
           "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "BIASLAB_GRADING_INPUTS": str(grading_dir / "inputs.pickle"), STUBS_ENV: str(grading_dir / "exercises"),
           "BIASLAB_SANDBOXED": "1", "JUPYTER_RUNTIME_DIR": str(conn_dir), "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    if sandbox_mode() == "off":
        return ["env", *[f"{k}={v}" for k, v in env.items() if k not in ("HOME", "MPLCONFIGDIR")]] + launcher + kernel_cmd
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed, so student code cannot be sandboxed while grading. Install it "
            "(Debian/Ubuntu: apt-get install bubblewrap), or set BIASLAB_SANDBOX=off for a test without students.")
    package, data = _package_dirs()
    args = [bwrap, "--die-with-parent", "--new-session", "--unshare-user", "--uid", "65534", "--gid", "65534",
            "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-net", "--unshare-cgroup-try",
            "--cap-drop", "ALL", "--hostname", "grading"]
    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        args += ["--ro-bind-try", top, top]
    for name in _ETC:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--dir", "/tmp/home",
             "--dir", "/tmp/home/.config/matplotlib"]
    for path in _python_dirs(private):
        args += ["--ro-bind", str(path), str(path)]
    args += ["--ro-bind", str(package), str(package), "--ro-bind", str(data), str(data),
             "--ro-bind", str(grading_dir / "exercises"), str(package / "exercises"),
             "--ro-bind", str(grading_dir / "inputs.pickle"), str(grading_dir / "inputs.pickle"),
             "--ro-bind", str(grading_dir / "exercises"), str(grading_dir / "exercises"),
             "--bind", str(conn_dir), str(conn_dir),
             "--bind", str(_scratch(workdir, grading_dir)), str(workdir), "--chdir", str(workdir)]
    # matplotlib's font list, copied for this notebook by the grader (building it costs seconds)
    args += ["--bind", str(grading_dir / "matplotlib"), "/tmp/home/.config/matplotlib"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    # ipykernel stops when its parent's PID is gone, and in a new PID namespace that PID means nothing;
    # 1 turns its watch off (--die-with-parent ends the kernel with the grader instead)
    args += ["--setenv", "JPY_PARENT_PID", "1"]
    return args + ["--"] + launcher + kernel_cmd


def _scratch(workdir: Path, grading_dir: Path) -> Path:
    """The kernel's working folder: a copy of the files handed in, without the notebook being graded
    (whose restored test cells hold the hidden tests); what the kernel writes there is thrown away."""
    scratch = grading_dir / "scratch"
    if not scratch.exists():
        shutil.copytree(workdir, scratch, symlinks=True, ignore=shutil.ignore_patterns("*.ipynb"))
    return scratch


def _kernel_command(kernel_cmd: list) -> list:
    """ipykernel's command with our launcher module (stubs, no working folder on sys.path)."""
    cmd = list(kernel_cmd)
    if "ipykernel_launcher" in cmd:
        i = cmd.index("ipykernel_launcher")
        cmd[i] = "biaslab.grading._kernel"
        cmd.insert(1, "-P")
    return cmd + ["--InteractiveShellApp.ignore_cwd=True"]


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels start in the grading sandbox (set ``grading_dir`` first)."""

    grading_dir = None  # made by biaslab.grading._verdicts.SandboxedExecute for each notebook
    course_root = None

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if self.grading_dir is None:
            raise RuntimeError("SandboxedKernelManager needs grading_dir: use biaslab.grading.SandboxedExecute.")
        workdir = kw.get("cwd") or os.getcwd()
        conn_dir = Path(self.connection_file).parent
        kernel_cmd = sandbox_command(kernel_cmd, workdir=workdir, grading_dir=self.grading_dir, conn_dir=conn_dir,
                                     course_root=self.course_root)
        env = dict(kw.get("env") or os.environ)
        env.pop("BIASLAB_WORKBOOK", None)  # a learner's workbook must not record the class's answers
        kw["env"] = env
        return await super()._async_launch_kernel(kernel_cmd, **kw)
