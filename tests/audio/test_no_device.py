"""No microphone at all (no sound server, no card): `kindred start` says so in one line.
At a terminal it offers text mode; without one it exits NO_DEVICE. Real subprocesses,
a real pseudo-terminal for the interactive case."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

from kindred.errors import ExitCode


def no_sound_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULSE_")}
    env["PULSE_SERVER"] = "unix:/nonexistent/kindred-no-sound-server"
    return env


def test_without_a_terminal_it_exits_no_device_with_one_line():
    run = subprocess.run([sys.executable, "-m", "kindred", "start"], env=no_sound_env(),
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert run.returncode == int(ExitCode.NO_DEVICE), run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kindred: no microphone found")
    assert "text mode?" not in run.stderr and run.stdout == ""


def talk(answer: str, then: str = "", timeout: float = 30.0) -> tuple[int, str]:
    """Run `kindred start` on a pty; answer the text-mode question, then type `then`."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: kindred on the terminal
        env = no_sound_env()
        os.execve(sys.executable, [sys.executable, "-m", "kindred", "start"], env)
    out, sent, deadline = b"", False, time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            out += data
        if not sent and b"[Y/n]" in out:
            os.write(fd, answer.encode() + b"\n")
            sent = True
            if then:
                time.sleep(0.5)
                os.write(fd, then.encode() + b"\n")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


def test_at_a_terminal_yes_goes_on_in_text_mode():
    code, out = talk("", then="kindred stop")  # Enter = the default, yes
    assert "no microphone found" in out and "Continue in text mode? [Y/n]" in out
    assert "Hello, you two." in out  # `start` waits, idle, in text mode too
    assert "I'm here whenever you want me." in out
    assert code == 0


def test_at_a_terminal_no_exits_no_device():
    code, out = talk("n")
    assert "Continue in text mode? [Y/n]" in out and "Hello, you two." not in out
    assert code == int(ExitCode.NO_DEVICE)
