"""The pocketsphinx decoder in a worker process, so decoding never holds our GIL.

pocketsphinx's Cython `process_raw` keeps the GIL for the whole decode: a 1 ms ticker
thread saw gaps of up to 147 ms while a command decoded, and the speaker's PortAudio
callback (Python) underflowed 8-17 times in ~86 s whenever a person talked over Kindred
(docs/live-audio.md, round 5). Here the listening thread sends the utterance down a pipe
and blocks in os.read, which releases the GIL, while a child process decodes.

The child is `python -m kindred.speech_in.decoder_process`: it imports pocketsphinx and
this package's small modules only, ignores Ctrl-C (the parent decides when to stop), and
exits when its stdin closes, so it cannot outlive us. Messages are length-prefixed
pickles between two processes of this program (audio goes through the pipe, never to
disk). If the child dies, it is started again once per call and the call retried.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
from pathlib import Path

from kindred.errors import ModelError
from kindred.speech_in.sphinx_searches import Decoded

_HEADER = struct.Struct("<I")
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding kindred/


class DecoderProcess:
    """Searches (sphinx_searches.py) served by a child process."""

    def __init__(self, options: dict) -> None:
        self._options = options
        self._setup: list[tuple] = []  # calls replayed on a restarted child
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        try:
            self._start()
        except _ChildDied as exc:
            self._reap()
            raise ModelError(f"the speech decoder process did not start ({exc})") from None

    # -- Searches ----------------------------------------------------------------------
    def phones(self, words: list[str]) -> dict[str, int]:
        return self._call("phones", list(words))

    def add_grammars(self, grammars: dict[str, str], active: str) -> None:
        self._call("add_grammars", dict(grammars), active)
        self._setup.append(("add_grammars", dict(grammars), active))

    def add_decoys(self, name: str, wake_word: str, exclude: frozenset, count: int,
                   max_cost: float, min_cost: float) -> None:
        """The child chooses them on a thread of its own and answers at once."""
        args = (name, wake_word, frozenset(exclude), count, max_cost, min_cost)
        self._call("add_decoys", *args)
        self._setup.append(("add_decoys", *args))

    def decode(self, search: str, pcm: bytes) -> Decoded | None:
        return self._call("decode", search, bytes(pcm))

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.stdin.close()  # the child's loop ends on EOF
            proc.wait(2.0)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            proc.stdout.close()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    # -- internals ---------------------------------------------------------------------
    def _start(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "kindred.speech_in.decoder_process"], env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True)
        # not waited for here: the model loads in the child while the caller works on
        # (SphinxRecognizer picks its decoys meanwhile); the next call collects the replies
        self._pending = 0
        for message in [("init", self._options), *self._setup]:
            self._send_or_die(message)
            self._pending += 1

    def _call(self, *message):
        with self._lock:
            if self._proc is None:
                raise ModelError("the speech decoder was closed")
            try:
                return self._exchange(message)
            except _ChildDied:
                self._reap()
            try:  # once more with a new child; a second death is an error
                self._start()
                return self._exchange(message)
            except _ChildDied as exc:
                self._reap()
                raise ModelError(f"the speech decoder process stopped twice ({exc})") from None

    def _exchange(self, message: tuple):
        self._send_or_die(message)
        while self._pending:  # replies to the set-up sent by _start, in order
            self._pending -= 1
            self._reply(setup=True)
        return self._reply()

    def _send_or_die(self, message: tuple) -> None:
        try:
            _send(self._proc.stdin, message)
        except OSError as exc:
            raise _ChildDied(str(exc)) from None

    def _reply(self, setup: bool = False):
        try:
            status, value = _receive(self._proc.stdout)
        except (OSError, EOFError, pickle.UnpicklingError, struct.error) as exc:
            raise _ChildDied(str(exc)) from None
        if status == "error":
            if setup:  # no usable decoder: nothing more to ask this child
                self._reap()
            raise ModelError(value)
        return value

    def _reap(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            code = proc.wait()
            if code not in (0, -signal.SIGKILL):
                sys.stderr.write(f"kindred: the speech decoder stopped (exit {code}); restarting it\n")


class _ChildDied(Exception):
    pass


def _send(stream, message) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream):
    header = _read_exactly(stream, _HEADER.size)
    return pickle.loads(_read_exactly(stream, _HEADER.unpack(header)[0]))


def _read_exactly(stream, n: int) -> bytes:
    data = stream.read(n)
    if data is None or len(data) < n:
        raise EOFError("the decoder process closed its pipe")
    return data


def _serve(inp, out) -> None:
    from kindred.speech_in.sphinx_searches import SphinxSearches

    searches = None
    while True:
        try:
            message = _receive(inp)
        except EOFError:
            return
        name, args = message[0], message[1:]
        try:
            if name == "init":
                searches = SphinxSearches(*args)
                reply = ("ok", None)
            else:
                reply = ("ok", getattr(searches, name)(*args))
        except ModelError as exc:
            reply = ("error", str(exc))
        except Exception as exc:  # report, keep serving
            reply = ("error", f"speech decoder: {type(exc).__name__}: {exc}")
        _send(out, reply)


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent decides
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by a library goes to stderr, not into the pipe
    _serve(sys.stdin.buffer, out)


if __name__ == "__main__":
    main()
