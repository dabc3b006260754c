#!/usr/bin/env bash
# Build the wheel and prove it works as a user gets it: a clean venv, installed from the
# wheel (not editable), run from a folder outside the repo. Called by `make wheel-check`
# (and so by .ci/run). Usage: tools/wheel-check.sh PYTHON [BUILDER]
# PYTHON makes the clean venv; BUILDER (a python with pip, default PYTHON) builds the wheel.
set -euo pipefail
PYTHON=${1:-python3}
BUILDER=${2:-$PYTHON}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"
"$BUILDER" -m pip wheel --quiet --no-deps --wheel-dir "$WORK/dist" . >"$WORK/build.log" 2>&1 \
    || { cat "$WORK/build.log"; exit 1; }
WHEEL=$(ls "$WORK"/dist/triagebench-*.whl)
echo "built $(basename "$WHEEL")"
# what ships: the license, the schemas and the samples; never the sample generator
"$PYTHON" - "$WHEEL" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
def has(suffix): return any(n.endswith(suffix) for n in names)
problems = [f"missing {s}" for s in ("dist-info/licenses/LICENSE",
            "triagebench/services/schemas/triagebench-scan-1.schema.json",
            "triagebench/samples/healthy-rpi0-2w-2.87.16.txt") if not has(s)]
problems += [f"ships {n}" for n in names if n.endswith("generate.py") or "/tests/" in n]
if problems:
    sys.exit("wheel-check: " + "; ".join(problems))
print(f"wheel holds {len(names)} files: license, schemas and samples in, generator out")
PY
"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check "$WHEEL" >"$WORK/install.log" 2>&1 \
    || { cat "$WORK/install.log"; exit 1; }
echo "installed in a clean venv from the wheel"
cd "$WORK"  # not the repo: nothing may come from the source tree
TRIAGE="$WORK/venv/bin/triage"
"$TRIAGE" --version
SAMPLE=$("$WORK/venv/bin/python" -c "from triagebench.cli.open import demo_path; print(demo_path())")
case "$SAMPLE" in "$WORK"/venv/*) ;; *) echo "wheel-check: sample not from the wheel: $SAMPLE"; exit 1;; esac
"$TRIAGE" scan "$SAMPLE" --format json > scan.json
"$WORK/venv/bin/python" -c "import json; d = json.load(open('scan.json')); assert d['schema'] == 'triagebench-scan/1' and d['matches'], d; print('scan:', len(d['matches']), 'finding(s) in', d['file'].rsplit('/', 1)[-1])"
"$TRIAGE" completion bash | grep -q "_ARGCOMPLETE" && echo "completion bash: ok"
echo "wheel-check: ok"
