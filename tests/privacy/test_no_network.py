"""Promise 1: Kindred never opens a network connection.

Each test runs the real `kindred` program (real recognizer, real espeak-ng TTS, real SQLite)
with three witnesses (see runner.py): a Python audit hook that records and refuses every
non-AF_UNIX connect/lookup in every Python process of the run, strace for native code, and
an `unshare -n` variant with no usable network interface at all. A single attempt fails the
test, naming the call.
"""

from __future__ import annotations

import pytest

from privacy.runner import (Sandbox, command_exists, have_netns, have_strace, run_kindred,
                            unexpected_writes)

pytestmark = pytest.mark.slow

WITNESSES = [
    pytest.param("guard", id="audit-hook"),
    pytest.param("strace", id="strace", marks=pytest.mark.skipif(not have_strace(), reason="no strace")),
    pytest.param("netns", id="netns", marks=pytest.mark.skipif(not have_netns(),
                                                               reason="unshare -n not permitted")),
]

EVENING_SCRIPT = "@00:20 kindred help\n@01:00 kindred how much time is left\n@02:00 kindred next\n"

IMPORT_ALL = """
import importlib, pkgutil, kindred
names = [m.name for m in pkgutil.walk_packages(kindred.__path__, 'kindred.')
         if not m.name.endswith('__main__')]
for dep in ('numpy', 'yaml', 'pydantic', 'platformdirs', 'soundfile', 'soxr', 'sounddevice',
            'pyttsx3', 'pocketsphinx', 'vosk', 'sqlite3'):
    importlib.import_module(dep)
failed = []
for name in names:
    try:
        importlib.import_module(name)
    except ImportError as exc:   # a module whose optional native part is missing
        failed.append(f'{name}: {exc}')
print(len(names), 'modules imported')
for f in failed: print('not imported:', f)
"""


def _run(sandbox: Sandbox, witness: str, args: list[str], **kw):
    run = run_kindred(sandbox, args, netns=witness == "netns", trace=witness == "strace", **kw)
    assert run.net_attempts == [], f"network attempts: {run.net_attempts}\n{run.describe()}"
    assert run.native_net == [], "native network calls:\n" + "\n".join(run.native_net)
    if witness == "strace":
        assert unexpected_writes(run, sandbox) == [], "files written outside the sandbox"
    return run


@pytest.mark.parametrize("witness", WITNESSES)
def test_every_module_and_dependency_imports_without_network(sandbox, witness):
    run = _run(sandbox, witness, [], python_args=["-c", IMPORT_ALL])
    assert run.returncode == 0, run.describe()
    assert "modules imported" in run.stdout


@pytest.mark.parametrize("witness", WITNESSES)
def test_check_is_offline(sandbox, witness):
    run = _run(sandbox, witness, ["check"])
    assert run.returncode == 0, run.describe()


@pytest.mark.parametrize("witness", WITNESSES)
def test_say_renders_real_speech_offline(sandbox, witness):
    out = sandbox.dir("cwd") / "hello.wav"
    run = _run(sandbox, witness, ["say", "--out", str(out), "Welcome to your evening together."])
    assert run.returncode == 0, run.describe()
    assert out.stat().st_size > 10_000


@pytest.mark.parametrize("witness", WITNESSES)
def test_simulated_evening_session_is_offline(sandbox, witness):
    run = _run(sandbox, witness, ["evening", "--simulate"], stdin=EVENING_SCRIPT)
    assert run.returncode == 0, run.describe()
    assert "Thank you" in run.stdout


@pytest.mark.skipif(not command_exists("listen"), reason="`kindred listen` has not landed yet")
@pytest.mark.parametrize("witness", WITNESSES)
def test_listen_on_real_speech_is_offline(sandbox, witness, spoken):
    run = _run(sandbox, witness, ["listen", "--audio", str(spoken["both"])])
    assert run.returncode == 0, run.describe()


@pytest.mark.skipif(not command_exists("stats"), reason="no stats command")
def test_stats_and_config_are_offline(sandbox):
    for args in (["stats"], ["config", "path"]):
        run = _run(sandbox, "guard", args)
        assert run.returncode == 0, run.describe()


def test_the_guard_itself_catches_a_connection(sandbox):
    """The witness is real: a deliberate connection attempt is recorded and refused."""
    code = ("import socket\n"
            "try:\n    socket.socket().connect(('192.0.2.1', 80))\n"
            "except OSError as e: print('refused', e)\n"
            "try:\n    socket.getaddrinfo('example.com', 443)\n"
            "except OSError as e: print('refused', e)\n")
    run = run_kindred(sandbox, [], python_args=["-c", code])
    events = [a["event"] for a in run.net_attempts]
    assert "socket.connect" in events and "socket.getaddrinfo" in events, run.describe()
    assert run.stdout.count("refused kindred netguard") == 2


@pytest.mark.skipif(not have_strace(), reason="no strace")
def test_strace_witness_sees_native_connections(sandbox):
    """strace sees sockets opened below Python (here: by a child program, curl-free)."""
    code = ("import subprocess\n"
            "subprocess.run(['python3', '-S', '-c', \"import socket;s=socket.socket();"
            "s.settimeout(0.1)\\ntry: s.connect(('192.0.2.1', 9))\\nexcept OSError: pass\"])\n")
    run = run_kindred(sandbox, [], python_args=["-c", code], trace=True,
                      extra_env={"KINDRED_NETGUARD_LOG": ""})
    assert any("AF_INET" in line for line in run.native_net), run.describe()
