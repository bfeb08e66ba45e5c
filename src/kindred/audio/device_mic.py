"""The live microphone: a sounddevice InputStream at the device's own rate -> 16 kHz chunks.

Pipeline: PortAudio callback (device rate, 1..2 channels, float32) -> queue -> chunks()
downmixes to mono, resamples with one soxr.ResampleStream (streaming: no clicks at block
edges) and emits AudioChunk(int16, 16000 Hz) of CHUNK_MS each. t_s comes from the sample
count, never from the wall clock, except across an outage (below).

Losing the microphone mid-session: the stream finishing on its own (PortAudio's
finished callback), or no audio arriving for `stall_s`, counts as lost. A supervisor thread
then closes the stream, reports status "lost" (once per outage) through `on_status` and
the `status` property, and retries opening every `retry_s` seconds. When a retry succeeds
the status goes back to "listening" and chunks flow again.

Time base across an outage: t_s jumps forward by the wall-clock length of the outage
(measured from the last block of the old stream to the first block of the new one), so
t_s stays "seconds since the microphone opened" and a listening window that was open
when the mic went away still closes on time. The partial chunk pending at the loss is
dropped (it is less than CHUNK_MS). Blocks the consumer was too slow to take (queue full)
are replaced by silence of the same length, so the time base stays exact.

The stream factory is a seam for tests and benchmarks: factory(device, samplerate,
channels, blocksize, callback, finished_callback) -> an object with start() and close().
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Callable, Iterator

import numpy as np
import soxr

from kindred.audio.chunk import CHUNK_MS, RECOGNIZER_RATE_HZ, AudioChunk
from kindred.audio.devices import input_channels, list_devices, find_device, resolve_input, sounddevice
from kindred.errors import DeviceError

log = logging.getLogger("kindred.audio.mic")

StatusCallback = Callable[[str, str], None]
StreamFactory = Callable[..., object]
BLOCK_MS = 50
MAX_QUEUED_S = 10.0


def sounddevice_stream(device: int, samplerate: int, channels: int, blocksize: int,
                       callback, finished_callback):
    """The real stream: a sounddevice.InputStream (float32)."""
    sd = sounddevice()
    return sd.InputStream(device=device, samplerate=samplerate, channels=channels,
                          dtype="float32", blocksize=blocksize, latency="low",
                          callback=callback, finished_callback=finished_callback)


def _open_errors() -> tuple[type[BaseException], ...]:
    try:
        sd = sounddevice()
        return (sd.PortAudioError, OSError, ValueError)
    except DeviceError:
        return (OSError, ValueError)


class DeviceMicrophone:
    """A Microphone on a real (or virtual) input device. See the module docstring."""

    def __init__(self, spec: str | int | None = None, *,
                 device: tuple[int, int] | None = None, channels: int | None = None,
                 stream_factory: StreamFactory | None = None,
                 on_status: StatusCallback | None = None,
                 retry_s: float = 2.0, stall_s: float = 1.5, chunk_ms: int = CHUNK_MS) -> None:
        if device is None:
            device = resolve_input(spec)  # DeviceError "no microphone found; ..." if none
        self.device_index, self.device_rate = int(device[0]), int(device[1])
        if channels is None:
            channels = 1
            if stream_factory is None:
                sd = sounddevice()
                dev = find_device(self.device_index, "input", list_devices(sd))
                channels = input_channels(sd, dev, self.device_rate)
        self.channels = channels
        self._factory = stream_factory or sounddevice_stream
        # who hears about "listening" / "lost" / "closed" (append more: the session does)
        self.status_listeners: list[StatusCallback] = [on_status] if on_status else []
        self.retry_s, self.stall_s = retry_s, stall_s
        self.chunk_samples = RECOGNIZER_RATE_HZ * chunk_ms // 1000
        self.blocksize = max(1, self.device_rate * BLOCK_MS // 1000)
        max_blocks = int(MAX_QUEUED_S * 1000 / BLOCK_MS)
        self._q: queue.Queue = queue.Queue(maxsize=max_blocks)
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._trouble = threading.Event()
        self._stream = None
        self._gen = 0  # which stream a block came from; bumps on every (re)open
        self._dropped = 0  # frames the callback could not queue (consumer too slow)
        self._last_data = 0.0
        self._opened_at = 0.0
        self._supervisor: threading.Thread | None = None
        self.status = "idle"
        self.losses = 0
        self.started_at: float | None = None
        self.first_chunk_at: float | None = None
        self._anchor = (0.0, 0.0)  # (stream time, time.monotonic()) of the latest chunk's end
        self._adc_anchor = (0.0, 0.0)  # (stream time, capture clock time) of the latest block's end

    # --- status -------------------------------------------------------------------------
    def _set_status(self, status: str, detail: str = "") -> None:
        if status == self.status:
            return
        self.status = status
        log.info("microphone %s %s", status, detail)
        for listener in list(self.status_listeners):
            try:
                listener(status, detail)
            except Exception:  # a listener's bug must not kill the audio thread
                log.exception("on_status callback failed")

    # --- stream plumbing (PortAudio thread) ------------------------------------------------
    def _callback_for(self, gen: int):
        def callback(indata, frames, time_info, status) -> None:
            now = time.monotonic()
            self._last_data = now
            adc = now - frames / self.device_rate  # when the block's first frame was captured
            try:
                lag = time_info.currentTime - time_info.inputBufferAdcTime
                if 0.0 <= lag < 1.0:  # some host APIs report 0 for both: keep the estimate
                    adc = now - lag
            except (AttributeError, TypeError):
                pass  # test streams pass no time info
            try:
                self._q.put_nowait((gen, indata.copy(), now, adc))
            except queue.Full:
                with self._lock:
                    self._dropped += frames
        return callback

    def _finished_for(self, gen: int):
        def finished() -> None:
            if gen == self._gen and not self._closed.is_set():
                self._trouble.set()
        return finished

    def _open(self) -> None:
        """Open and start a new stream; raises on failure."""
        gen = self._gen + 1
        stream = self._factory(self.device_index, self.device_rate, self.channels,
                               self.blocksize, self._callback_for(gen), self._finished_for(gen))
        try:
            self._trouble.clear()
            self._gen = gen
            self._opened_at = self._last_data = time.monotonic()
            stream.start()
        except BaseException:
            _close_quietly(stream)
            raise
        self._stream = stream

    def _drop_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            _close_quietly(stream)

    def start(self) -> None:
        """Open the device now (chunks() does this too). DeviceError if it cannot be opened."""
        if self._supervisor is not None:
            return
        self.started_at = time.monotonic()
        try:
            self._open()
        except _open_errors() as exc:
            raise DeviceError(f"cannot open the microphone (device {self.device_index} at "
                              f"{self.device_rate} Hz): {exc}") from None
        self._set_status("listening")
        self._supervisor = threading.Thread(target=self._supervise, name="kindred-mic", daemon=True)
        self._supervisor.start()

    def _supervise(self) -> None:
        while not self._closed.is_set():
            if self._stream is not None:
                self._trouble.wait(0.25)
                if self._closed.is_set():
                    break
                stalled = time.monotonic() - self._last_data > self.stall_s
                if not (self._trouble.is_set() or stalled):
                    continue
                self._drop_stream()
                self.losses += 1
                self._set_status("lost", "the stream stopped" if self._trouble.is_set()
                                 else f"no audio for {self.stall_s:.1f} s")
            if self._closed.wait(self.retry_s):
                break
            try:
                self._open()
            except _open_errors() as exc:
                self._set_status("lost", f"reopening failed: {exc}")
                continue
            self._set_status("listening", "the microphone is back")

    # --- the Microphone protocol ---------------------------------------------------------
    def chunks(self) -> Iterator[AudioChunk]:
        self.start()
        rate, out_rate, n = self.device_rate, RECOGNIZER_RATE_HZ, self.chunk_samples
        resampler = None
        gen = None
        pending = np.zeros(0, dtype=np.float32)
        t_next = 0.0  # stream time of pending[0]
        last_arrival = 0.0
        while not self._closed.is_set():
            try:
                item = self._q.get(timeout=0.1)
            except queue.Empty:
                continue
            if item is None:
                return
            block_gen, block, arrival, adc = item
            block_s = len(block) / rate
            if block_gen != gen:
                if gen is not None:  # a new stream after an outage: jump the time base
                    gap = max(0.0, arrival - block_s - last_arrival)
                    t_next += len(pending) / out_rate + gap
                    pending = pending[:0]
                gen = block_gen
                resampler = soxr.ResampleStream(rate, out_rate, 1, dtype="float32", quality="HQ")
            last_arrival = arrival
            with self._lock:
                dropped, self._dropped = self._dropped, 0
            mono = block.mean(axis=1, dtype=np.float32) if block.ndim == 2 else block.astype(np.float32)
            if dropped:
                mono = np.concatenate([np.zeros(dropped, dtype=np.float32), mono])
            out = resampler.resample_chunk(mono)
            pending = np.concatenate([pending, out]) if len(pending) else out
            self._adc_anchor = (t_next + len(pending) / out_rate, adc + block_s)
            while len(pending) >= n:
                piece, pending = pending[:n], pending[n:]
                samples = np.clip(np.round(piece * 32768.0), -32768, 32767).astype(np.int16)
                if self.first_chunk_at is None:
                    self.first_chunk_at = time.monotonic()
                self._anchor = (t_next + n / out_rate, arrival)
                yield AudioChunk(samples=samples, rate_hz=out_rate, t_s=t_next)
                t_next += n / out_rate
                if self._closed.is_set():
                    return

    def clock_time(self, t_s: float) -> float:
        """The time.monotonic() at which stream time `t_s` was heard (within a block or two;
        the input latency is not subtracted). Lets the live layer line up what the mic heard
        with what the speaker was playing."""
        t_anchor, clock_anchor = self._anchor
        return clock_anchor - (t_anchor - t_s)

    def capture_time(self, t_s: float) -> float:
        """The time.monotonic() at which stream time `t_s` reached the ADC (PortAudio's
        inputBufferAdcTime, when the host API reports it): for lining the microphone up with
        the speaker's reference in the echo canceller, to a few milliseconds."""
        t_anchor, clock_anchor = self._adc_anchor
        return clock_anchor - (t_anchor - t_s)

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        self._trouble.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout=3.0)
        self._drop_stream()
        try:
            self._q.put_nowait(None)
        except queue.Full:
            pass
        self._set_status("closed")

    def __enter__(self) -> "DeviceMicrophone":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _close_quietly(stream) -> None:
    try:
        stream.close()
    except Exception:  # a dead device may fail to close; it is gone either way
        log.debug("closing a stream failed", exc_info=True)
