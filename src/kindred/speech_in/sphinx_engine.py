"""The zero-download engine: pocketsphinx 5 with the English model bundled in its wheel.

A grammar decoder forces every sound onto the closest command (speech-in-field-notes.md), so
this engine never trusts it alone. Per utterance:

1. pocketsphinx's own voice-activity endpointer (WebRTC VAD, shipped inside the wheel) cuts
   the stream into utterances; silence never reaches a decoder. Speech longer than
   max_utt_s is talk, not a command, and is dropped undecoded (this also keeps CPU low
   during twenty minutes of conversation).
2. The command grammar (grammar.py) decodes each utterance as a whole when it ends, with
   cepstral mean normalisation over that utterance (live CMN misdecodes the first words
   of a stream; a whole-utterance pass costs a few tens of milliseconds).
3. Rejection by likelihood ratio: pocketsphinx normalises every frame's senone scores to the
   best senone of that frame, so a word's acoustic score per frame is its log-likelihood
   ratio against an unconstrained senone loop -- a free "garbage" model at no extra cost.
   A real command aligns almost as well as anything could; other talk, forced onto a
   command, scores far worse. The whole utterance, its worst word and the wake word are
   checked separately (so "kindness" cannot pass as "kindred"), and the utterance must not
   be much longer than the words decoded (timing check: talk squeezed into silence).
4. The gate (gate.py) applies the wake word and the listening mode.

Thresholds were tuned on data (docs/speech-in.md, "pocketsphinx rejection").
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import numpy as np

from kindred.audio.chunk import RECOGNIZER_RATE_HZ, AudioChunk
from kindred.content.phrases import PhraseTable
from kindred.errors import ModelError
from kindred.intents import Command
from kindred.speech_in.gate import Gate, WakeCallback
from kindred.speech_in.grammar import jsgf_grammar, vocabulary

log = logging.getLogger("kindred.speech_in")

FRAMES_PER_S = 100  # pocketsphinx feature frames


@dataclass(frozen=True)
class Thresholds:
    """Rejection thresholds in log-likelihood units per frame (tuned, see module docstring)."""

    utt_llr: float = -6.0  # acoustic log-likelihood ratio per frame, all decoded words
    word_llr: float = -12.0  # the worst single word
    wake_llr: float = -6.0  # the wake word's own frames: the check that matters (measured)
    max_extra_s: float = 0.6  # speech allowed outside the decoded words (timing check)
    pad_s: float = 0.0  # audio kept around the VAD speech when decoding; 0.2 s measured worse (34 vs 40 of 48)
    max_utt_s: float = 5.0  # longer speech is talk, never decoded
    join_gap_s: float = 1.0  # "kindred" then more speech this soon: decoded as one utterance
    endpoint_window_s: float = 0.2  # trailing non-speech before an utterance ends
    urgent_window_s: float = 0.15  # set_urgent(True): the barge-in fast path's endpoint ...
    urgent_ratio: float = 0.6  # ... deciding on 3 of its 5 frames (0.9 of 3 frames is invalid)


@dataclass
class Scored:
    """One decoded utterance and its evidence (exposed for tuning and tests)."""

    words: str
    t_start: float
    t_end: float
    utt_llr: float
    word_llr: float  # the worst word
    wake_llr: float | None
    extra_s: float
    accepted: bool


def _decoder(**kw):
    import pocketsphinx

    model = pocketsphinx.get_model_path()
    try:
        return pocketsphinx.Decoder(
            hmm=os.path.join(model, "en-us", "en-us"),
            dict=os.path.join(model, "en-us", "cmudict-en-us.dict"),
            samprate=RECOGNIZER_RATE_HZ, dither=True, loglevel="FATAL", logfn=os.devnull, **kw)
    except (RuntimeError, ValueError) as exc:
        raise ModelError(f"pocketsphinx could not load its bundled English model ({exc})") from None


class SphinxRecognizer:
    """CommandRecognizer on pocketsphinx; see the module docstring for the method."""

    engine = "pocketsphinx"

    def __init__(self, table: PhraseTable, on_wake: WakeCallback | None = None,
                 thresholds: Thresholds = Thresholds(), keep_scores: bool = False) -> None:
        import pocketsphinx

        self.table = table
        self.gate = Gate(table, on_wake=on_wake)
        self.th = thresholds
        self.keep_scores = keep_scores
        self.scores: list[Scored] = []
        # No filler words between grammar words and wider beams: measured 37 -> 46 of 60
        # clean espeak-ng commands decoded exactly (docs/speech-in.md).
        self._grammar = _decoder(lm=None, fsgusefiller=False, beam=1e-80, wbeam=1e-60, pbeam=1e-80)
        missing = [w for w in vocabulary(table) if self._grammar.lookup_word(w) is None]
        if missing:
            raise ModelError("pocketsphinx's dictionary has no pronunciation for: "
                             + ", ".join(missing))
        self._grammar.add_jsgf_string("commands", jsgf_grammar(table))
        self._grammar.activate_search("commands")
        self._urgent = False
        self._wake_span: tuple[float, float] | None = None  # an utterance heard as "kindred"
        self._ep = new_endpointer(thresholds.endpoint_window_s)
        self._ep_t0 = 0.0  # stream time at which the current endpointer started (its clock is 0)
        self._audio_t = 0.0  # stream time of the end of the latest chunk
        self._frame_n = self._ep.frame_bytes // 2
        self._buf = np.zeros(0, dtype=np.int16)
        self._t_buf = 0.0  # stream time of _buf[0]
        self._in_utt = False
        self._utt_start = 0.0
        self._ring = np.zeros(0, dtype=np.int16)  # the last few seconds of audio
        self._ring_t0 = 0.0
        self._ring_max = int((thresholds.max_utt_s + 2 * thresholds.pad_s + 1.0) * RECOGNIZER_RATE_HZ)

    # -- CommandRecognizer -------------------------------------------------------------
    def set_mode(self, mode: str, window_s: float | None = None) -> None:
        """Windows count from the latest audio consumed, not from the last decision."""
        self.gate.set_mode(mode, window_s, now=max(self.gate.now, self._audio_t))

    def set_urgent(self, urgent: bool = True) -> None:
        """Barge-in fast path, for while the assistant speaks: a shorter endpoint
        (urgent_window_s), and only the wake word and addressed stop/pause can become
        commands, so the assistant's own voice cannot trigger anything else."""
        urgent = bool(urgent)
        if urgent != self._urgent and not self._in_utt:
            self._restart_endpointer(self._t_buf, urgent)
        self._urgent = urgent

    @property
    def urgent(self) -> bool:
        return self._urgent

    def _restart_endpointer(self, t: float, urgent: bool) -> None:
        if urgent:
            self._ep = new_endpointer(self.th.urgent_window_s, self.th.urgent_ratio)
        else:
            self._ep = new_endpointer(self.th.endpoint_window_s)
        self._ep_t0 = t

    def accept(self, chunk: AudioChunk) -> list[Command]:
        if chunk.rate_hz != RECOGNIZER_RATE_HZ:
            raise ValueError(f"recognizer wants {RECOGNIZER_RATE_HZ} Hz chunks, got {chunk.rate_hz}")
        expected = self._ring_t0 + len(self._ring) / RECOGNIZER_RATE_HZ
        if not len(self._ring) or abs(chunk.t_s - expected) > 1e-3:
            # a new stream, a gap, or reuse after finish(): restart every clock here
            # (the endpointer counts from 0, the ring buffer in stream time)
            self._ring = np.zeros(0, dtype=np.int16)
            self._ring_t0 = chunk.t_s
            self._buf = np.zeros(0, dtype=np.int16)
            self._t_buf = chunk.t_s
            self._in_utt = False
            self._restart_endpointer(chunk.t_s, self._urgent)
        self._audio_t = chunk.end_s
        self._ring = np.concatenate([self._ring, chunk.samples.astype(np.int16, copy=False)])
        if len(self._ring) > self._ring_max:
            drop = len(self._ring) - self._ring_max
            self._ring = self._ring[drop:]
            self._ring_t0 += drop / RECOGNIZER_RATE_HZ
        self._buf = np.concatenate([self._buf, chunk.samples.astype(np.int16, copy=False)])
        out: list[Command] = []
        while len(self._buf) >= self._frame_n:
            frame, self._buf = self._buf[: self._frame_n], self._buf[self._frame_n:]
            self._t_buf += self._frame_n / RECOGNIZER_RATE_HZ
            self._step(self._ep.process(frame.tobytes()), chunk.end_s, out)
        if not out:
            self.gate.now = max(self.gate.now, chunk.end_s)
        return out

    def finish(self) -> list[Command]:
        out: list[Command] = []
        t = self._t_buf + len(self._buf) / RECOGNIZER_RATE_HZ
        frame = self._buf if len(self._buf) else np.zeros(self._frame_n, dtype=np.int16)
        tail = self._ep.end_stream(frame.tobytes())
        self._buf = np.zeros(0, dtype=np.int16)
        if self._in_utt:
            if tail:
                self._feed(tail)
            self._end_utt(t, out)
        self._ring = np.zeros(0, dtype=np.int16)  # the next accept() starts a new stream
        self._restart_endpointer(t, self._urgent)
        return out

    # -- internals ---------------------------------------------------------------------
    def _feed(self, speech: bytes) -> None:
        pass  # the utterance is cut from the ring buffer by time when it ends

    def _step(self, speech: bytes | None, t_now: float, out: list[Command]) -> None:
        if self._ep.in_speech and not self._in_utt:
            self._in_utt = True
            self._utt_start = self._ep_t0 + self._ep.speech_start
        if speech is not None and self._in_utt:
            self._feed(speech)
        if self._in_utt and not self._ep.in_speech:
            self._end_utt(t_now, out)

    def _end_utt(self, t_now: float, out: list[Command]) -> None:
        self._in_utt = False
        end = self._ep_t0 + self._ep.speech_end
        end = end if end > self._utt_start else t_now
        if end - self._utt_start > self.th.max_utt_s:
            self.gate.now = t_now  # far longer than any command: talk, not addressed to us
            return
        scored = self._run(self._utt_start, end, self._utt_start, t_now)
        wake, self._wake_span = self._wake_span, None
        if (wake is not None and self._utt_start - wake[1] <= self.th.join_gap_s
                and (scored is None or not scored.accepted
                     or self.table.parse(scored.words).intent is None)):
            # "kindred, <pause> stop": the endpointer cut at the comma, and the short word
            # alone decoded as nothing useful ("stop" -> "not" on the urgent endpoint).
            # Decode both together; only a "kindred <phrase>" result replaces it.
            joined = self._run(wake[0], end, wake[0], t_now)
            if joined is not None and joined.words.startswith(self.table.wake_word + " "):
                scored = joined
        if scored is None:
            self.gate.now = max(self.gate.now, t_now)
            return
        if scored.words == self.table.wake_word:
            self._wake_span = (self._utt_start, end)
        if self.keep_scores:
            self.scores.append(scored)
        if scored.accepted and (not self._urgent or self._urgent_ok(scored)):
            command = self.gate.decide(scored.words, scored.t_start, t_now)
            if command is not None:
                out.append(command)
        else:
            self.gate.now = t_now

    def _run(self, t0: float, t1: float, t_start: float, t_now: float) -> Scored | None:
        audio = self._cut(t0 - self.th.pad_s, t1 + self.th.pad_s)
        if len(audio) < RECOGNIZER_RATE_HZ // 20:  # < 50 ms, or nothing left in the ring
            return None
        self._grammar.start_utt()
        self._grammar.process_raw(audio.tobytes(), no_search=False, full_utt=True)
        self._grammar.end_utt()
        return self._score(t_start, t_now)

    def _urgent_ok(self, scored: Scored) -> bool:
        """While the assistant speaks: the wake word, or stop/pause addressed to us (in one
        breath, or right after the wake word was heard alone)."""
        parsed = self.table.parse(scored.words)
        if parsed.addressed and not parsed.phrase:
            return True
        return parsed.intent in URGENT_INTENTS and (parsed.addressed
                                                    or self.gate.wake_open(scored.t_start))

    def _cut(self, t0: float, t1: float) -> np.ndarray:
        lo = max(0, int(round((t0 - self._ring_t0) * RECOGNIZER_RATE_HZ)))
        hi = max(lo, int(round((t1 - self._ring_t0) * RECOGNIZER_RATE_HZ)))
        return self._ring[lo:hi]

    def _score(self, t_start: float, t_now: float) -> Scored | None:
        hyp = self._grammar.hyp()
        if hyp is None or not hyp.hypstr:
            return None
        words = " ".join(hyp.hypstr.split())
        segs = list(self._grammar.seg())
        n_frames = max(1, self._grammar.n_frames())
        spoken = [s for s in segs if _is_word(s.word)]
        if not spoken:
            return None
        per_word = [_llr_per_frame(s) for s in spoken]
        word_frames = sum(s.end_frame - s.start_frame + 1 for s in spoken)
        utt_llr = sum(llr * (s.end_frame - s.start_frame + 1)
                      for llr, s in zip(per_word, spoken)) / max(1, word_frames)
        wake_llr = per_word[0] if spoken[0].word == self.table.wake_word else None
        extra_s = max(0, n_frames - word_frames) / FRAMES_PER_S
        accepted = (utt_llr >= self.th.utt_llr and min(per_word) >= self.th.word_llr
                    and (wake_llr is None or wake_llr >= self.th.wake_llr)
                    and extra_s <= self.th.max_extra_s)
        return Scored(words=words, t_start=t_start, t_end=t_now, utt_llr=utt_llr,
                      word_llr=min(per_word), wake_llr=wake_llr, extra_s=extra_s,
                      accepted=accepted)


URGENT_INTENTS = frozenset({"stop", "pause"})


def new_endpointer(window_s: float, ratio: float = 0.9):
    """pocketsphinx's WebRTC-VAD endpointer. Mode 2 (aggressive): the default loose mode
    calls 10 dB white noise speech forever, so no utterance ever ended (measured)."""
    import pocketsphinx

    return pocketsphinx.Endpointer(window=window_s, ratio=ratio, vad_mode=2,
                                   sample_rate=RECOGNIZER_RATE_HZ)


def _is_word(word: str) -> bool:
    return not (word.startswith("<") or word.startswith("[") or word.startswith("+")
                or word == "(NULL)")


def _llr_per_frame(seg) -> float:
    """A word's acoustic score per frame, natural log.

    pocketsphinx normalises senone scores to the best senone of each frame, so this is the
    log-likelihood ratio of the word against an unconstrained senone loop (0 = as good as
    anything could be). The Python binding hands the score over exponentiated; a word so bad
    that it underflows counts as -inf.
    """
    frames = seg.end_frame - seg.start_frame + 1
    if seg.ascore <= 0.0:
        return float("-inf")
    return float(np.log(seg.ascore)) / max(1, frames)


