"""The unit of audio that flows from a microphone (real or file-backed) to a recognizer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RECOGNIZER_RATE_HZ = 16000
CHUNK_MS = 100  # small chunks: the file path streams exactly like the live microphone
SESSION_CHUNK_MS = 50  # the voice session's microphone chunk (live/voice.py); `listen --audio`
# and the speech-in benchmark stream files in it too, so a decision waits for the same chunk end


@dataclass(frozen=True)
class AudioChunk:
    """Mono int16 samples at `rate_hz`; `t_s` is the stream time of the first sample.

    Time comes from the audio itself (sample counts), so a WAV replays identically every run.
    """

    samples: np.ndarray  # int16, shape (n,)
    rate_hz: int
    t_s: float
    # After the echo canceller: what the speaker played, paired sample for sample with
    # `samples` (its echo arrives a little later); None when nothing audible was played.
    echo_ref: np.ndarray | None = None

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate_hz

    @property
    def end_s(self) -> float:
        return self.t_s + self.duration_s
