"""The render worker: a child process that owns the pyttsx3 engine.

Run as `python -m kindred.speech_out.render_worker`. pyttsx3 is kept out of the main process
because on Linux (2.99) it prints to stdout, `save_to_file` changes the behaviour of later
calls on the same engine, `runAndWait` can return early or hang, and a native crash would
take the session down with it. Here a hang or crash only costs this process; the parent
(render.py) kills it after a timeout and starts a fresh one.

Protocol (binary-safe, one request at a time):
  parent -> worker, stdin:  one JSON object per line
      {"op": "voices"}
      {"op": "render", "text": str, "voice": str | null, "rate_wpm": int}
  worker -> worker's ORIGINAL stdout: one JSON header line, then `nbytes` raw bytes
      {"ok": true, "voices": [...], "default": id}        (op voices)
      {"ok": true, "rate_hz": int, "nbytes": int}           (op render; int16 mono PCM)
      {"ok": false, "error": "one line"}
File descriptor 1 is pointed at the null device before pyttsx3 is imported, so nothing the
engine or espeak prints can reach the protocol channel or the user's terminal.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

FINISH_WAIT_S = 30.0  # the parent's timeout is the real limit; this only ends the poll loop


def _claim_stdout():
    """Keep the real stdout for the protocol; send every other write to fd 1 to /dev/null."""
    proto = os.fdopen(os.dup(1), "wb", buffering=0)
    null_fd = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null_fd, 1)
    os.close(null_fd)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    return proto


def _send(proto, header: dict, payload: bytes = b"") -> None:
    proto.write(json.dumps(header).encode("utf-8") + b"\n")
    if payload:
        proto.write(payload)


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").lstrip("\x05")  # espeak prefixes a priority byte
    return str(value)


class _Engine:
    """pyttsx3, used so its quirks cannot bite: a FRESH engine for every render, and every
    property (voice, rate, volume 1.0) set explicitly before it. On 2.99 a reused engine
    keeps the first render's rate; a fresh one renders every rate exactly (tested)."""

    def __init__(self) -> None:
        given = os.environ.get("KINDRED_RENDER_TMP")  # made by the parent, which removes it
        self.tmp = Path(given) if given else Path(tempfile.mkdtemp(prefix="kindred-render-"))  # 0700
        engine = self._new()
        self.default_voice = _text(engine.getProperty("voice") or "")
        self._voices = self._list(engine)
        self.voice_ids = {v["id"] for v in self._voices}
        self._drop(engine)

    @staticmethod
    def _new():
        import pyttsx3

        return pyttsx3.init()

    @staticmethod
    def _drop(engine) -> None:
        import gc

        try:
            engine.stop()
        except Exception:  # noqa: BLE001 - nothing is playing; some drivers still complain
            pass
        del engine
        gc.collect()  # pyttsx3.init() hands out a live engine again while one is referenced

    @staticmethod
    def _list(engine) -> list[dict]:
        out = []
        for v in engine.getProperty("voices") or []:
            langs = [_text(lang) for lang in (getattr(v, "languages", None) or [])]
            out.append({"id": _text(v.id), "name": _text(v.name or v.id), "languages": langs,
                        "gender": _text(getattr(v, "gender", "") or "")})
        return out

    def voices(self) -> list[dict]:
        return self._voices

    def render(self, text: str, voice: str | None, rate_wpm: int) -> tuple[int, bytes]:
        import numpy as np
        import soundfile as sf

        voice = voice or self.default_voice
        if self.voice_ids and voice not in self.voice_ids:
            raise ValueError(f"unknown voice {voice!r}")  # espeak would silently use another
        finished = []
        eng = self._new()
        path = self.tmp / f"r{os.getpid()}-{time.monotonic_ns()}.wav"
        try:
            eng.connect("finished-utterance", lambda name, completed: finished.append(completed))
            eng.setProperty("voice", voice)
            eng.setProperty("rate", int(rate_wpm))
            eng.setProperty("volume", 1.0)  # the player applies the user's volume
            eng.save_to_file(text, str(path))
            eng.runAndWait()
            deadline = time.monotonic() + FINISH_WAIT_S
            while not finished and time.monotonic() < deadline:
                time.sleep(0.002)  # 2.99 may return before the utterance is done
            data, rate = sf.read(str(path), dtype="int16", always_2d=True)
        finally:
            path.unlink(missing_ok=True)  # rendered speech never stays on disk here
            self._drop(eng)
        mono = data.mean(axis=1).astype(np.int16) if data.shape[1] > 1 else data[:, 0]
        return int(rate), np.ascontiguousarray(mono).tobytes()

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def serve(stdin=None) -> int:
    proto = _claim_stdout()
    stdin = stdin or sys.stdin
    engine: _Engine | None = None
    try:
        for line in stdin:
            if not line.strip():
                continue
            try:
                req = json.loads(line)
                if engine is None:
                    engine = _Engine()
                if req.get("op") == "voices":
                    _send(proto, {"ok": True, "voices": engine.voices(), "default": engine.default_voice})
                elif req.get("op") == "render":
                    rate, pcm = engine.render(str(req["text"]), req.get("voice"), int(req["rate_wpm"]))
                    _send(proto, {"ok": True, "rate_hz": rate, "nbytes": len(pcm)}, pcm)
                else:
                    _send(proto, {"ok": False, "error": f"unknown op {req.get('op')!r}"})
            except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
                msg = f"{type(exc).__name__}: {exc}".replace("\n", " ")
                _send(proto, {"ok": False, "error": msg})
    finally:
        if engine is not None:
            engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(serve())
