#!/usr/bin/env bash
# Usage: install-and-bench.sh [BENCH_ARGS...]
# The project's main command (README "Quick start"): builds the abi3 wheel from this
# checkout, installs it with its `bench` extra (pinned by requirements/bench.txt) into a
# fresh venv at $COPIUM_BENCH_VENV (default .venv-bench) and runs
# `python -m copium bench BENCH_ARGS...` there. The venv stays, so afterwards
# `.venv-bench/bin/python` has copium ready to import.
# COPIUM_VARIANT=fast-paths benchmarks the non-limited build for the default
# interpreter instead of the shipped abi3 wheel.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

variant="${COPIUM_VARIANT:-abi3}"
venv="${COPIUM_BENCH_VENV:-$REPO_ROOT/.venv-bench}"
python="$(default_python)"

wheel="$(bash "$SCRIPTS_DIR/build-wheel.sh" "$variant" "$python")"
log "installing $(basename "$wheel") into $venv"
# The pins first (they include pyperf for tools/run_benchmark.py), then the wheel with
# its `bench` extra (progress bar, --chart): the extra must be satisfied by exactly those
# pins, so the index is off and a requirement outside bench.txt fails here.
vpy="$(fresh_venv "$venv" "$python" "$REQUIREMENTS_DIR/bench.txt")"
"$vpy" -m pip install --quiet --no-index -c "$REQUIREMENTS_DIR/bench.txt" "${wheel}[bench]"
"$vpy" -m pip check >&2

# From outside the repository, so the source copium/ cannot shadow the installed one.
cd "${TMPDIR:-/tmp}"
log "python -m copium bench $*"
exec "$vpy" -m copium bench "$@"
