#!/usr/bin/env bash
# test.sh [pytest arguments] - set up what is missing (system packages, .venv, test
# dependencies), then run the whole test suite. The tests start their own private virtual
# sound devices (scripts/virtual-audio.sh); no sound card is needed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/bootstrap.sh" test
cd "$ROOT"
exec "${KINDRED_VENV:-$ROOT/.venv}/bin/python" -m pytest "$@"
