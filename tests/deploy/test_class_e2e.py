"""Class mode end to end: JupyterHub on 127.0.0.1 with real Linux users and the nbgrader exchange.

deploy/jupyterhub/setup.sh builds the hub's environment with Debian's /usr/bin/python3.11 (linked
to this project's packages, so it takes seconds) and installs configurable-http-proxy from npm.
Three Linux users are created for the test and always removed: an instructor and two students.
The hub (DummyAuthenticator) starts every user's server as that user; the instructor releases a
module to the exchange; each student fetches it, writes answers and submits them through their
own running server's REST API (the nbgrader assignment-list server extension and the contents
API), ada the right answers, bob two left undone; the instructor collects, autogrades, generates
and releases feedback, which the students fetch through their servers; the grades are exported;
badges are issued from the gradebook. RSS of the hub, the proxy and a user server is printed for
the sizing table (docs/INSTRUCTOR.md).

Runs only as root with useradd and BIASLAB_CLASS_TEST=1 (CI sets it); the configuration checks at
the top run everywhere.
"""

import csv
import json
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import nbformat
import pytest
from traitlets.config import PyFileConfigLoader

ROOT = Path(__file__).resolve().parents[2]
HUB_DIR = ROOT / "deploy" / "jupyterhub"
MODULE = "02_measuring_fairness"
UNDONE = ("q2_answer", "q3_answer")  # bob leaves these two required answers undone (2 points each)


def load_hub_config(env):
    old = dict(os.environ)
    os.environ.update(env)
    try:
        loader = PyFileConfigLoader("jupyterhub_config.py", path=str(HUB_DIR))
        return loader.load_config()
    finally:
        os.environ.clear()
        os.environ.update(old)


def test_hub_config_defaults_are_safe():
    c = load_hub_config({})
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8000"
    assert c.JupyterHub.hub_ip == "127.0.0.1" and c.Spawner.ip == "127.0.0.1"
    assert c.ConfigurableHTTPProxy.api_url.startswith("http://127.0.0.1:")
    assert c.JupyterHub.authenticator_class == "pam" and c.LocalAuthenticator.allowed_groups == {"biaslab-class"}
    assert c.JupyterHub.spawner_class == "jupyterhub.spawner.LocalProcessSpawner"
    assert c.Spawner.cmd == ["/opt/biaslab/bin/python", "-m", "jupyterhub.singleuser"]
    assert c.Spawner.start_timeout >= 120 and c.Spawner.http_timeout >= 60  # the defaults (60, 30) are too short
    assert c.Spawner.environment["BIASLAB_EXCHANGE"] == "/srv/nbgrader/exchange"
    assert "services" not in c.JupyterHub  # no API token unless one is given


def test_hub_config_for_tests():
    c = load_hub_config({"BIASLAB_HUB_AUTH": "dummy", "BIASLAB_HUB_SERVICE_TOKEN": "t0k3n", "BIASLAB_PREFIX": "/x"})
    assert c.JupyterHub.authenticator_class == "dummy"
    assert c.JupyterHub.services == [{"name": "biaslab-admin", "api_token": "t0k3n"}]
    assert "access:servers" in c.JupyterHub.load_roles[0]["scopes"]
    assert c.ConfigurableHTTPProxy.command == ["/x/node_modules/.bin/configurable-http-proxy"]
    with pytest.raises(ValueError, match="BIASLAB_HUB_AUTH"):
        load_hub_config({"BIASLAB_HUB_AUTH": "none"})


def test_system_nbgrader_config_names_the_course_and_exchange():
    from biaslab.course import load_curriculum

    old = os.environ.pop("BIASLAB_EXCHANGE", None)
    try:
        c = PyFileConfigLoader("nbgrader_config.py", path=str(HUB_DIR)).load_config()
    finally:
        if old is not None:
            os.environ["BIASLAB_EXCHANGE"] = old
    assert c.CourseDirectory.course_id == load_curriculum().id
    assert c.Exchange.root == "/srv/nbgrader/exchange"


# --- the end-to-end class ---------------------------------------------------------------------

def _world_readable(path):
    path = Path(path).resolve()
    for p in [path, *path.parents]:
        mode = p.stat().st_mode
        if not (mode & stat.S_IROTH and mode & stat.S_IXOTH):
            return False
    return True


SITE = sysconfig.get_path("purelib")


def _missing():
    """Why this machine cannot run the class test (with BIASLAB_CLASS_TEST=1 that is a failure)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "the class end-to-end test creates Linux users: run it as root"
    if not (shutil.which("useradd") and shutil.which("runuser") and shutil.which("npm")):
        return "the class end-to-end test needs useradd, runuser and npm"
    if not Path("/usr/bin/python3.11").is_file():
        return "the class end-to-end test needs Debian's /usr/bin/python3.11"
    for path in (SITE, ROOT):  # files must be readable by others; the folders above are opened below
        mode = Path(path).stat().st_mode
        if not (mode & stat.S_IROTH and mode & stat.S_IXOTH):
            return f"the class end-to-end test needs {path} readable by every user"
    return None


def _open_parents(*paths):
    """Let the test's users traverse the folders above ``paths`` (e.g. a clone under /root).

    Adds only the search bit (o+x) where it is missing; returns the original modes to restore.
    """
    changed = {}
    for path in paths:
        for p in Path(path).resolve().parents:
            mode = p.stat().st_mode
            if not mode & stat.S_IXOTH and p not in changed:
                changed[p] = stat.S_IMODE(mode)
                p.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)
    return changed


reason = None
if os.environ.get("BIASLAB_CLASS_TEST") != "1":
    reason = "set BIASLAB_CLASS_TEST=1 to run the class end-to-end test (CI does; it needs root)"
e2e = pytest.mark.skipif(reason is not None, reason=reason or "")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _user_pids(user):
    out = subprocess.run(["ps", "-u", user, "-o", "pid=,args="], capture_output=True, text=True).stdout
    return [(int(line.split(None, 1)[0]), line.split(None, 1)[1]) for line in out.strip().splitlines() if line.strip()]


class Class:
    """The hub, its users and the helpers to act as them."""

    def __init__(self, base):
        self.base = base
        self.prefix = base / "opt"
        self.state = base / "state"
        self.exchange = base / "exchange"
        tag = secrets.token_hex(3)
        self.group = f"blc{tag}"
        self.instructor, self.ada, self.bob = (f"bl{tag}{r}" for r in ("inst", "ada", "bob"))
        self.users = [self.instructor, self.ada, self.bob]
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.hub = None
        self.made_users = []
        self.made_group = False

    # processes and accounts
    def env(self):
        return {"BIASLAB_PREFIX": str(self.prefix), "BIASLAB_HUB_STATE": str(self.state),
                "BIASLAB_EXCHANGE": str(self.exchange), "BIASLAB_HUB_AUTH": "dummy",
                "BIASLAB_HUB_BIND_URL": self.url + "/", "BIASLAB_HUB_API_PORT": str(_free_port()),
                "BIASLAB_HUB_PORT": str(_free_port()), "BIASLAB_HUB_SERVICE_TOKEN": self.token,
                "BIASLAB_INSTRUCTORS": self.instructor, "BIASLAB_CLASS_GROUP": self.group}

    def setup(self):
        subprocess.run(["bash", str(HUB_DIR / "setup.sh"), "--prefix", str(self.prefix), "--state", str(self.state),
                        "--exchange", str(self.exchange), "--group", self.group, "--link-site-packages", SITE],
                       check=True, capture_output=True, text=True, timeout=300)
        self.made_group = True
        for user in self.users:
            subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", "--gid", self.group, user], check=True)
            self.made_users.append(user)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "BIASLAB", "PYTHON"))}
        env.update(self.env())
        self.log = (self.base / "hub.log").open("w")
        self.hub = subprocess.Popen([str(self.prefix / "bin/python"), "-m", "jupyterhub", "-f",
                                     str(self.prefix / "etc/jupyterhub/jupyterhub_config.py")],
                                    cwd=self.state, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        self.wait(lambda: self.api("GET", "/hub/api/").ok, 60, "the hub to answer")

    def teardown(self):
        if self.hub is not None:
            if self.hub.poll() is None:
                self.hub.send_signal(signal.SIGTERM)  # the hub stops the servers and the proxy
                try:
                    self.hub.wait(60)
                except subprocess.TimeoutExpired:
                    os.killpg(self.hub.pid, signal.SIGKILL)
                    self.hub.wait(10)
            pid_file = self.state / "proxy.pid"
            if pid_file.is_file():
                try:
                    os.kill(int(pid_file.read_text()), signal.SIGTERM)
                except (ProcessLookupError, ValueError):
                    pass
            self.log.close()
        for user in self.made_users:
            for pid, _ in _user_pids(user):  # whatever the servers left (kernels): by pid, this user only
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            subprocess.run(["userdel", "--remove", user], capture_output=True)
        if self.made_group:
            subprocess.run(["groupdel", self.group], capture_output=True)

    @staticmethod
    def wait(predicate, timeout, what):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                if predicate():
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"waited {timeout} s for {what}")

    # the hub's and the servers' REST APIs
    def api(self, method, path, **kwargs):
        import requests

        kwargs.setdefault("timeout", 120)
        return requests.request(method, self.url + path, headers={"Authorization": f"token {self.token}"}, **kwargs)

    def start_servers(self):
        r = self.api("POST", "/hub/api/users", json={"usernames": self.users})
        assert r.status_code == 201, r.text
        for user in self.users:
            r = self.api("POST", f"/hub/api/users/{user}/server")
            assert r.status_code in (201, 202), r.text

        def ready():
            users = {u["name"]: u for u in self.api("GET", "/hub/api/users").json()}
            return all(users[u]["servers"].get("", {}).get("ready") for u in self.users)

        self.wait(ready, 300, "three user servers")

    def server(self, user, method, path, **kwargs):
        r = self.api(method, f"/user/{user}/{path}", **kwargs)
        assert r.ok, f"{method} {path} as {user}: {r.status_code} {r.text[:500]}"
        return r.json() if r.text else None

    def as_user(self, user, *args, cwd=None):
        """Run a command as a Linux user with the class environment (the instructor's shell)."""
        env = ["env", "-i", f"HOME=/home/{user}", f"USER={user}", f"LOGNAME={user}",
               f"PATH={self.prefix / 'bin'}:/usr/bin:/bin", f"BIASLAB_EXCHANGE={self.exchange}"]
        return subprocess.run(["runuser", "-u", user, "--", *env, *args], cwd=cwd, capture_output=True,
                              text=True, timeout=600)


@pytest.fixture(scope="module")
def klass():
    import tempfile

    missing = _missing()
    if missing:
        pytest.fail(f"BIASLAB_CLASS_TEST=1 but {missing}")

    # not under pytest's own temporary folder, which is private to root: the users' servers run
    # the environment made here
    base = Path(tempfile.mkdtemp(prefix="biaslab-class-", dir="/tmp"))
    base.chmod(0o755)
    opened = _open_parents(SITE, ROOT)
    k = Class(base)
    try:
        assert _world_readable(SITE) and _world_readable(ROOT)
        k.setup()
        yield k
    finally:
        try:
            k.teardown()
        finally:
            shutil.rmtree(base, ignore_errors=True)
            for folder, mode in opened.items():
                folder.chmod(mode)


def _answers(nb):
    return {c.metadata.nbgrader.grade_id: c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")}


# The instructor's many-module steps in one process each (nbgrader's commands spend seconds
# starting up): the exchange from the class's system-wide config, as the commands read it.
INSTRUCTOR = """
import os, sys
from biaslab.course import nbgrader_api
api = nbgrader_api(".")
api.config.Exchange.root = os.environ["BIASLAB_EXCHANGE"]
action, *args = sys.argv[1:]
if action == "autograde":
    student, *modules = args
    calls = [(api.autograde, module, student) for module in modules]
else:
    calls = [(getattr(api, action), module) for module in args]
for call, *call_args in calls:
    result = call(*call_args)
    assert result["success"], f"{action} {call_args}: " + result.get("log", "") + result.get("error", "")
    print(action, *call_args, flush=True)
"""


@e2e
def test_class_on_jupyterhub(klass):
    from biaslab.badges import verify_badge
    from biaslab.course import load_curriculum, source_dir

    t0 = time.monotonic()
    k = klass
    curriculum = load_curriculum()
    course_id = curriculum.id
    modules = [m.id for m in curriculum.modules if (source_dir() / m.notebook).is_file()]
    python = str(k.prefix / "bin/python")

    # every user's server runs, as that user, from the shared environment
    k.start_servers()
    for user in k.users:
        procs = [(pid, args) for pid, args in _user_pids(user) if "jupyterhub.singleuser" in args]
        assert procs, f"no server process of {user}"
    t_spawn = time.monotonic() - t0

    # sizes (KiB): the hub, the proxy, one idle user server
    rss = {"hub": _rss_kib(k.hub.pid), "proxy": _rss_kib(int((k.state / "proxy.pid").read_text())),
           "user server (idle)": _rss_kib([p for p, a in _user_pids(k.ada) if "jupyterhub.singleuser" in a][0])}

    # the instructor's course folder (notebooks/ of this repository: its source and config)
    home = Path(f"/home/{k.instructor}")
    course = home / "course"
    shutil.copytree(source_dir(), course / "source")
    shutil.copy(source_dir().parent / "nbgrader_config.py", course)
    subprocess.run(["chown", "-R", f"{k.instructor}:{k.group}", str(course)], check=True)

    def nbgrader(*args):
        r = k.as_user(k.instructor, python, "-m", "nbgrader", *args, cwd=course)
        assert r.returncode == 0, f"nbgrader {' '.join(args)}:\n{r.stdout}\n{r.stderr}"
        return r

    for sid, first in ((k.ada, "Ada"), (k.bob, "Bob")):
        nbgrader("db", "student", "add", sid, "--first-name", first, "--last-name", "Student",
                 "--email", f"{sid}@example.org")
    # the class versions of every module in one process, then each released to the exchange
    r = k.as_user(k.instructor, python, "-c", "from biaslab.course import release_course; release_course('.')", cwd=course)
    assert r.returncode == 0, r.stdout + r.stderr
    nbgrader("release_assignment", MODULE)
    rest = [m for m in modules if m != MODULE]
    r = k.as_user(k.instructor, python, "-c", INSTRUCTOR, "release_assignment", *rest, cwd=course)
    assert r.returncode == 0, r.stdout + r.stderr
    t_released = time.monotonic() - t0

    # the students, through their running servers: list, fetch, answer, submit. ada does the
    # whole course right; bob does module 02 only, with two required answers left undone
    listed = k.server(k.ada, "GET", "assignments", params={"course_id": course_id})
    assert sorted(a["assignment_id"] for a in listed["value"]) == sorted(modules), listed
    work = [(k.ada, m) for m in modules] + [(k.bob, MODULE)]
    for student, module in work:
        solutions = _answers(nbformat.read(source_dir() / module / f"{module}.ipynb", as_version=4))
        k.server(student, "POST", "assignments/fetch", data={"course_id": course_id, "assignment_id": module})
        model = k.server(student, "GET", f"api/contents/{module}/{module}.ipynb")
        assert "BEGIN SOLUTION" not in json.dumps(model["content"])
        nb = nbformat.from_dict(model["content"])
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in solutions and not (student == k.bob and grade_id in UNDONE):
                cell.source = solutions[grade_id]
        k.server(student, "PUT", f"api/contents/{module}/{module}.ipynb",
                 json={"type": "notebook", "format": "json", "content": nb})
        result = k.server(student, "POST", "assignments/submit", data={"course_id": course_id, "assignment_id": module})
        assert result.get("success", True), result
    t_students = time.monotonic() - t0

    # the instructor: collect, autograde (module 02 with nbgrader's command; ada's other modules
    # in one process), feedback back to the students, grades
    nbgrader("collect", MODULE)
    r = k.as_user(k.instructor, python, "-c", INSTRUCTOR, "collect", *rest, cwd=course)
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(p.name for p in (course / "submitted").iterdir()) == sorted([k.ada, k.bob])
    nbgrader("autograde", MODULE)
    r = k.as_user(k.instructor, python, "-c", INSTRUCTOR, "autograde", k.ada, *rest, cwd=course)
    assert r.returncode == 0, r.stdout + r.stderr
    t_graded = time.monotonic() - t0
    nbgrader("generate_feedback", MODULE)
    nbgrader("release_feedback", MODULE)
    for student in (k.ada, k.bob):
        k.server(student, "POST", "assignments/fetch_feedback", data={"course_id": course_id, "assignment_id": MODULE})
        folder = k.server(student, "GET", f"api/contents/{MODULE}/feedback")
        (stamp,) = [item["name"] for item in folder["content"]]
        html = k.server(student, "GET", f"api/contents/{MODULE}/feedback/{stamp}/{MODULE}.html")["content"]
        assert "BEGIN HIDDEN TESTS" not in html and 'variant="hidden"' not in html
    nbgrader("export", "--to", "grades.csv")
    with (course / "grades.csv").open() as fh:
        scores = {(r["assignment"], r["student_id"]): float(r["score"]) for r in csv.DictReader(fh)}
    auto = {m.id: sum(e.points for e in m.exercises if e.kind == "auto") for m in curriculum.modules}
    lost = sum(curriculum.exercise(f"{MODULE}.{g.split('_')[0]}").points for g in UNDONE)
    for module in modules:
        assert scores[(module, k.ada)] == auto[module], module
    assert scores[(MODULE, k.bob)] == auto[MODULE] - lost

    # badges from the gradebook with the instructor's key (outside any repository), verified
    r = k.as_user(k.instructor, python, "-m", "biaslab.cli", "badge", "keygen", "--out", str(home / "keys"), cwd=home)
    assert r.returncode == 0, r.stdout + r.stderr
    r = k.as_user(k.instructor, python, "-m", "biaslab.cli", "badge", "issue", "--gradebook",
                  str(course / "gradebook.db"), "--key", str(home / "keys/issuer_ed25519.pem"),
                  "--issuer-name", "Example University", "--out", str(home / "badges"), cwd=home)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"{k.ada}: passed" in r.stdout and f"{k.bob}: not eligible" in r.stdout, r.stdout
    assert "1 of 2 student(s) earned the badge" in r.stdout
    badge = home / "badges" / f"{course_id}-{k.ada}.png"
    result = verify_badge(badge, public_key=home / "keys/issuer_ed25519.pub.pem", email=f"{k.ada}@example.org")
    assert result.valid and result.key_trusted and result.recipient_verified and not result.self_assessed
    r = k.as_user(k.instructor, python, "-m", "biaslab.cli", "badge", "verify", str(badge),
                  "--key", str(home / "keys/issuer_ed25519.pub.pem"), cwd=home)
    assert r.returncode == 0, r.stdout + r.stderr
    t_total = time.monotonic() - t0

    print(f"\nclass e2e ({len(modules)} modules): servers ready {t_spawn:.1f} s, released {t_released:.1f} s, "
          f"students done {t_students:.1f} s, graded {t_graded:.1f} s, total {t_total:.1f} s")
    for name, kib in rss.items():
        print(f"RSS {name}: {kib / 1024:.0f} MiB")
