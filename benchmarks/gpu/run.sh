#!/usr/bin/env bash
# The GPU run (issue 19): Keras 3 on JAX and on PyTorch, PyTorch itself and Flax, each on the GPU
# and again with the GPU hidden, with the throughput step and the strict tail audit.
#
#   benchmarks/gpu/run.sh OUT [WHEELS]
#
# OUT     folder for the result: OUT/initcompat-gpu.tar.gz (every file, to unpack into results/)
#         and OUT/initcompat-gpu.log (every progress line). Default: $OUT, else ./gpu-run.
# WHEELS  folder of wheels to install first (pip --no-index --no-deps --target, put on
#         PYTHONPATH): what the machine lacks, e.g. keras and its pure-Python needs. Default:
#         .whl when it exists. Nothing is installed when there are none.
# TARGETS comma-separated targets (default keras-jax,keras-torch,torch,flax; also keras-numpy,
#         jax-stax); PYTHON the interpreter (default python3); INITCOMPAT_GPU_SUITE another
#         suite file (default suites/default.json).
#
# Needs Python >= 3.10 with numpy, pyperf and the frameworks of the targets; a target whose
# framework is missing is skipped with a line saying so. Runs anywhere: without a GPU every pass
# runs on the CPU and its files say "none found". Sized for well under 10 minutes on one GPU.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT_DIR="${1:-${OUT:-$PWD/gpu-run}}"
WHEELS="${2:-$ROOT/.whl}"
PYTHON="${PYTHON:-python3}"
SITE="$(mktemp -d "${TMPDIR:-/tmp}/initcompat-site.XXXXXX")"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/initcompat-gpu.XXXXXX")"
mkdir -p "$OUT_DIR"
LOG="$OUT_DIR/initcompat-gpu.log"
trap 'rm -rf "$SITE" "$WORK"' EXIT

if compgen -G "$WHEELS/*.whl" >/dev/null; then
  "$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target "$SITE" "$WHEELS"/*.whl
  echo "initcompat gpu: installed $(ls "$WHEELS"/*.whl | wc -l) wheels from $WHEELS" | tee "$LOG" >&2
else
  echo "initcompat gpu: no wheels in $WHEELS: using the installed packages" | tee "$LOG" >&2
fi
export PYTHONPATH="$ROOT/src:$SITE${PYTHONPATH:+:$PYTHONPATH}"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version \
  --format=csv,noheader 2>&1 | sed 's/^/initcompat gpu: nvidia-smi: /' | tee -a "$LOG" >&2 || true

status=0
"$PYTHON" "$ROOT/benchmarks/gpu/lent_run.py" --work "$WORK" \
  --targets "${TARGETS:-keras-jax,keras-torch,torch,flax}" \
  --suite "${INITCOMPAT_GPU_SUITE:-$ROOT/suites/default.json}" 2> >(tee -a "$LOG" >&2) || status=$?
tar -czf "$OUT_DIR/initcompat-gpu.tar.gz" -C "$WORK" .
echo "initcompat gpu: wrote $OUT_DIR/initcompat-gpu.tar.gz ($(du -h "$OUT_DIR/initcompat-gpu.tar.gz" | cut -f1)); unpack it into results/ and run nox -s report" | tee -a "$LOG" >&2
exit $status
