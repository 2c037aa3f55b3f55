# Shared set-up for scripts/demo and scripts/test: a project-local virtualenv
# with the package installed in editable mode. Sourced, not run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${PAGT_XL_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
    echo "Opretter virtuelt miljø i $VENV ..."
    "$PY" -m venv "$VENV"
fi
STAMP="$VENV/.pagt_xl-installed"
if [ ! -f "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ]; then
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e "$ROOT[${PAGT_XL_EXTRAS:-dev}]"
    touch "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
cd "$ROOT"
