"""EXPERIMENTAL, not used by the factory: pocketsphinx behind the energy segmenter.

Same method as sphinx_engine.py, with three changes measured on the corpus dev voices
(docs/speech-in.md, "Experimental energy front end"): segmenter.py instead of the WebRTC
endpointer (segments end in continuous noise), silence/filler models in the grammar
(fsgusefiller) with a 0.3 s pre-roll, language weight 1.0 (the default 6.5 lets silence
swallow a final "next"/"session"), wake threshold -5.5. Dev positives: 185/306 correct
(addressed clean 92/102, 10 dB 35/102) against 133/306 for the default engine; but one
dev near-miss false accept ("a candid conversation helps" -> help) and, on the unlevelled
espeak clips with digital silence in tests/speech_in/test_sphinx_audio.py, a WRONG
command ("seven breaths" -> pray), a missed lone wake word, and final words dropped when
the grammar search ends in a non-final state ("kindred seven"). Not ready to be the
default; kept so the next step (final-state check, levelled input) starts from here.
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
from kindred.speech_in.segmenter import EnergySegmenter, Segment, SegmenterSettings

log = logging.getLogger("kindred.speech_in")

FRAMES_PER_S = 100  # pocketsphinx feature frames


@dataclass(frozen=True)
class Thresholds:
    """Rejection thresholds in log-likelihood units per frame (tuned, see module docstring)."""

    utt_llr: float = -6.0  # acoustic log-likelihood ratio per frame, all decoded words
    word_llr: float = -12.0  # the worst single word
    wake_llr: float = -5.5  # the wake word's own frames: the check that matters (tuned on dev)
    max_extra_s: float = 0.6  # speech allowed outside the decoded words (timing check)
    pad_s: float = 0.0  # kept for callers; the segmenter's pre-roll/hangover pad now
    max_utt_s: float = 5.0  # longer speech is talk, never decoded
    endpoint_window_s: float = 0.2  # (the WebRTC endpointer's window; used by vosk)
    post_pad_s: float = 0.2  # audio after the last speech frame given to the decoder
    join_gap_s: float = 1.0  # "kindred" then a phrase this soon: decoded as one utterance
    urgent_hangover_s: float = 0.12  # set_urgent(True): stop/pause decided sooner


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


class EnergySphinxRecognizer:
    """CommandRecognizer on pocketsphinx; see the module docstring for the method."""

    engine = "pocketsphinx-energy"

    def __init__(self, table: PhraseTable, on_wake: WakeCallback | None = None,
                 thresholds: Thresholds = Thresholds(), keep_scores: bool = False,
                 segmenter: SegmenterSettings = SegmenterSettings()) -> None:
        self.table = table
        self.gate = Gate(table, on_wake=on_wake)
        self.th = thresholds
        self.keep_scores = keep_scores
        self.scores: list[Scored] = []
        # Silence/filler models between and around grammar words (fsgusefiller) and the
        # segmenter's pre-roll: 51 -> 68 of 77 dev clips decoded exactly (docs/speech-in.md).
        self._grammar = _decoder(lm=None, fsgusefiller=True, lw=1.0, beam=1e-80, wbeam=1e-60, pbeam=1e-80)
        missing = [w for w in vocabulary(table) if self._grammar.lookup_word(w) is None]
        if missing:
            raise ModelError("pocketsphinx's dictionary has no pronunciation for: "
                             + ", ".join(missing))
        self._grammar.add_jsgf_string("commands", jsgf_grammar(table))
        self._grammar.activate_search("commands")
        self._seg_settings = segmenter
        self._seg = EnergySegmenter(segmenter)
        self._urgent = False
        self._wake_seg: Segment | None = None  # a segment heard as the wake word alone
        self._audio_t = 0.0  # stream time of the end of the latest chunk
        self._ring = np.zeros(0, dtype=np.int16)  # the last few seconds of audio
        self._ring_t0 = 0.0
        self._ring_max = int((thresholds.max_utt_s + segmenter.preroll_s + 2.0) * RECOGNIZER_RATE_HZ)

    # -- CommandRecognizer -------------------------------------------------------------
    def set_mode(self, mode: str, window_s: float | None = None) -> None:
        """Windows count from the latest audio consumed, not from the last decision."""
        self.gate.set_mode(mode, window_s, now=max(self.gate.now, self._audio_t))

    def set_urgent(self, urgent: bool = True) -> None:
        """Barge-in fast path (the assistant is speaking): a shorter endpoint, and only the
        wake word + stop/pause can become commands, so the assistant's own voice cannot
        trigger anything else."""
        self._urgent = bool(urgent)
        hang = self.th.urgent_hangover_s if self._urgent else self._seg_settings.hangover_s
        self._seg.set_hangover(hang)

    @property
    def urgent(self) -> bool:
        return self._urgent

    def accept(self, chunk: AudioChunk) -> list[Command]:
        if chunk.rate_hz != RECOGNIZER_RATE_HZ:
            raise ValueError(f"recognizer wants {RECOGNIZER_RATE_HZ} Hz chunks, got {chunk.rate_hz}")
        samples = chunk.samples.astype(np.int16, copy=False)
        expected = self._ring_t0 + len(self._ring) / RECOGNIZER_RATE_HZ
        if not len(self._ring) or abs(chunk.t_s - expected) > 1e-3:
            # a new stream (or a gap, or reuse after finish()): restart the clocks here
            self._ring = np.zeros(0, dtype=np.int16)
            self._ring_t0 = chunk.t_s
            if self._seg.in_speech:
                self._seg.flush()
            self._seg.reset_time(chunk.t_s)
        self._ring = np.concatenate([self._ring, samples])
        if len(self._ring) > self._ring_max:
            drop = len(self._ring) - self._ring_max
            self._ring = self._ring[drop:]
            self._ring_t0 += drop / RECOGNIZER_RATE_HZ
        self._audio_t = chunk.end_s
        out: list[Command] = []
        for seg in self._seg.push(samples):
            self._decode(seg, chunk.end_s, out)
        if not out:
            self.gate.now = max(self.gate.now, chunk.end_s)
        return out

    def finish(self) -> list[Command]:
        out: list[Command] = []
        for seg in self._seg.flush():
            self._decode(seg, self._audio_t, out)
        return out

    # -- internals ---------------------------------------------------------------------
    def _decode(self, seg: Segment, t_now: float, out: list[Command]) -> None:
        if seg.end_s - seg.start_s > self.th.max_utt_s:
            self.gate.now = max(self.gate.now, t_now)  # far longer than any command: talk
            return
        scored = None
        wake = self._wake_seg
        self._wake_seg = None
        if wake is not None and seg.start_s - wake.end_s <= self.th.join_gap_s:
            # "kindred, <pause> stop": the segmenter cut at the comma; decode both together
            scored = self._run(wake.start_s, seg.end_s, t_now)
            if scored is not None and not (scored.words.startswith(self.table.wake_word + " ")):
                scored = None
        if scored is None:
            scored = self._run(seg.start_s, seg.end_s, t_now)
        if scored is None:
            return
        if scored.words == self.table.wake_word:
            self._wake_seg = seg
        if self.keep_scores:
            self.scores.append(scored)
        if scored.accepted and (not self._urgent or self._urgent_ok(scored.words)):
            command = self.gate.decide(scored.words, scored.t_start, t_now)
            if command is not None:
                out.append(command)
                return
        self.gate.now = max(self.gate.now, t_now)

    def _run(self, t0: float, t1: float, t_now: float) -> Scored | None:
        audio = self._cut(t0, t1 + self.th.post_pad_s)
        if len(audio) < RECOGNIZER_RATE_HZ // 10:  # < 100 ms (or nothing left in the ring)
            return None
        self._grammar.start_utt()
        self._grammar.process_raw(audio.tobytes(), no_search=False, full_utt=True)
        self._grammar.end_utt()
        return self._score(t0, t_now)

    def _urgent_ok(self, words: str) -> bool:
        parsed = self.table.parse(words)
        return parsed.addressed and (not parsed.phrase or parsed.intent in URGENT_INTENTS)

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
        spoken = [s for s in segs if _is_word(s.word)]
        if not spoken:
            return None
        per_word = [_llr_per_frame(s) for s in spoken]
        word_frames = sum(s.end_frame - s.start_frame + 1 for s in spoken)
        utt_llr = sum(llr * (s.end_frame - s.start_frame + 1)
                      for llr, s in zip(per_word, spoken)) / max(1, word_frames)
        wake_llr = per_word[0] if spoken[0].word == self.table.wake_word else None
        # speech outside the decoded words: filler/noise segments (not silence) in the span
        extra_frames = sum(s.end_frame - s.start_frame + 1 for s in segs
                           if not _is_word(s.word) and s.word not in _SILENCE)
        extra_s = extra_frames / FRAMES_PER_S
        accepted = (utt_llr >= self.th.utt_llr and min(per_word) >= self.th.word_llr
                    and (wake_llr is None or wake_llr >= self.th.wake_llr)
                    and extra_s <= self.th.max_extra_s)
        t0 = t_start + spoken[0].start_frame / FRAMES_PER_S
        return Scored(words=words, t_start=t0, t_end=t_now, utt_llr=utt_llr,
                      word_llr=min(per_word), wake_llr=wake_llr, extra_s=extra_s,
                      accepted=accepted)


URGENT_INTENTS = frozenset({"stop", "pause"})
_SILENCE = frozenset({"<s>", "</s>", "<sil>", "(NULL)"})


def new_endpointer(window_s: float):
    """pocketsphinx's WebRTC-VAD endpointer. Mode 2 (aggressive): the default loose mode
    calls 10 dB white noise speech forever, so no utterance ever ended (measured)."""
    import pocketsphinx

    return pocketsphinx.Endpointer(window=window_s, vad_mode=2, sample_rate=RECOGNIZER_RATE_HZ)


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


