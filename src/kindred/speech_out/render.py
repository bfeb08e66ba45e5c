"""Text -> audio with pyttsx3, rendered in an isolated worker process.

`Renderer.render(text, voice, rate_wpm)` returns a `Rendering`: mono float32 at
RENDER_RATE_HZ, leading/trailing silence trimmed, full scale (volume is applied at
playback). The pyttsx3 engine lives in a child process (render_worker.py): its stdout is
discarded, a hang is cut by a timeout (the worker is killed and a new one started on the
next call), and a crash becomes a RenderError with the worker's last stderr line.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from kindred.audio.wav import resample, to_mono_float32, trim_silence
from kindred.errors import ModelError

RENDER_RATE_HZ = 22050  # espeak-ng's native rate: no resampling on Linux; others are resampled
WORKER_CMD = [sys.executable, "-m", "kindred.speech_out.render_worker"]
TMP_ENV = "KINDRED_RENDER_TMP"  # the worker's scratch folder, made and removed by the parent
START_TIMEOUT_S = 20.0  # first request: interpreter start + pyttsx3/engine init
BASE_TIMEOUT_S = 10.0
PER_CHAR_TIMEOUT_S = 0.02  # long prayers take longer; espeak needs ~1 ms a character
RECYCLE_AFTER = 500  # renders per worker before a fresh engine is started


class RenderError(ModelError):
    """The text-to-speech engine is missing, crashed or hung."""


@dataclass(frozen=True)
class Voice:
    id: str
    name: str
    languages: tuple[str, ...] = ()
    gender: str = ""


@dataclass(frozen=True)
class Rendering:
    text: str
    voice_id: str
    rate_wpm: int
    samples: np.ndarray = field(repr=False)  # mono float32 at rate_hz
    rate_hz: int = RENDER_RATE_HZ

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate_hz


def normalise(pcm: np.ndarray, rate_hz: int) -> np.ndarray:
    """Engine output -> the fixed format: mono float32 at RENDER_RATE_HZ, silence trimmed."""
    samples = to_mono_float32(pcm)
    samples = resample(samples, rate_hz, RENDER_RATE_HZ)
    return np.ascontiguousarray(trim_silence(samples, RENDER_RATE_HZ), dtype=np.float32)


class _Worker:
    """One worker process and the thread that reads its answers."""

    def __init__(self, cmd: list[str]) -> None:
        # The parent owns the worker's scratch folder (0700), so a worker killed after a hang
        # never leaves a kindred-render-* folder behind: kill() and close() remove it.
        self.tmp = tempfile.mkdtemp(prefix="kindred-render-")
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, bufsize=0,
                                         env={**os.environ, TMP_ENV: self.tmp})
        except OSError as exc:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise RenderError(f"cannot start the speech renderer: {exc}") from None
        self.answers: queue.Queue = queue.Queue()
        self.stderr_tail: deque[str] = deque(maxlen=5)
        self.renders = 0
        self.fresh = True
        threading.Thread(target=self._read, daemon=True, name="kindred-render-read").start()
        self._err_thread = threading.Thread(target=self._drain_stderr, daemon=True,
                                            name="kindred-render-err")
        self._err_thread.start()

    def _read(self) -> None:
        out = self.proc.stdout
        try:
            while True:
                line = out.readline()
                if not line:
                    break
                header = json.loads(line)
                payload = b""
                n = int(header.get("nbytes", 0))
                while len(payload) < n:
                    chunk = out.read(n - len(payload))
                    if not chunk:
                        raise EOFError
                    payload += chunk
                self.answers.put((header, payload))
        except (ValueError, EOFError, OSError):
            pass
        self.answers.put(None)  # the worker is gone

    def _drain_stderr(self) -> None:
        for raw in iter(self.proc.stderr.readline, b""):
            text = raw.decode("utf-8", "replace").strip()
            if text:
                self.stderr_tail.append(text)

    def ask(self, request: dict, timeout_s: float) -> tuple[dict, bytes]:
        try:
            self.proc.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
            self.proc.stdin.flush()
        except OSError:
            pass  # it died; the answer queue says so below
        try:
            answer = self.answers.get(timeout=timeout_s)
        except queue.Empty:
            self.kill()
            raise RenderError(f"the speech renderer did not answer within {timeout_s:.0f} s "
                              "(pyttsx3 hung); it was stopped and will be restarted") from None
        if answer is None:
            code = self.proc.wait()
            shutil.rmtree(self.tmp, ignore_errors=True)
            self._err_thread.join(timeout=2)  # its last words arrive on stderr after stdout's EOF
            detail = f": {self.stderr_tail[-1]}" if self.stderr_tail else ""
            raise RenderError(f"the speech renderer stopped unexpectedly (exit code {code}){detail}")
        self.fresh = False
        return answer

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)


class Renderer:
    """Renders text with pyttsx3 in a worker process. Thread-safe (one render at a time)."""

    def __init__(self, worker_cmd: list[str] | None = None, timeout_s: float | None = None) -> None:
        self._cmd = list(worker_cmd or WORKER_CMD)
        self._timeout_s = timeout_s
        self._worker: _Worker | None = None
        self._lock = threading.Lock()
        self._voices: tuple[list[Voice], str] | None = None

    def _timeout(self, text: str, worker: _Worker) -> float:
        if self._timeout_s is not None:
            return self._timeout_s
        base = START_TIMEOUT_S if worker.fresh else BASE_TIMEOUT_S
        return base + PER_CHAR_TIMEOUT_S * len(text)

    def _ask(self, request: dict) -> tuple[dict, bytes]:
        with self._lock:
            w = self._worker
            if w is None or not w.alive() or w.renders >= RECYCLE_AFTER:
                if w is not None:
                    w.close()
                w = self._worker = _Worker(self._cmd)
            try:
                header, payload = w.ask(request, self._timeout(request.get("text", ""), w))
            except RenderError:
                self._worker = None
                raise
            w.renders += 1
        if not header.get("ok"):
            raise RenderError(f"the speech renderer failed: {header.get('error', 'unknown error')}")
        return header, payload

    def voices(self) -> list[Voice]:
        """Every voice the system's TTS engine offers (cached for this renderer)."""
        return self._voice_info()[0]

    def default_voice_id(self) -> str:
        return self._voice_info()[1]

    def _voice_info(self) -> tuple[list[Voice], str]:
        if self._voices is None:
            header, _ = self._ask({"op": "voices"})
            voices = [Voice(v["id"], v["name"], tuple(v.get("languages") or ()), v.get("gender", ""))
                      for v in header["voices"]]
            self._voices = (voices, header.get("default") or (voices[0].id if voices else ""))
        return self._voices

    def render(self, text: str, voice_id: str | None = None, rate_wpm: int = 160) -> Rendering:
        """Render `text`; `voice_id` must be an id from voices() (None = engine default)."""
        text = " ".join(text.split())
        if not text:
            raise ValueError("nothing to render: the text is empty")
        voice_id = voice_id or self.default_voice_id()
        header, payload = self._ask({"op": "render", "text": text, "voice": voice_id,
                                     "rate_wpm": int(rate_wpm)})
        pcm = np.frombuffer(payload, dtype=np.int16)
        samples = normalise(pcm, int(header["rate_hz"]))
        return Rendering(text=text, voice_id=voice_id, rate_wpm=int(rate_wpm), samples=samples)

    def close(self) -> None:
        with self._lock:
            if self._worker is not None:
                self._worker.close()
                self._worker = None

    def __enter__(self) -> Renderer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
