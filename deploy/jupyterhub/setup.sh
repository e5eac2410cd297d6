#!/usr/bin/env bash
# Build the class server's JupyterHub + course environment (docs/INSTRUCTOR.md, "Single server").
#
#   sudo deploy/jupyterhub/setup.sh [--prefix /opt/biaslab] [--state /srv/jupyterhub]
#                                   [--exchange /srv/nbgrader/exchange] [--group biaslab-class]
#
# - the environment is a venv of Debian's /usr/bin/python3.11, which every user can execute (a
#   Python under root's home, e.g. pyenv's, is not: the learners' servers run as their own users);
# - biaslab is installed (not editable) with the exact versions of requirements/constraints.txt,
#   with JupyterHub; configurable-http-proxy comes from npm into the same prefix;
# - the hub's config and a system-wide nbgrader_config.py (the course id and the exchange) go
#   under the prefix; the exchange is a shared directory every user can write to (mode 1777);
# - the Linux group whose members may log in is created.
#
# Development and CI only: --link-site-packages DIR makes the new environment read an existing
# environment's site-packages (same Python 3.11) instead of installing the course's dependencies,
# so the end-to-end test (tests/deploy/test_class_e2e.py) builds it in seconds.
set -euo pipefail

PREFIX=/opt/biaslab
STATE=/srv/jupyterhub
EXCHANGE=/srv/nbgrader/exchange
GROUP=biaslab-class
LINK=""
PYTHON=/usr/bin/python3.11
JUPYTERHUB_VERSION=6.1.1
CHP_VERSION=5.3.0
# soupsieve 3 and 4 use regular expressions (possessive quantifiers) that Python 3.11 before 3.11.5
# compiles wrongly: on Debian 12's Python 3.11.2 nbgrader's generate_feedback then fails with
# "SelectorSyntaxError: Invalid character" (HTML sanitising). 2.10 works on every 3.11.
SOUPSIEVE_OLD_PYTHON=2.10
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="$(cd "$HERE/../.." && pwd)"

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) PREFIX="$2"; shift 2 ;;
        --state) STATE="$2"; shift 2 ;;
        --exchange) EXCHANGE="$2"; shift 2 ;;
        --group) GROUP="$2"; shift 2 ;;
        --link-site-packages) LINK="$2"; shift 2 ;;
        --python) PYTHON="$2"; shift 2 ;;
        -h|--help) usage 0 ;;
        *) echo "setup.sh: unknown argument $1" >&2; usage 2 ;;
    esac
done

[ "$(id -u)" = 0 ] || { echo "setup.sh: run as root (it creates a group and system folders)" >&2; exit 1; }
[ -x "$PYTHON" ] || { echo "setup.sh: $PYTHON not found: apt-get install python3.11 python3.11-venv" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup.sh: npm not found: apt-get install nodejs npm" >&2; exit 1; }
command -v bwrap >/dev/null || { echo "setup.sh: bwrap not found (grading sandboxes student code): apt-get install bubblewrap" >&2; exit 1; }
case "$("$PYTHON" -c 'import sys; print(sys.prefix)')" in
    /root*|/home/*) echo "setup.sh: $PYTHON lives in a home folder; use Debian's /usr/bin/python3.11" >&2; exit 1 ;;
esac

echo "== environment $PREFIX (from $PYTHON)"
if [ -n "$LINK" ]; then
    [ -d "$LINK" ] || { echo "setup.sh: --link-site-packages $LINK is not a folder" >&2; exit 1; }
    "$PYTHON" -m venv --without-pip "$PREFIX"
    site="$("$PREFIX/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
    echo "import site; site.addsitedir('$LINK')" > "$site/_biaslab_linked_site.pth"
    # the linked environment's Jupyter configuration (server extensions such as nbgrader's)
    src_prefix="$(cd "$LINK/../../.." && pwd)"
    # its console scripts (jupyter, nbgrader, alembic, biaslab, ...) run by this environment's Python
    for script in "$src_prefix"/bin/*; do
        name="$(basename "$script")"
        [ -f "$script" ] && [ ! -e "$PREFIX/bin/$name" ] || continue
        head -n 1 "$script" | grep -q '^#!.*python' || continue
        { echo "#!$PREFIX/bin/python"; tail -n +2 "$script"; } > "$PREFIX/bin/$name"
        chmod 755 "$PREFIX/bin/$name"
    done
    # and its Jupyter data (nbconvert's templates, kernels, lab extensions)
    if [ -d "$src_prefix/share/jupyter" ] && [ ! -e "$PREFIX/share/jupyter" ]; then
        mkdir -p "$PREFIX/share"; ln -s "$src_prefix/share/jupyter" "$PREFIX/share/jupyter"
    fi
    if [ -d "$src_prefix/etc/jupyter" ]; then
        mkdir -p "$PREFIX/etc"; cp -r "$src_prefix/etc/jupyter" "$PREFIX/etc/"
    fi
else
    "$PYTHON" -m venv "$PREFIX"
    "$PREFIX/bin/python" -m pip install --quiet --progress-bar off --upgrade pip
    constraints="$(mktemp)"; trap 'rm -f "$constraints"' EXIT
    cp "$SRC/requirements/constraints.txt" "$constraints"
    if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11, 5))'; then
        { grep -v -i '^soupsieve==' "$SRC/requirements/constraints.txt"; echo "soupsieve==$SOUPSIEVE_OLD_PYTHON"; } > "$constraints"
    fi
    "$PREFIX/bin/python" -m pip install --quiet --progress-bar off -c "$constraints" \
        "$SRC" "jupyterhub==$JUPYTERHUB_VERSION"
fi
if ! "$PREFIX/bin/python" -c "import soupsieve; soupsieve.compile('img:not([alt])')" 2>/dev/null; then
    echo "== soupsieve==$SOUPSIEVE_OLD_PYTHON for $("$PREFIX/bin/python" -V) (the linked one needs Python >= 3.11.5)"
    site="$("$PREFIX/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
    "$PREFIX/bin/python" -m pip install --quiet --progress-bar off --no-deps --target "$site" "soupsieve==$SOUPSIEVE_OLD_PYTHON"
    "$PREFIX/bin/python" -c "import soupsieve; soupsieve.compile('img:not([alt])')"
fi
"$PREFIX/bin/python" -c 'import biaslab, jupyterhub, nbgrader; print("biaslab", biaslab.__version__, "jupyterhub", jupyterhub.__version__)'

echo "== configurable-http-proxy $CHP_VERSION (npm)"
npm install --silent --no-fund --no-audit --prefix "$PREFIX" "configurable-http-proxy@$CHP_VERSION" >/dev/null
"$PREFIX/node_modules/.bin/configurable-http-proxy" --version

echo "== configuration"
install -d -m 755 "$PREFIX/etc/jupyterhub" "$PREFIX/etc/jupyter"
install -m 644 "$HERE/jupyterhub_config.py" "$PREFIX/etc/jupyterhub/jupyterhub_config.py"
install -m 644 "$HERE/nbgrader_config.py" "$PREFIX/etc/jupyter/nbgrader_config.py"
install -d -m 700 "$STATE"
install -d -m 755 "$(dirname "$EXCHANGE")"
install -d -m 1777 "$EXCHANGE"
getent group "$GROUP" >/dev/null || groupadd "$GROUP"
chmod -R a+rX "$PREFIX"

cat <<EOF
== done. Start the hub (as root) with:
   BIASLAB_PREFIX=$PREFIX BIASLAB_HUB_STATE=$STATE BIASLAB_EXCHANGE=$EXCHANGE BIASLAB_CLASS_GROUP=$GROUP \\
   $PREFIX/bin/python -m jupyterhub -f $PREFIX/etc/jupyterhub/jupyterhub_config.py
EOF
