"""pocketsphinx's decoder behind a small interface: named grammar searches, one decode call.

SphinxRecognizer (sphinx_engine.py) needs only three things from pocketsphinx: which words
its dictionary lacks, a few JSGF searches, and "decode this utterance with that search,
give me the words with their frames and acoustic scores". Keeping it to that lets the
decoder run either here (`SphinxSearches`) or in a worker process (decoder_process.py),
which matters because pocketsphinx's `process_raw` holds the GIL for the whole decode
(100-300 ms for a command), starving the speaker's audio callback.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Protocol

from kindred.errors import ModelError


@dataclass(frozen=True)
class Word:
    """One segment of the best path: a word, filler or silence, with its frames (10 ms)
    and acoustic score as the binding hands it over (exponentiated)."""

    word: str
    start_frame: int
    end_frame: int
    ascore: float


@dataclass(frozen=True)
class Decoded:
    hypstr: str  # "" when the search ended without words
    words: tuple[Word, ...]


class Searches(Protocol):
    def phones(self, words: list[str]) -> dict[str, int]:
        """How many phones each word's first pronunciation has (0: not in the dictionary)."""

    def add_grammars(self, grammars: dict[str, str], active: str) -> None:
        """JSGF searches by name; `active` is activated first."""

    def add_decoys(self, name: str, wake_word: str, exclude: frozenset, count: int,
                   max_cost: float, min_cost: float) -> None:
        """A search `name` of the wake word's sound-alikes (decoys.cached_decoys). Choosing
        them the first time reads and aligns the whole dictionary (~1 s): that happens on a
        low-priority thread while the caller goes on, and the first decode of `name` waits
        for it. With no sound-alikes, decoding `name` gives None."""

    def decode(self, search: str, pcm: bytes) -> Decoded | None:
        """One whole utterance (16 kHz int16 mono); None when the search found no path
        (or is a decoy search without decoys)."""

    def close(self) -> None: ...


def dict_path() -> str:
    import pocketsphinx

    return os.path.join(pocketsphinx.get_model_path(), "en-us", "cmudict-en-us.dict")


class SphinxSearches:
    """The decoder in this process (tuning scripts, file benchmarks, tests). `options` are
    pocketsphinx's (samprate included); this module imports no numpy, so the worker
    process stays small."""

    def __init__(self, options: dict) -> None:
        import pocketsphinx

        model = pocketsphinx.get_model_path()
        try:
            self._d = pocketsphinx.Decoder(
                hmm=os.path.join(model, "en-us", "en-us"), dict=dict_path(),
                dither=True, loglevel="FATAL", logfn=os.devnull, **options)
        except (RuntimeError, ValueError) as exc:
            raise ModelError(f"pocketsphinx could not load its bundled English model ({exc})") from None
        self._active = ""  # the search pocketsphinx has active now
        self._empty: set[str] = set()  # decoy searches that found no decoys
        self._choosing: dict[str, tuple[threading.Thread, list]] = {}  # decoy searches on the way

    def phones(self, words: list[str]) -> dict[str, int]:
        return {w: len((self._d.lookup_word(w) or "").split()) for w in words}

    def add_grammars(self, grammars: dict[str, str], active: str) -> None:
        for name, jsgf in grammars.items():
            self._d.add_jsgf_string(name, jsgf)
        self._d.activate_search(active)
        self._active = active

    def add_decoys(self, name: str, wake_word: str, exclude: frozenset, count: int,
                   max_cost: float, min_cost: float) -> None:
        """Chosen on a thread at the lowest CPU priority: with an empty cache it takes ~1 s of
        a core just as Kindred starts speaking, and on a 2-core machine it took the opening
        of the first line from the speaker (the e2e tests heard it damaged). The search is
        added when it is first used."""
        from kindred.speech_in.decoys import cached_decoys

        result: list = []

        def choose() -> None:
            try:
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)  # this thread (Linux)
            except (AttributeError, OSError):
                pass
            result.append(cached_decoys(dict_path(), wake_word, exclude, count, max_cost, min_cost))

        thread = threading.Thread(target=choose, name="kindred-decoys", daemon=True)
        thread.start()
        self._choosing[name] = (thread, result)

    def _ready(self, search: str) -> None:
        thread, result = self._choosing.pop(search)
        thread.join()
        if result and result[0]:
            self._d.add_jsgf_string(search, one_of_grammar(search, result[0]))
        else:
            self._empty.add(search)

    def decode(self, search: str, pcm: bytes) -> Decoded | None:
        if search in self._choosing:
            self._ready(search)
        if search in self._empty:
            return None
        if search != self._active:  # switched only when another search is asked for
            self._d.activate_search(search)
            self._active = search
        self._d.start_utt()
        self._d.process_raw(pcm, no_search=False, full_utt=True)
        self._d.end_utt()
        hyp = self._d.hyp()
        if hyp is None:
            return None
        return Decoded(hyp.hypstr or "", tuple(
            Word(s.word, s.start_frame, s.end_frame, s.ascore) for s in self._d.seg()))

    def close(self) -> None:
        self._d = None


def one_of_grammar(name: str, words) -> str:
    """A JSGF grammar of exactly one of `words`."""
    return f"#JSGF V1.0;\ngrammar {name};\npublic <w> = {' | '.join(words)};\n"
