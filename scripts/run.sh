#!/usr/bin/env bash
# run.sh [kindred arguments] - set up what is missing, then run Kindred.
# With no arguments it runs `kindred start`: Kindred greets you once and listens on the
# embedded recognizer (pocketsphinx + espeak-ng; nothing is downloaded) until you say
# "kindred, start a session" (or "evening question", "seven breaths", "pray with us").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/bootstrap.sh" runtime
[ "$#" -eq 0 ] && set -- start
exec "${KINDRED_VENV:-$ROOT/.venv}/bin/kindred" "$@"
