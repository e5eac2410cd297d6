"""JupyterHub for a class on one Linux server: the Bias In, Bias Out course (docs/INSTRUCTOR.md).

Local Linux users log in (PAM by default), each gets a JupyterLab started as that user by the
LocalProcessSpawner from the shared environment that deploy/jupyterhub/setup.sh builds with Debian's
/usr/bin/python3.11 (executable by every user); the nbgrader exchange is a shared directory.

    jupyterhub -f /opt/biaslab/etc/jupyterhub/jupyterhub_config.py

Settings come from the environment so that one file serves the class and the end-to-end test
(tests/deploy/test_class_e2e.py); the defaults are the real deployment's:

BIASLAB_PREFIX        the hub and course environment (default /opt/biaslab)
BIASLAB_HUB_STATE     the hub's database, cookie secret and logs (default /srv/jupyterhub)
BIASLAB_EXCHANGE      the nbgrader exchange (default /srv/nbgrader/exchange)
BIASLAB_HUB_BIND_URL  where the proxy listens (default http://127.0.0.1:8000: put a TLS reverse
                      proxy such as nginx in front, or set an https URL with ssl_key/ssl_cert)
BIASLAB_HUB_API_PORT  the proxy's REST API port on 127.0.0.1 (default 8001)
BIASLAB_HUB_PORT      the hub's own port on 127.0.0.1 (default 8081)
BIASLAB_HUB_AUTH      pam (default: the server's Linux accounts), or dummy (tests only: any
                      password; never on a reachable machine)
BIASLAB_CLASS_GROUP   Linux group whose members may log in (default biaslab-class)
BIASLAB_INSTRUCTORS   comma-separated user names who are hub admins (default: none)
BIASLAB_HUB_SERVICE_TOKEN  if set, a service "biaslab-admin" with this API token may manage users
                      and servers (used by the end-to-end test to drive the hub over its REST API)
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

prefix = Path(os.environ.get("BIASLAB_PREFIX", "/opt/biaslab"))
state = Path(os.environ.get("BIASLAB_HUB_STATE", "/srv/jupyterhub"))
exchange = os.environ.get("BIASLAB_EXCHANGE", "/srv/nbgrader/exchange")
auth = os.environ.get("BIASLAB_HUB_AUTH", "pam")

# --- network: nothing listens beyond loopback unless the bind URL says so ---------------------
c.JupyterHub.bind_url = os.environ.get("BIASLAB_HUB_BIND_URL", "http://127.0.0.1:8000")
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("BIASLAB_HUB_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('BIASLAB_HUB_API_PORT', '8001')}"
# configurable-http-proxy installed from npm into the prefix by setup.sh
c.ConfigurableHTTPProxy.command = [os.environ.get("BIASLAB_CHP", str(prefix / "node_modules/.bin/configurable-http-proxy"))]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.Spawner.ip = "127.0.0.1"

# --- the hub's state ------------------------------------------------------------------------
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")

# --- who logs in ----------------------------------------------------------------------------
instructors = {u.strip() for u in os.environ.get("BIASLAB_INSTRUCTORS", "").split(",") if u.strip()}
if auth == "dummy":
    # Tests only: every name is accepted with any password.
    c.JupyterHub.authenticator_class = "dummy"
    c.Authenticator.allow_all = True
elif auth == "pam":
    c.JupyterHub.authenticator_class = "pam"
    c.LocalAuthenticator.allowed_groups = {os.environ.get("BIASLAB_CLASS_GROUP", "biaslab-class")}
    c.LocalAuthenticator.create_system_users = False  # accounts are made with useradd (guide)
else:
    raise ValueError(f"BIASLAB_HUB_AUTH must be 'pam' or 'dummy', got {auth!r}.")
c.Authenticator.admin_users = instructors

# --- each learner's server: JupyterLab started as the Linux user from the shared environment --
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = [str(prefix / "bin/python"), "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
# Twenty servers spawned at once do not start within JupyterHub's default 30 s on a small machine.
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 180
c.JupyterHub.concurrent_spawn_limit = 50
c.Spawner.environment = {
    "BIASLAB_EXCHANGE": exchange,
    "PATH": f"{prefix / 'bin'}:/usr/local/bin:/usr/bin:/bin",
    # the course's modules are written for a few cores; keep BLAS from using every core per learner
    "OMP_NUM_THREADS": "2",
    "MKL_NUM_THREADS": "2",
    "OPENBLAS_NUM_THREADS": "2",
}
# Idle servers are stopped by the jupyterhub-idle-culler service (see the guide); a server that
# has nothing open stops itself after an hour.
c.Spawner.args = ["--ServerApp.shutdown_no_activity_timeout=3600",
                  "--MappingKernelManager.cull_idle_timeout=3600"]

# --- a service that manages the class over the REST API (tests, scripts) --------------------
token = os.environ.get("BIASLAB_HUB_SERVICE_TOKEN")
if token:
    c.JupyterHub.services = [{"name": "biaslab-admin", "api_token": token}]
    c.JupyterHub.load_roles = [{
        "name": "biaslab-admin",
        "scopes": ["admin:users", "admin:servers", "access:servers", "read:users", "list:users"],
        "services": ["biaslab-admin"],
    }]
