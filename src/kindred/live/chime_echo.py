"""Was it only our own chime? A check on the audio behind a command.

A chime has no words, so the echo guard does not raise the bar while one plays (a person
may say "kindred, next" over the talk bell, or answer the wake tone at once). But a bell,
heard alone, can decode as a bare phrase: in prompted mode or inside the wake window the
recognizer turned loud chimes into "say a prayer" or "yes" (tests/audio/test_chime_echo.py).
For "kindred <phrase>" only the phrase's audio is checked (Command.phrase_start): a bell
ringing on after a person's "kindred" decoded as "kindred say a prayer" (tests/audio/
test_tone_echo.py).

We know exactly which chimes played, and a chime is nothing but a few fixed partials
(speech_out/chimes.py). So: take the spectrum of the utterance's audio, remove the bins
around those partials, and see what is left. A bell alone (dry, or in a 0.6 s reverberant
room, with faint noise) leaves at most -27.7 dB of its loudest frame outside its partials (the onset of each
note spreads a little; reverb smears a little). A person speaking over a bell as loud as
their voice leaves -21 dB or more (500 corpus utterances, every chime). The line is drawn
at RESIDUAL_DB, and the residual is the K_FRAMES-th loudest frame's, so one onset click
does not count as a voice.

With the echo canceller, both signals are kept: the microphone's own audio, and what the
canceller left (what the recognizer decoded). A chime is judged on the microphone's audio,
where it is nothing but its partials. The canceller's output of a chime alone is its
residue, 20-30 dB down and spread across the spectrum by the residual-echo suppressor, and
alone it can read as "a voice": the wake tone heard back decoded as "no", "yes" or "we're
done" in the wake window (session 7). But a person well under a loud bell can also leave
the microphone's audio looking like the bell alone, so the canceller's output must agree:
either it is only the chimes too, or it is at least AEC_GONE_DB quieter than the
microphone (the canceller took nearly everything away, so nearly everything was echo).
And when outside the partials the microphone heard nothing louder than the room's usual
noise (ROOM_MARGIN_DB over the quiet frames of the kept seconds), there was nobody: the
soft wake tone is only ~20 dB over a room at -50 dBFS, so relative to itself the room
reads as "a voice", and the canceller's residue of it sat 10-14 dB over the room, neither
test passing (3 of 12 tone echoes were heard as "no" before this rule).

Limits:
- A voice heard 10-15 dB under the bell survives the canceller and is a voice. A voice
  much further under it (a person across the room, the speaker beside the microphone) can
  pass both tests. Their "kindred, next" over the talk bell is then taken as "kindred"
  alone: the wake tone plays and "next" must be said again. That is the price of never
  taking the wake tone's residue for a command, and a false "stop" ends a session.
- In a noisy room the noise is residual too. A bell less than ~25 dB above the room noise
  at the microphone reads as "a voice over the bell", and the command is allowed, as it was
  before this check.

Only the last few seconds of audio are kept, in memory, never written anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from kindred.audio.chunk import AudioChunk
from kindred.speech_out import chimes

FRAME = 1024  # 64 ms at 16 kHz: partials resolved to ~16 Hz
HOP = 320
HALF_WIDTH = 3  # bins either side of a partial that count as the chime (~±47 Hz)
LOW_CUT = 5  # bins below ~80 Hz (hum) are ignored
RESIDUAL_DB = -25.0
K_FRAMES = 4
KEEP_S = 8.0
AEC_GONE_DB = 15.0
ROOM_PERCENTILE = 20.0  # of the kept audio's frames: the room's own noise
ROOM_MARGIN_DB = 6.0  # outside the partials no louder than the room noise + this: nothing
MIN_ROOM_S = 2.0  # kept audio needed to know the room's noise


def partials_hz(names: Iterable[str], rate_hz: int) -> list[float]:
    """Every partial of the named chimes below Nyquist (unknown names: none)."""
    out = []
    for name in names:
        chime = chimes.CHIMES.get(name)
        if chime is None:
            continue
        out += [n.hz * m for n in chime.notes for m, _ in chimes.PARTIALS if n.hz * m < rate_hz / 2.2]
    return out


def frame_powers(samples: np.ndarray, rate_hz: int, freqs: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: the energy outside the partials `freqs`, and the whole energy."""
    x = samples.astype(np.float64)
    if len(x) < FRAME:
        x = np.pad(x, (0, FRAME - len(x)))
    n = 1 + (len(x) - FRAME) // HOP
    idx = np.arange(FRAME)[None, :] + HOP * np.arange(n)[:, None]
    power = np.abs(np.fft.rfft(x[idx] * np.hanning(FRAME), axis=1)) ** 2
    power[:, :LOW_CUT] = 0.0
    chime = np.zeros(power.shape[1], dtype=bool)
    for f in freqs:
        k = int(round(f * FRAME / rate_hz))
        chime[max(0, k - HALF_WIDTH):k + HALF_WIDTH + 1] = True
    return power[:, ~chime].sum(axis=1), power.sum(axis=1)


def _kth_loudest(rest: np.ndarray) -> float:
    return float(np.sort(rest)[-min(K_FRAMES, len(rest))])


def residual_db(samples: np.ndarray, rate_hz: int, freqs: list[float]) -> float:
    """Energy outside the partials `freqs` (K_FRAMES-th loudest frame), in dB relative to the
    loudest frame's whole energy. Very negative: nothing but those partials."""
    return _residual_of(*frame_powers(samples, rate_hz, freqs))


def _residual_of(rest: np.ndarray, whole: np.ndarray) -> float:
    """residual_db from frame_powers' result."""
    total = float(whole.max())
    if total <= 0.0:
        return -200.0
    return float(10.0 * np.log10(_kth_loudest(rest) / total + 1e-20))


def room_floor(room: np.ndarray, rate_hz: int, freqs: list[float]) -> float | None:
    """The room's own noise outside the partials (the ROOM_PERCENTILE of `room`'s frames);
    None before MIN_ROOM_S of audio or in digital silence (unknown)."""
    if len(room) < MIN_ROOM_S * rate_hz:
        return None
    floor = float(np.percentile(frame_powers(room, rate_hz, freqs)[0], ROOM_PERCENTILE))
    return floor if floor > 1e-6 else None


def _over_floor_db(rest: np.ndarray, floor: float) -> float:
    """Energy outside the partials (K_FRAMES-th loudest frame of frame_powers' `rest`) over
    `floor`, in dB."""
    return float(10.0 * np.log10(_kth_loudest(rest) / floor + 1e-20))


def level_db(samples: np.ndarray) -> float:
    """Mean power in dB (full scale int16 = 0 dB)."""
    x = samples.astype(np.float64) / 32768.0
    return float(10.0 * np.log10(np.mean(x * x) + 1e-20)) if len(x) else -200.0


class ChimeEcho:
    """The recent audio the recognizer heard (and the microphone's own, before the echo
    canceller, when there is one), and the question "was it only these chimes?"."""

    def __init__(self, rate_hz: int = 16000, keep_s: float = KEEP_S) -> None:
        self.rate_hz = rate_hz
        self._keep = int(keep_s * rate_hz)
        self._mic = np.zeros(0, dtype=np.int16)
        self._heard = np.zeros(0, dtype=np.int16)  # after the echo canceller
        self._t0 = 0.0  # stream time of the rings' first sample

    def push(self, chunk: AudioChunk, heard: AudioChunk | None = None) -> None:
        """`chunk`: the microphone's audio; `heard`: the same after the echo canceller."""
        expected = self._t0 + len(self._mic) / self.rate_hz
        if not len(self._mic) or abs(chunk.t_s - expected) > 1e-3:  # a new stream
            self._mic, self._heard, self._t0 = (np.zeros(0, dtype=np.int16),) * 2 + (chunk.t_s,)
        mic = chunk.samples.astype(np.int16, copy=False)
        out = mic if heard is None else heard.samples.astype(np.int16, copy=False)
        self._mic = np.concatenate([self._mic, mic])
        self._heard = np.concatenate([self._heard, out])
        if len(self._mic) > self._keep:
            drop = len(self._mic) - self._keep
            self._mic, self._heard = self._mic[drop:], self._heard[drop:]
            self._t0 += drop / self.rate_hz

    def only_chimes(self, t0_s: float, t1_s: float, names: Iterable[str]) -> bool:
        """Is the audio from t0_s to t1_s (stream seconds) nothing but the chimes `names`?"""
        freqs = partials_hz(names, self.rate_hz)
        return bool(freqs) and self._only(t0_s, t1_s, freqs, {})

    def chime_stretch(self, t0_s: float, t1_s: float, names: Iterable[str], width_s: float) -> bool:
        """Is there a stretch of `width_s` between t0_s and t1_s that is nothing but the
        chimes `names`? (Windows of width_s, a quarter of it apart.)"""
        freqs = partials_hz(names, self.rate_hz)
        if not freqs:
            return False
        floors: dict = {}  # the room's noise, measured once for all the windows
        t = t0_s
        while t + width_s <= t1_s + 1e-9:
            if self._only(t, t + width_s, freqs, floors):
                return True
            t += width_s / 4
        return False

    def _only(self, t0_s: float, t1_s: float, freqs: list[float], floors: dict) -> bool:
        """only_chimes over one span; `floors` caches the room's noise per kept signal."""
        lo = max(0, int((t0_s - self._t0) * self.rate_hz))
        hi = max(lo, int((t1_s - self._t0) * self.rate_hz))
        mic, heard = self._mic[lo:hi], self._heard[lo:hi]
        if len(mic) < self.rate_hz // 10:
            return False
        mic_rest, mic_whole = frame_powers(mic, self.rate_hz, freqs)  # once per signal
        if self._room_only(mic_rest, "mic", freqs, floors):
            return True  # outside the partials the microphone heard the room, nothing more
        if _residual_of(mic_rest, mic_whole) >= RESIDUAL_DB:
            return False  # something besides the chimes reached the microphone
        if np.array_equal(mic, heard):
            return True  # no echo canceller (or it let this pass unchanged)
        heard_rest, heard_whole = frame_powers(heard, self.rate_hz, freqs)
        return (_residual_of(heard_rest, heard_whole) < RESIDUAL_DB
                or self._room_only(heard_rest, "heard", freqs, floors)
                or level_db(heard) <= level_db(mic) - AEC_GONE_DB)

    def _room_only(self, rest: np.ndarray, which: str, freqs: list[float], floors: dict) -> bool:
        """Outside the partials (`rest`: frame_powers' energy there), no louder than the
        room's usual noise (the quiet frames of the kept `which` signal): a soft tone in a
        room at -50 dBFS, with nobody speaking.
        Unknown (False) in digital silence or before MIN_ROOM_S of audio."""
        if which not in floors:
            ring = self._mic if which == "mic" else self._heard
            floors[which] = room_floor(ring, self.rate_hz, freqs)
        floor = floors[which]
        return floor is not None and _over_floor_db(rest, floor) < ROOM_MARGIN_DB
