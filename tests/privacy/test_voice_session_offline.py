"""Promise 1, the whole voice path: a real voice session runs with the network refused.

`kindred breathe` runs as its own process in a sealed sandbox (privacy/runner.py) with the
netguard audit hook (every non-AF_UNIX connect/sendto/bind and name lookup is recorded and
refused) on the virtual sound devices of the `virtual_audio` fixture: the real recognizer
listens to the virtual microphone, real espeak-ng speech goes to the virtual speaker. A
person's "kindred, end the session" (espeak-ng en-us+f2, the phrase and voice that
tests/audio/test_e2e_voice.py found the shipped thresholds hear through the virtual mic) is
played into the microphone once Kindred is speaking. The test asserts zero connection attempts.

run_kindred() waits for the program to end, and this test must speak to it while it runs, so
the process is started here with the sandbox's own environment and the same netguard log;
the log is read into a runner.Run exactly as run_kindred() does. PULSE_SERVER is passed in
(Sandbox.env drops PULSE_*); PULSE_COOKIE points inside the sandbox (the virtual server
accepts anonymous clients, so the cookie's content does not matter).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import soundfile as sf

from kindred.config import Config, save_config
from kindred.storage.history import History

from privacy.runner import Run, Sandbox
from tts_wav import espeak_wav

pytestmark = [pytest.mark.audio, pytest.mark.slow]
STOP_PHRASE, STOP_VOICE = "kindred, end the session", "en-us+f2"


def _statuses() -> list[tuple[str, str]]:
    with History() as h:
        return [(r.plan, r.status) for r in h.sessions()]


def _wait_for(pred, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def test_voice_session_runs_with_the_network_refused(virtual_audio, sandbox: Sandbox, tmp_path,
                                                      monkeypatch):
    # The test's own view of Kindred's dirs is the sandbox's (config written, history read).
    for kind in ("config", "data", "cache"):
        monkeypatch.setenv(f"KINDRED_{kind.upper()}_DIR", str(sandbox.dir(kind)))
    save_config(Config(rate_wpm=230))
    said = espeak_wav(tmp_path / "stop.wav", STOP_PHRASE, voice=STOP_VOICE)

    log = sandbox.root / "netguard.jsonl"
    env = sandbox.env(log)
    env.update(PULSE_SERVER=os.environ["PULSE_SERVER"],
               PULSE_COOKIE=str(sandbox.dir("home") / "pulse-cookie"))
    heard_wav = tmp_path / "heard.wav"
    capture = virtual_audio.capture_async(heard_wav, 8.0)
    proc = subprocess.Popen([sys.executable, "-m", "kindred", "breathe"], cwd=sandbox.dir("cwd"),
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    err: list[str] = []
    ready = threading.Event()

    def read_stderr() -> None:
        for line in proc.stderr:
            err.append(line.rstrip())
            if line.startswith("kindred: listening"):
                ready.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        assert _wait_for(lambda: ready.is_set() or proc.poll() is not None, 20.0), err
        assert ready.is_set(), f"never listening: {err}"
        time.sleep(4.0)  # into the exercise: Kindred is speaking (it starts at once)
        for _ in range(3):  # another try (a breath later) if one was not heard
            virtual_audio.feed(said)
            if _wait_for(lambda: proc.poll() is not None, 4.0):
                break
        interrupted = proc.poll() is None
        if interrupted:  # not heard (recognition is issue 5's business): Ctrl-C, as a person would
            proc.send_signal(signal.SIGINT)
        returncode = proc.wait(10)
        stdout = proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        capture.wait(30)
    reader.join(5)
    attempts = [json.loads(line) for line in log.read_text().splitlines() if line.strip()] \
        if log.exists() else []
    run = Run(["breathe"], returncode, stdout, "\n".join(err), attempts)

    assert run.net_attempts == [], f"network attempts: {run.net_attempts}\n{run.describe()}"
    # this test is about the network: a session ended by Ctrl-C (130) ran just the same
    assert run.returncode == (130 if interrupted else 0), run.describe()
    assert any(line.startswith("kindred: listening (") for line in err), run.describe()
    heard, _ = sf.read(heard_wav, dtype="float32")
    assert np.sqrt(np.mean(np.square(heard))) > 0.01, "nothing was played on the speaker"
    rows = _statuses()
    assert [p for p, _ in rows] == ["breathe"], run.describe()
    assert rows[0][1] in ("stopped", "completed"), rows
