"""The zero-download engine: pocketsphinx 5 with the English model bundled in its wheel.

A grammar decoder forces every sound onto the closest command (speech-in-field-notes.md), so
this engine never trusts it alone. Per utterance:

1. An energy endpointer (segmenter.py: 200-4000 Hz band energy over an adaptive noise
   floor) cuts the stream into utterances. It ends an utterance when the energy falls back
   to the floor, in continuous noise as in silence (the WebRTC VAD endpointer used before
   never saw the end of speech in 10 dB noise: p95 decision latency 1.3-2 s). Silence
   never reaches a decoder; speech longer than max_utt_s is talk, not a command, and is
   dropped undecoded (this also keeps CPU low during twenty minutes of conversation).
2. The command grammar (grammar.py) decodes each utterance as a whole when it ends (with
   pad_s of audio after it), with cepstral mean normalisation over that utterance,
   silence/filler models allowed between grammar words (fsgusefiller) and language weight
   1.0 (the default 6.5 let silence swallow a final "next"/"session"). Only complete grammar
   sentences count ("kindred seven" is nothing). The hypothesis is the search's own best
   path to the grammar's final state, not the lattice best path (bestpath off): the lattice's
   end node could lie outside the final state, so "kindred next" came out as the unfinished
   "kindred that's", and building the lattice was most of the CPU (RTF 0.15 -> 0.02 in noise).
3. Rejection by likelihood ratio: pocketsphinx normalises every frame's senone scores to the
   best senone of that frame, so a word's acoustic score per frame is its log-likelihood
   ratio against an unconstrained senone loop -- a free "garbage" model at no extra cost.
   A real command aligns almost as well as anything could; other talk, forced onto a
   command, scores far worse. The whole utterance, its worst word and the wake word are
   checked separately (so "kindness" cannot pass as "kindred"), and the utterance may hold
   only so much filler/noise outside the decoded words (timing check). Then the wake word's
   own span is searched twice more, once with the wake word alone and once with its
   sound-alikes from the dictionary (decoys.py: kind, kindle, kendra, candid, ...): when a
   sound-alike fits better by decoy_margin per frame, it was not our name.
4. The gate (gate.py) applies the wake word and the listening mode.

The decoder itself sits behind sphinx_searches.py: in this process (files, tuning), or for
live audio in a worker process (decoder_process.py), because pocketsphinx holds the GIL
while it decodes; the decisions are the same either way (tests/speech_in/test_decoder_process.py).

Thresholds were tuned on the dev voices of the corpus by replaying per-utterance scores
(scripts/tune_sphinx.py; docs/speech-in.md, "pocketsphinx").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kindred.audio.chunk import RECOGNIZER_RATE_HZ, AudioChunk
from kindred.content.phrases import PhraseTable
from kindred.errors import ModelError
from kindred.intents import Command
from kindred.speech_in.decoys import cached_decoys
from kindred.speech_in.gate import Gate, WakeCallback
from kindred.speech_in.grammar import jsgf_grammar, utterances, vocabulary
from kindred.speech_in.segmenter import EnergySegmenter, Segment, SegmenterSettings
from kindred.speech_in.sphinx_searches import (Decoded, Searches, SphinxSearches, dict_path,
                                               one_of_grammar)

log = logging.getLogger("kindred.speech_in")

FRAMES_PER_S = 100  # pocketsphinx feature frames
SENSCR_SHIFT = 10  # pocketsphinx stores senone scores shifted right by this many bits
COMFORT_NOISE = 3.0  # standard deviation in int16 steps (see _comfort_noise)


@dataclass(frozen=True)
class Thresholds:
    """Rejection thresholds in log-likelihood units per frame, and utterance timing."""

    # Fifth pass (docs/speech-in.md): grid-searched on corpus3 dev non-command clips + corpus2
    # dev, fewest false accepts among sets keeping >= 90% of the fourth pass's correct
    # positives: 10 dev false accepts at 335 of 612 correct (fourth pass: 22 at 371).
    utt_llr: float = -5.25  # acoustic log-likelihood ratio per frame, all decoded words: the
    # lever against bare phrases decoded in noise after a lone wake word
    word_llr: float = -10.0  # the worst single word
    wake_llr: float = -5.5  # the wake word's own frames (-5.0: no fewer false accepts, fewer correct)
    max_extra_s: float = 0.6  # filler/noise allowed between the decoded words (0.4-1.0: no change)
    decoy_margin: float = -1.5  # reject when a sound-alike fits the wake word's span better
    # than this (per frame, relative to the wake word; dev: real wake words <= -1.4 clean,
    # <= -0.5 at 10 dB, so some noisy ones are rejected; "kindling, stop" +0.1)
    # Seventh pass (docs/speech-in.md): talk forced onto "kindred <phrase>" spreads the
    # phrase over a long stretch of speech. The phrase (its first word's start to its last
    # word's end) may last at most phrase_base_s + phrase_s_per_phone x its phones; a fixed
    # allowance, because short phrases drawn out at the end of an utterance ("kindred,
    # pause") are long per phone (the sixth pass's per-phone limit lost them). A slow
    # speaker says the wake word slowly too: the allowance grows with the wake word's length
    # beyond phrase_wake_ref_s (the dev voices' median), so "kindred, no" at 90 words a
    # minute still counts (talk forced onto the wake word is short: median 0.42 s)
    phrase_base_s: float = 0.6  # held out (corpus6, seed 31): talk false commands 4 -> 3 in 14 h, accuracy unchanged
    phrase_s_per_phone: float = 0.1
    phrase_wake_ref_s: float = 0.5
    pad_s: float = 0.25  # audio after the segment's last speech frame given to the decoder
    tail_s: float = 0.1  # a phrase starting after (segment end - tail_s) is noise, not speech
    max_utt_s: float = 5.0  # longer speech is talk, never decoded
    join_gap_s: float = 1.0  # "kindred" then more speech this soon: decoded as one utterance
    urgent_hangover_s: float = 0.12  # set_urgent(True): the barge-in fast path's endpoint
    # set_urgent(True): after urgent_early_s without speech the utterance so far is decoded
    # once, not waiting for the endpoint; a command addressed to us there is reported to
    # on_early at once (the live layer cuts Kindred's voice), and the whole utterance is
    # still decoded when it ends (a pause inside "kindred, start ... the session" must not
    # make it "stop"). Only utterances this short so far (commands are; talk over the voice
    # is not decoded for it)
    urgent_early_s: float = 0.06
    urgent_early_max_s: float = 2.5


@dataclass(frozen=True)
class DecoderSettings:
    """pocketsphinx search settings (measured, docs/speech-in.md)."""

    fsgusefiller: bool = True
    lw: float = 1.0
    beam: float = 1e-60  # 1e-80: same accuracy on dev, RTF 0.106 against 0.057 (measured)
    wbeam: float = 1e-48
    pbeam: float = 1e-60
    bestpath: bool = False  # True: the lattice best path, which may end outside the grammar's
    # final state ("kindred next" -> "kindred that's" -> nothing; 10 dB dev misses were mostly this)
    decoys: int = 0  # sound-alikes of the wake word as grammar alternatives (decoys.py):
    # measured on dev, 150 of them stole noisy wake words (10 dB addressed 47% -> 26%)
    decoy_check: int = 150  # the same sound-alikes, scored against the wake word's span
    decoy_cost: float = 2.0  # their phone distance to the wake word, at most
    decoy_min_cost: float = 1.25  # closer words ("kindrick" 0.5) would steal the wake word
    extra: tuple = ()  # more (key, value) decoder options, for tuning


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
    complete: bool = True  # a whole grammar sentence
    joined: bool = False  # decoded together with a wake word heard alone just before
    decoy: bool = False  # started with a sound-alike of the wake word: talk, not for us
    decoy_llr: float | None = None  # best sound-alike minus wake word on the wake span, per frame
    phrase_s: float | None = None  # "kindred <phrase>": how long the phrase lasted
    phrase_phones: int = 0  # and how many phones its words have
    wake_s: float | None = None  # and how long the wake word before it lasted
    phrase_start: float | None = None  # and where the phrase began (audio time)
    words_end: float | None = None  # where the last word ended (audio time)
    early: bool = False  # an early look before its utterance ended (urgent mode, on_early)


def decoder_options(d: DecoderSettings) -> dict:
    """pocketsphinx's options for these settings (what SphinxSearches is built with)."""
    return dict(samprate=RECOGNIZER_RATE_HZ, lm=None, fsgusefiller=d.fsgusefiller, lw=d.lw,
                bestpath=d.bestpath, beam=d.beam, wbeam=d.wbeam, pbeam=d.pbeam, **dict(d.extra))


class SphinxRecognizer:
    """CommandRecognizer on pocketsphinx; see the module docstring for the method."""

    engine = "pocketsphinx"

    def __init__(self, table: PhraseTable, on_wake: WakeCallback | None = None,
                 thresholds: Thresholds = Thresholds(), keep_scores: bool = False,
                 decoder: DecoderSettings = DecoderSettings(),
                 segmenter: SegmenterSettings = SegmenterSettings(),
                 in_process: bool = True) -> None:
        """in_process=False: decode in a worker process (decoder_process.py), for live
        audio, where pocketsphinx holding the GIL would starve the speaker's callback."""
        self.table = table
        self.gate = Gate(table, on_wake=on_wake)
        self.th = thresholds
        self.keep_scores = keep_scores
        self.scores: list[Scored] = []
        d = decoder
        if in_process:
            self._searches: Searches = SphinxSearches(decoder_options(d))
        else:
            from kindred.speech_in.decoder_process import DecoderProcess

            self._searches = DecoderProcess(decoder_options(d))
        try:
            self._setup_searches(table, d)
        except BaseException:
            self._searches.close()
            raise
        self._ascore_scale = 1.0 if d.bestpath else float(1 << SENSCR_SHIFT)
        self._sentences = frozenset(utterances(table))
        self._seg_settings = segmenter
        self._seg = EnergySegmenter(segmenter)
        self._urgent = False
        self._wake_seg: Segment | None = None  # a segment heard as the wake word alone
        self._early_tried: tuple[float, float] | None = None  # (start, speech end) decoded early
        self._early_done: float | None = None  # start of the open segment reported to on_early
        # urgent mode: called with an addressed command found before its utterance ended;
        # accept() still returns the command the whole utterance makes (or none) at its end
        self.on_early: Callable[[Command], None] | None = None
        self._audio_t = 0.0  # stream time of the end of the latest chunk
        self._ring = np.zeros(0, dtype=np.int16)  # the last few seconds of audio
        self._ring_t0 = 0.0
        self._noise = np.zeros(0, dtype=np.float32)
        self._ring_max = int((thresholds.max_utt_s + thresholds.join_gap_s + segmenter.preroll_s
                              + 3.0) * RECOGNIZER_RATE_HZ)

    def _setup_searches(self, table: PhraseTable, d: DecoderSettings) -> None:
        vocab = frozenset(vocabulary(table))
        self._decoys: frozenset[str] = frozenset()
        if d.decoys:
            self._decoys = frozenset(cached_decoys(dict_path(), table.wake_word, vocab, d.decoys,
                                                   d.decoy_cost, d.decoy_min_cost))
        grammars = {"commands": jsgf_grammar(table, decoys=tuple(sorted(self._decoys)))}
        self._decoy_check = bool(d.decoy_check)
        if self._decoy_check:  # two small searches for the wake word's span (_decoy_llr)
            grammars["wake_only"] = one_of_grammar("wake_only", [table.wake_word])
        self._phones = self._searches.phones(sorted(vocab))
        missing = [word for word, n in self._phones.items() if not n]
        if missing:
            raise ModelError("pocketsphinx's dictionary has no pronunciation for: "
                             + ", ".join(missing))
        self._searches.add_grammars(grammars, "commands")
        if self._decoy_check:  # chosen on a low-priority thread while we go on
            self._searches.add_decoys("decoys", table.wake_word, vocab, d.decoy_check,
                                      d.decoy_cost, d.decoy_min_cost)

    def close(self) -> None:
        """Free the decoder (and stop its worker process, if it has one)."""
        self._searches.close()

    # -- CommandRecognizer -------------------------------------------------------------
    def set_mode(self, mode: str, window_s: float | None = None) -> None:
        """Windows count from the latest audio consumed, not from the last decision."""
        self.gate.set_mode(mode, window_s, now=max(self.gate.now, self._audio_t))

    def set_urgent(self, urgent: bool = True) -> None:
        """Barge-in fast path, for while the assistant speaks: a shorter endpoint
        (urgent_hangover_s), an utterance that pauses for urgent_early_s decoded before it
        ends (on_early), and only addressed commands (in one breath, or a phrase in the
        window after a lone wake word) can become commands: a bare phrase over its voice is
        most likely its own words. (The live layer's echo guard then decides: stop/pause
        barge in, other addressed commands interrupt as a pause.)"""
        self._urgent = bool(urgent)
        hang = self.th.urgent_hangover_s if self._urgent else self._seg_settings.hangover_s
        self._seg.set_hangover(hang)

    @property
    def urgent(self) -> bool:
        return self._urgent

    @property
    def utterance_open(self) -> bool:
        """An utterance has begun and not yet ended (its command, if any, is still to come)."""
        return self._seg.in_speech

    @property
    def utterance_start(self) -> float | None:
        """Audio time the open utterance began, or None between utterances."""
        return self._seg.speech_start if self._seg.in_speech else None

    def accept(self, chunk: AudioChunk) -> list[Command]:
        if chunk.rate_hz != RECOGNIZER_RATE_HZ:
            raise ValueError(f"recognizer wants {RECOGNIZER_RATE_HZ} Hz chunks, got {chunk.rate_hz}")
        samples = chunk.samples.astype(np.int16, copy=False)
        expected = self._ring_t0 + len(self._ring) / RECOGNIZER_RATE_HZ
        if not len(self._ring) or abs(chunk.t_s - expected) > 1e-3:
            # a new stream, a gap, or reuse after finish(): restart the clocks here
            self._ring = np.zeros(0, dtype=np.int16)
            self._ring_t0 = chunk.t_s
            self._seg.flush()
            self._seg.reset_time(chunk.t_s)
            self._wake_seg = None
            self._early_tried = self._early_done = None
        self._ring = np.concatenate([self._ring, samples])
        if len(self._ring) > self._ring_max:
            drop = len(self._ring) - self._ring_max
            self._ring = self._ring[drop:]
            self._ring_t0 += drop / RECOGNIZER_RATE_HZ
        self._audio_t = chunk.end_s
        out: list[Command] = []
        for seg in self._seg.push(samples, chunk.echo_ref):
            self._decode(seg, seg.decided_s, out)
        if self._urgent:
            self._look_early()
        if not out:
            self.gate.now = max(self.gate.now, chunk.end_s)
        return out

    def finish(self) -> list[Command]:
        out: list[Command] = []
        for seg in self._seg.flush():
            self._decode(seg, self._audio_t, out)
        self._early_tried = self._early_done = None
        self._ring = np.zeros(0, dtype=np.int16)  # the next accept() starts a new stream
        return out

    # -- internals ---------------------------------------------------------------------
    def _look_early(self) -> None:
        """Urgent mode: the open utterance, paused for urgent_early_s, decoded as it stands;
        a command addressed to us there goes to on_early (once per utterance)."""
        open_seg = self._seg.open_segment()
        if open_seg is None:
            return
        start, end, silent_s = open_seg
        if (silent_s < self.th.urgent_early_s or end - start > self.th.urgent_early_max_s
                or self._early_done == start or self._early_tried == (start, end)):
            return
        self._early_tried = (start, end)
        scored = self._run(start, end, self._audio_t)
        if scored is None or not scored.accepted:
            return
        command = self.gate.peek(scored.words, scored.t_start, self._audio_t)  # addressed only
        if command is not None:
            scored.early = True
            if self.keep_scores:
                self.scores.append(scored)
            self._early_done = start
            if self.on_early is not None:
                self.on_early(command)

    def _decode(self, seg: Segment, t_now: float, out: list[Command]) -> None:
        # decisions are stamped with the audio consumed so far (a chunk boundary)
        t_now = max(t_now, self._audio_t)
        if self._early_done == seg.start_s:
            self._early_done = None
        if seg.end_s - seg.start_s > self.th.max_utt_s:
            self.gate.now = max(self.gate.now, t_now)  # far longer than any command: talk
            self._wake_seg = None
            return
        scored = self._run(seg.start_s, seg.end_s, t_now)
        wake, self._wake_seg = self._wake_seg, None
        if (wake is not None and seg.start_s - wake.end_s <= self.th.join_gap_s
                and (scored is None or not scored.accepted
                     or self.table.parse(scored.words).intent is None)):
            # "kindred, <pause> stop": the endpointer cut at the comma, and the short word
            # alone decoded as nothing useful. Decode both together; only a
            # "kindred <phrase>" result replaces it.
            joined = self._run(wake.start_s, seg.end_s, t_now)
            if joined is not None and joined.words.startswith(self.table.wake_word + " "):
                joined.joined = True
                scored = joined
        if scored is None:
            self.gate.now = max(self.gate.now, t_now)
            return
        if scored.words == self.table.wake_word:
            self._wake_seg = seg
        if self.keep_scores:
            self.scores.append(scored)
        if scored.accepted and (not self._urgent or self._urgent_ok(scored)):
            command = self.gate.decide(scored.words, scored.t_start, t_now, scored.phrase_start,
                                       scored.words_end)
            if command is not None:
                out.append(command)
                return
        self.gate.now = max(self.gate.now, t_now)

    def _run(self, t0: float, t1: float, t_now: float) -> Scored | None:
        audio = self._cut(t0, t1 + self.th.pad_s)
        if len(audio) < RECOGNIZER_RATE_HZ // 10:  # < 100 ms, or nothing left in the ring
            return None
        audio = self._comfort_noise(audio)
        scored = self._score(self._searches.decode("commands", audio.tobytes()),
                             t0, t_now, t1 - t0)
        if scored is not None and scored.wake_llr is not None and self._decoy_check:
            w0, w1 = self._wake_span
            lo = max(0, int((w0 - 0.1) * RECOGNIZER_RATE_HZ))
            span = audio[lo:int((w1 + 0.1) * RECOGNIZER_RATE_HZ)]
            scored.decoy_llr = self._decoy_llr(span)
            if scored.decoy_llr is not None and scored.decoy_llr > self.th.decoy_margin:
                scored.accepted = False
        return scored

    def _decoy_llr(self, span: np.ndarray) -> float | None:
        """How much better the best sound-alike of the wake word (decoys.py) fits the wake
        word's own audio than the wake word does, per frame: both searched alone over the
        same cut, so "kindling" or "kindergarten" heard as "kindred" shows up here."""
        best = {}
        for search in ("wake_only", "decoys"):
            decoded = self._searches.decode(search, span.tobytes())  # None: no path at all
            words = [s for s in decoded.words if _is_word(s.word)] if decoded else []
            best[search] = (max(_llr_per_frame(s, self._ascore_scale) for s in words)
                            if words else None)
        if best["wake_only"] is None or best["decoys"] is None:
            return None
        return best["decoys"] - best["wake_only"]

    def _comfort_noise(self, audio: np.ndarray) -> np.ndarray:
        """A faint fixed noise floor (about -80 dBFS) under the audio decoded. Digital
        silence in the padding (synthetic speech, a muted mic) made the decoder drop a final
        word ("kindred seven breaths" -> "kindred seven"); a real microphone never delivers
        it, and at this level the noise changes nothing else."""
        if len(self._noise) < len(audio):
            rng = np.random.default_rng(7)
            self._noise = (rng.normal(size=len(audio) * 2) * COMFORT_NOISE).astype(np.float32)
        mixed = audio.astype(np.float32) + self._noise[: len(audio)]
        return np.clip(mixed, -32768, 32767).astype(np.int16)

    def _urgent_ok(self, scored: Scored) -> bool:
        """While the assistant speaks: only what is addressed to us, in one breath or right
        after the wake word was heard alone."""
        return self.table.parse(scored.words).addressed or self.gate.wake_open(scored.t_start)

    def _cut(self, t0: float, t1: float) -> np.ndarray:
        lo = max(0, int(round((t0 - self._ring_t0) * RECOGNIZER_RATE_HZ)))
        hi = max(lo, int(round((t1 - self._ring_t0) * RECOGNIZER_RATE_HZ)))
        return self._ring[lo:hi]

    def _score(self, decoded: Decoded | None, t_start: float, t_now: float,
               speech_s: float = 1e9) -> Scored | None:
        """speech_s: where the segment's speech ends in the decoded audio (the padding after
        it is only there to let the search finish)."""
        if decoded is None or not decoded.hypstr:
            return None
        segs = list(decoded.words)
        spoken = [s for s in segs if _is_word(s.word)]
        if not spoken:
            return None
        words = " ".join(_base_word(s.word) for s in spoken)
        decoy = _base_word(spoken[0].word) in self._decoys
        if words not in self._sentences and _base_word(spoken[0].word) == self.table.wake_word:
            # "kindred" then something that is no command ("kindred end" when only the wake
            # word was said, the search stopping inside a phrase): the wake word alone
            spoken = spoken[:1]
            words = self.table.wake_word
        if (len(spoken) > 1 and _base_word(spoken[0].word) == self.table.wake_word
                and spoken[1].start_frame / FRAMES_PER_S >= speech_s - self.th.tail_s):
            # "kindred" and a phrase found in the noise after the speech ended ("kindred,
            # <pause> start the session" in babble came out as "kindred help"): the wake
            # word alone, so the phrase that follows is heard as addressed
            spoken = spoken[:1]
            words = self.table.wake_word
        per_word = [_llr_per_frame(s, self._ascore_scale) for s in spoken]
        word_frames = sum(s.end_frame - s.start_frame + 1 for s in spoken)
        utt_llr = sum(llr * (s.end_frame - s.start_frame + 1)
                      for llr, s in zip(per_word, spoken)) / max(1, word_frames)
        wake_llr = per_word[0] if _base_word(spoken[0].word) == self.table.wake_word else None
        self._wake_span = (spoken[0].start_frame / FRAMES_PER_S,
                           (spoken[0].end_frame + 1) / FRAMES_PER_S)
        # speech outside the decoded words: filler/noise segments (not silence) in between
        extra_frames = sum(s.end_frame - s.start_frame + 1 for s in segs
                           if not _is_word(s.word) and s.word not in _SILENCE)
        extra_s = extra_frames / FRAMES_PER_S
        complete = words in self._sentences and not decoy
        phrase_s, phrase_phones, phrase_ok, wake_s, phrase_start = None, 0, True, None, None
        if wake_llr is not None and len(spoken) > 1:
            phrase_start = t_start + spoken[1].start_frame / FRAMES_PER_S
            phrase_s = (spoken[-1].end_frame + 1 - spoken[1].start_frame) / FRAMES_PER_S
            phrase_phones = sum(self._phones.get(_base_word(s.word), 0) for s in spoken[1:])
            wake_s = self._wake_span[1] - self._wake_span[0]
            phrase_ok = phrase_fits(self.th, phrase_s, phrase_phones, wake_s)
        accepted = (complete and utt_llr >= self.th.utt_llr and min(per_word) >= self.th.word_llr
                    and (wake_llr is None or wake_llr >= self.th.wake_llr)
                    and extra_s <= self.th.max_extra_s and phrase_ok)
        t0 = t_start + spoken[0].start_frame / FRAMES_PER_S
        return Scored(words=words, t_start=t0, t_end=t_now, utt_llr=utt_llr,
                      word_llr=min(per_word), wake_llr=wake_llr, extra_s=extra_s,
                      accepted=accepted, complete=complete, decoy=decoy,
                      phrase_s=phrase_s, phrase_phones=phrase_phones,
                      wake_s=wake_s, phrase_start=phrase_start,
                      words_end=t_start + (spoken[-1].end_frame + 1) / FRAMES_PER_S)


def phrase_fits(th: Thresholds, phrase_s: float, phones: int, wake_s: float) -> bool:
    """The seventh pass's limit on "kindred <phrase>" (Thresholds.phrase_base_s)."""
    tempo = max(1.0, wake_s / th.phrase_wake_ref_s)
    return phrase_s <= tempo * (th.phrase_base_s + th.phrase_s_per_phone * phones)


_SILENCE = frozenset({"<s>", "</s>", "<sil>", "(NULL)"})


def _is_word(word: str) -> bool:
    return not (word.startswith("<") or word.startswith("[") or word.startswith("+")
                or word == "(NULL)")


def _base_word(word: str) -> str:
    """'what(2)' -> 'what' (alternative pronunciations of one word)."""
    return word.split("(", 1)[0]


def _llr_per_frame(seg, scale: float = 1.0) -> float:
    """A word's acoustic score per frame, natural log.

    pocketsphinx normalises senone scores to the best senone of each frame, so this is the
    log-likelihood ratio of the word against an unconstrained senone loop (0 = as good as
    anything could be). The Python binding hands the score over exponentiated; a word so bad
    that it underflows counts as -inf. Without the lattice (bestpath off) the word scores
    come from the search's back-pointer table, still shifted right by SENSCR_SHIFT bits:
    `scale` puts them back on the lattice's scale (checked: within 0.2 per frame).
    """
    frames = seg.end_frame - seg.start_frame + 1
    if seg.ascore <= 0.0:
        return float("-inf")
    return float(np.log(seg.ascore)) * scale / max(1, frames)
