"""The vosk engine: grammar-restricted Kaldi decoding with "[unk]" for everything else.

The grammar (grammar.py, from the PhraseTable) lists every utterance plus "[unk]", so talk
that is not a command decodes as [unk] instead of being forced onto a phrase. vosk's
maintainer warns it is "not very suitable for phrase verification", so a final result is
also verified here before the gate (gate.py) sees it:

- no [unk] anywhere in it (a command mixed with talk is not a command), and exactly one
  utterance of the grammar (vosk happily chains phrases: "next next stop" is talk);
- every word's confidence (SetWords) at least `min_word_conf`, the wake word at least
  `min_wake_conf`;
- the words were said at a speaking pace, not stretched over a long stretch of audio.

Only final results are acted on (partials change their minds). Finals come when vosk's
endpointer sees trailing silence (model conf: rule2 0.5 s after speech); to cut latency a
voice-activity endpointer (pocketsphinx's WebRTC VAD, already a dependency) ends the
utterance earlier by asking vosk for its final result once `endpoint_window_s` of
non-speech has followed speech.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kindred.audio.chunk import RECOGNIZER_RATE_HZ, AudioChunk
from kindred.content.phrases import PhraseTable
from kindred.errors import ModelError
from kindred.intents import Command
from kindred.speech_in.gate import Gate, WakeCallback
from kindred.speech_in.grammar import utterances, vosk_grammar

log = logging.getLogger("kindred.speech_in")

UNK = "[unk]"
_models: dict[str, object] = {}  # loading a model takes seconds; share it per process


@dataclass(frozen=True)
class VoskThresholds:
    min_word_conf: float = 0.6
    min_wake_conf: float = 0.7
    max_s_per_word: float = 1.2  # slower than this is not one phrase
    endpoint_window_s: float | None = 0.3  # None: wait for vosk's own endpointing


@dataclass
class VoskScored:
    words: str
    t_start: float
    t_end: float
    confs: list[float]
    accepted: bool
    reason: str = ""
    phrase_start: float | None = None  # "kindred <phrase>": where the phrase began
    words_end: float | None = None  # where the last word ended


def load_model(path: Path):
    import vosk

    vosk.SetLogLevel(-2)  # -1 still prints warnings to stderr
    key = str(Path(path).resolve())
    if key not in _models:
        if not (Path(path) / "am").is_dir() and not (Path(path) / "final.mdl").exists():
            raise ModelError(f"{path}: not a vosk model folder (no am/ inside); "
                             "run `kindred model fetch` or fix vosk_model in the config")
        try:
            _models[key] = vosk.Model(str(path))
        except Exception as exc:  # vosk raises a bare Exception on a broken model
            raise ModelError(f"{path}: vosk could not load this model ({exc})") from None
    return _models[key]


class VoskRecognizer:
    """CommandRecognizer on vosk; the model folder and phrase table are injected."""

    engine = "vosk"

    def __init__(self, table: PhraseTable, model_path: Path, on_wake: WakeCallback | None = None,
                 thresholds: VoskThresholds = VoskThresholds(), keep_scores: bool = False) -> None:
        import vosk

        self.table = table
        self.gate = Gate(table, on_wake=on_wake)
        self.th = thresholds
        self.keep_scores = keep_scores
        self.scores: list[VoskScored] = []
        model = load_model(model_path)
        missing = [w for w in _words(table) if model.vosk_model_find_word(w) < 0]
        if missing:
            log.warning("vosk model lacks %d grammar word(s); they will never be heard", len(missing))
        self._rec = vosk.KaldiRecognizer(model, RECOGNIZER_RATE_HZ, vosk_grammar(table))
        self._rec.SetWords(True)
        self._utterances = set(utterances(table))
        self._stream_t0: float | None = None  # stream time when the recognizer (re)started
        self._consumed = 0.0
        self._ep = None
        if thresholds.endpoint_window_s:
            self._ep = _new_endpointer(thresholds.endpoint_window_s)
            self._ep_frame = self._ep.frame_bytes // 2
            self._ep_buf = np.zeros(0, dtype=np.int16)
        self._heard_speech = False

    def set_mode(self, mode: str, window_s: float | None = None) -> None:
        self.gate.set_mode(mode, window_s)

    def accept(self, chunk: AudioChunk) -> list[Command]:
        if chunk.rate_hz != RECOGNIZER_RATE_HZ:
            raise ValueError(f"recognizer wants {RECOGNIZER_RATE_HZ} Hz chunks, got {chunk.rate_hz}")
        if self._stream_t0 is None:
            self._stream_t0 = chunk.t_s
        self._consumed = chunk.end_s
        out: list[Command] = []
        samples = chunk.samples.astype(np.int16, copy=False)
        if self._rec.AcceptWaveform(samples.tobytes()):
            self._final(json.loads(self._rec.Result()), out)
        elif self._ep is not None and self._vad_says_ended(samples):
            self._final(json.loads(self._rec.FinalResult()), out)
        return out

    def finish(self) -> list[Command]:
        out: list[Command] = []
        self._final(json.loads(self._rec.FinalResult()), out)
        if self._ep is not None:
            self._ep = _new_endpointer(self.th.endpoint_window_s)
            self._ep_buf = np.zeros(0, dtype=np.int16)
        return out

    def close(self) -> None:
        """Nothing to stop: the model and recognizer are freed with this object."""

    # -- internals ---------------------------------------------------------------------
    def _vad_says_ended(self, samples: np.ndarray) -> bool:
        self._ep_buf = np.concatenate([self._ep_buf, samples])
        ended = False
        while len(self._ep_buf) >= self._ep_frame:
            frame, self._ep_buf = self._ep_buf[: self._ep_frame], self._ep_buf[self._ep_frame:]
            was = self._ep.in_speech
            self._ep.process(frame.tobytes())
            if was and not self._ep.in_speech:
                ended = True
        return ended

    def _final(self, result: dict, out: list[Command]) -> None:
        words = result.get("result") or []
        text = " ".join(result.get("text", "").split())
        t_now = self._consumed
        if not text:
            self.gate.now = t_now
            return
        scored = self._verify(text, words, t_now)
        if self.keep_scores:
            self.scores.append(scored)
        if not scored.accepted:
            self.gate.now = t_now
            return
        command = self.gate.decide(scored.words, scored.t_start, t_now, scored.phrase_start,
                                   scored.words_end)
        if command is not None:
            out.append(command)

    def _verify(self, text: str, words: list[dict], t_now: float) -> VoskScored:
        base = self._stream_t0 or 0.0
        t_start = base + (words[0]["start"] if words else 0.0)
        confs = [float(w.get("conf", 0.0)) for w in words]
        scored = VoskScored(words=text, t_start=t_start, t_end=t_now, confs=confs, accepted=False)
        tokens = text.split()
        wake = self.table.wake_word.split()
        if tokens[:len(wake)] == wake and len(words) > len(wake):
            scored.phrase_start = base + words[len(wake)]["start"]
        if words:
            scored.words_end = base + words[-1]["end"]
        if UNK in tokens or not words:
            scored.reason = "unk"
        elif text not in self._utterances:
            scored.reason = "not one grammar utterance"  # vosk chains phrases; talk does that
        elif min(confs) < self.th.min_word_conf:
            scored.reason = "low word confidence"
        elif tokens[0] == self.table.wake_word.split()[0] and confs[0] < self.th.min_wake_conf:
            scored.reason = "low wake-word confidence"
        elif (words[-1]["end"] - words[0]["start"]) > self.th.max_s_per_word * len(words):
            scored.reason = "too slow for one phrase"
        else:
            scored.accepted = True
        return scored


def _words(table: PhraseTable) -> set[str]:
    words = set(table.wake_word.split())
    for phrase in table.phrases:
        words.update(phrase.split())
    return words


def _new_endpointer(window_s: float):
    """pocketsphinx's WebRTC-VAD endpointer (shipped in its wheel). Mode 2 (aggressive): the
    default loose mode calls 10 dB white noise speech forever (measured)."""
    import pocketsphinx

    return pocketsphinx.Endpointer(window=window_s, ratio=0.9, vad_mode=2,
                                   sample_rate=RECOGNIZER_RATE_HZ)
