#!/usr/bin/env bash
# bootstrap.sh [runtime|test] - make this checkout ready: system packages, a virtualenv in
# .venv, and the project installed into it. Safe to run again: it only does what is missing.
#
# System packages are installed with apt-get when running as root and missing; otherwise the
# exact command is printed and the script exits non-zero.
set -euo pipefail

PROFILE="${1:-runtime}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${KINDRED_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

say() { echo "bootstrap: $*" >&2; }

# espeak-ng: the voice; libportaudio2: sounddevice's audio I/O.
RUNTIME_PKGS=(espeak-ng libportaudio2 libspeexdsp1)  # libspeexdsp1: echo cancellation (live/echo_cancel.py)
# The test suite also runs real audio streams through a private PulseAudio server
# (scripts/virtual-audio.sh); the no-network proofs watch processes with strace and run them
# in a namespace without network (util-linux's unshare, iproute2); sox joins test recordings;
# flite: the speech-in corpus's second TTS family (scripts/speech_corpus.py).
TEST_PKGS=(pulseaudio pulseaudio-utils libasound2-plugins alsa-utils iproute2 util-linux strace sox flite)

pkgs=("${RUNTIME_PKGS[@]}")
[ "$PROFILE" = "test" ] && pkgs+=("${TEST_PKGS[@]}")
# A fresh Debian/Ubuntu has no python3, or one without ensurepip (split into python3-venv),
# so `python3 -m venv` below would fail: ask for them while .venv has yet to be made.
if [ ! -x "$VENV/bin/python" ] && ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    pkgs+=(python3 python3-venv)
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for p in "${pkgs[@]}"; do
        status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
        [ "$status" = "install ok installed" ] || missing+=("$p")
    done
else
    command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
fi

if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        say "installing system packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    else
        say "missing system packages: ${missing[*]}"
        echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
        exit 1
    fi
fi

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || { say "Python 3.11 or newer is needed (found $("$PYTHON" --version 2>&1))"; exit 1; }
    say "creating virtualenv $VENV"
    "$PYTHON" -m venv "$VENV"
fi

# Reinstall only when the project's dependency list changed (or the profile grew).
extra=""
[ "$PROFILE" = "test" ] && extra="[test]"
stamp="$VENV/.kindred-$PROFILE-$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
if [ ! -e "$stamp" ]; then
    say "installing kindred$extra into $VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >&2
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$ROOT$extra" >&2
    touch "$stamp"
fi
