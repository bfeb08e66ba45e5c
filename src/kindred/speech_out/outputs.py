"""Output backends for the player: a real sounddevice stream, and a recording fake.

`SoundDeviceOutput` opens a mono float32 OutputStream on the configured device (a name, an
index, or None for the system default; resolved by kindred.audio.devices). It opens at the
device's own default rate (soxr in the player resamples our 22050 Hz audio, better than most
device-side resamplers) and falls back to the render rate if that fails. `RecordingOutput` is the honest fake
at the hardware edge: a thread pulls blocks in real time and records every frame with the
clock time it would have been heard.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import numpy as np

from kindred.audio import devices
from kindred.errors import DeviceError

log = logging.getLogger("kindred.speech_out")

# Barge-in stops the sound within what the device already holds: the wait for the next
# callback (< one block) plus the buffer. PortAudio's ALSA host rounds the asked latency up
# to whole blocks, and a block is handed over when it is free, so a block written now is
# heard LATENCY (rounded) .. + one block later: 50 ms asked with 20 ms blocks gave 60 ms
# reported, 61-80 ms measured; 30 ms / 10 ms blocks give 30 ms reported, 37-40 ms measured
# (virtual PulseAudio device, docs/live-audio.md "Round 5"); 20 ms / 10 ms give 20 ms
# reported, 29-30 measured. 20 ms had no underflows in 5 runs of 20 s of speech over a
# decoding listener (round 7); the opening of a line was damaged in the end-to-end tests
# at 20 ms and at 30 ms alike (the decoy pick's CPU at start-up, now at nice 19): kept at
# 30 ms until 20 ms is re-measured.
BLOCK_MS = 10.0  # callback block
LATENCY_S = 0.03  # asked-for device latency


class SoundDeviceOutput:
    def __init__(self, device: str | int | None = None, latency_s: float | None = None,
                 clock: Callable[[], float] = time.monotonic, block_ms: float | None = None) -> None:
        self._spec = device
        self._latency_s = latency_s  # None: LATENCY_S / BLOCK_MS as they are at open()
        self._block_ms = block_ms
        self._clock = clock
        self._stream = None
        self.device: int | None = None
        self.reported_latency_s: float | None = None
        self.callbacks = 0  # blocks pulled so far
        self.underflows = 0  # of them, flagged by PortAudio: the device ran dry before it

    def open(self, rate_hz: int, pull: Callable[[np.ndarray, float], None]) -> int:
        sd = devices.sounddevice()
        self.device, device_rate = devices.resolve_output(self._spec, sd)

        latency_s = LATENCY_S if self._latency_s is None else self._latency_s
        block_ms = BLOCK_MS if self._block_ms is None else self._block_ms

        def callback(outdata, frames, t, status):  # noqa: ARG001 - PortAudio signature
            self.callbacks += 1
            if status.output_underflow:
                self.underflows += 1
            delay = t.outputBufferDacTime - t.currentTime
            if not 0.0 < delay < 1.0:  # some host APIs report 0: fall back to the stream's
                delay = self.reported_latency_s or 0.0
            try:
                pull(outdata[:, 0], self._clock() + delay)
            except Exception:  # noqa: BLE001 - never raise into PortAudio; play silence
                outdata.fill(0)

        last_exc = None
        for rate in dict.fromkeys([int(device_rate), int(rate_hz)]):
            try:
                stream = sd.OutputStream(samplerate=rate, channels=1, dtype="float32",
                                         device=self.device, callback=callback,
                                         blocksize=int(rate * block_ms / 1000),
                                         latency=latency_s)
                stream.start()
            except sd.PortAudioError as exc:
                last_exc = exc
                continue
            self._stream = stream
            self.reported_latency_s = float(stream.latency)
            return rate
        raise DeviceError(f"cannot open the speaker {devices.describe(self.device, sd)}: {last_exc}")

    def close(self) -> None:
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            finally:
                self._stream = None
                log.debug("speaker closed: %d of %d blocks underflowed", self.underflows,
                          self.callbacks)


class RecordingOutput:
    """Fake speaker: pulls `block_ms` blocks in real time and keeps (time, frames) pairs."""

    def __init__(self, block_ms: float = BLOCK_MS, rate_hz: int | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.block_ms = block_ms
        self.force_rate = rate_hz  # simulate a device that only runs at this rate
        self.clock = clock
        self.blocks: list[tuple[float, np.ndarray]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.rate_hz = 0

    def open(self, rate_hz: int, pull: Callable[[np.ndarray, float], None]) -> int:
        self.rate_hz = int(self.force_rate or rate_hz)
        n = max(1, int(self.rate_hz * self.block_ms / 1000))
        period = n / self.rate_hz

        def run() -> None:
            next_t = time.monotonic()
            while not self._stop.is_set():
                buf = np.zeros(n, dtype=np.float32)
                t = self.clock()
                pull(buf, t)
                with self._lock:
                    self.blocks.append((t, buf))
                next_t += period
                time.sleep(max(0.0, next_t - time.monotonic()))

        self._stop.clear()
        self._thread = threading.Thread(target=run, daemon=True, name="kindred-fake-output")
        self._thread.start()
        return self.rate_hz

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    def recorded(self) -> tuple[np.ndarray, np.ndarray]:
        """(per-frame clock times, all frames) of everything pulled so far."""
        with self._lock:
            blocks = list(self.blocks)
        if not blocks:
            return np.zeros(0), np.zeros(0, dtype=np.float32)
        frames = np.concatenate([b for _, b in blocks])
        times = np.concatenate([t + np.arange(len(b)) / self.rate_hz for t, b in blocks])
        return times, frames
