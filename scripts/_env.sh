# Shared set-up for scripts/demo, scripts/test and scripts/docs: a project-local virtualenv with the
# package installed in editable mode. Sourced, not run, with the extras the caller needs:
#     source scripts/_env.sh ""          # the package alone (scripts/demo)
#     source scripts/_env.sh dev         # tests, docs and every optional part (scripts/test)
# $PAGT_XL_EXTRAS overrides the caller's choice; $PAGT_XL_VENV the venv folder; $PYTHON the Python used.
# Safe to run again: it installs only when the venv is new, pyproject.toml changed, the clone moved, or
# the extras asked for are not installed yet ("dev" covers all of them). scripts/demo.ps1 and
# scripts/test.ps1 (scripts/_env.ps1) do the same on Windows.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${PAGT_XL_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3}"
WANT="${PAGT_XL_EXTRAS-${1-dev}}"
if [ ! -x "$VENV/bin/python" ]; then
    echo "Opretter virtuelt miljø i $VENV ..."
    "$PY" -m venv "$VENV"
fi
# the stamp: line 1 the clone it was installed from, line 2 the extras installed (comma-separated)
STAMP="$VENV/.pagt_xl-installed"
HAVE_ROOT="" HAVE=""
if [ -f "$STAMP" ]; then
    { read -r HAVE_ROOT || true; read -r HAVE || true; } <"$STAMP"
fi
_covered() {  # every extra in $WANT is installed
    case ",$HAVE," in *,dev,*) return 0 ;; esac
    local e
    for e in ${WANT//,/ }; do
        case ",$HAVE," in *",$e,"*) ;; *) return 1 ;; esac
    done
}
if [ ! -f "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ] || [ "$HAVE_ROOT" != "$ROOT" ] || ! _covered; then
    ALL="$(printf '%s\n' ${HAVE//,/ } ${WANT//,/ } | sort -u | paste -sd, -)"
    [ "$HAVE_ROOT" = "$ROOT" ] || ALL="$(printf '%s\n' ${WANT//,/ } | sort -u | paste -sd, -)"
    SPEC="$ROOT"
    [ -n "$ALL" ] && SPEC="$ROOT[$ALL]"
    echo "Installerer pagt_xl${ALL:+ [$ALL]} i $VENV ..."
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    # setuptools 80+ prints an English box on every editable install ("Please be careful with folders
    # in your working directory with the same name as your package"): here that folder is the package
    PYTHONWARNINGS="ignore:Editable installation${PYTHONWARNINGS:+,$PYTHONWARNINGS}" \
        "$VENV/bin/python" -m pip install --quiet -e "$SPEC"
    printf '%s\n%s\n' "$ROOT" "$ALL" >"$STAMP"
fi
export PATH="$VENV/bin:$PATH"
cd "$ROOT"
