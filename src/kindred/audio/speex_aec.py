"""Acoustic echo cancellation with libspeexdsp (Xiph), through ctypes.

libspeexdsp's MDF echo canceller (speex_echo_*) adapts a multi-delay block frequency-domain
filter from the far-end signal (what Kindred plays) to the echo in the near-end signal (the
microphone) and subtracts it; its preprocessor, attached to the echo state
(SPEEX_PREPROCESS_SET_ECHO_STATE), then suppresses the residual echo the linear filter
leaves. Denoise and AGC stay off: noise is the recognizer front end's business, and AGC
would change what the recognizer's thresholds were tuned on.

Why our own binding: the PyPI candidates are either unmaintained and need swig
(`speexdsp`, 2018), or a proprietary-licensed wrapper without the residual-echo
suppressor (`speexdsp-aec` 0.1.0); the C API has been stable since 2008 and the calls we
need are five. The library is the Debian package libspeexdsp1 (scripts/bootstrap.sh).
Missing library -> `load()` returns None and the caller runs without AEC.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

import numpy as np

log = logging.getLogger("kindred.audio.aec")

# speex_echo.h / speex_preprocess.h
SPEEX_ECHO_SET_SAMPLING_RATE = 24
SPEEX_PREPROCESS_SET_DENOISE = 0
SPEEX_PREPROCESS_SET_AGC = 2
SPEEX_PREPROCESS_SET_VAD = 4
SPEEX_PREPROCESS_SET_DEREVERB = 8
SPEEX_PREPROCESS_SET_NOISE_SUPPRESS = 18
SPEEX_PREPROCESS_SET_ECHO_STATE = 24
SPEEX_PREPROCESS_SET_ECHO_SUPPRESS = 26
SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE = 28

_I16P = ctypes.POINTER(ctypes.c_int16)
_lib: ctypes.CDLL | None = None
_tried = False


def load() -> ctypes.CDLL | None:
    """libspeexdsp, or None (logged once) when it is not installed."""
    global _lib, _tried
    if _tried:
        return _lib
    _tried = True
    names = [ctypes.util.find_library("speexdsp"), "libspeexdsp.so.1", "libspeexdsp.dylib"]
    for name in filter(None, names):
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        if hasattr(lib, "speex_echo_state_init"):
            _declare(lib)
            _lib = lib
            return lib
    log.warning("libspeexdsp not found: no echo cancellation (install libspeexdsp1); "
                "the echo guard still rejects Kindred's own words")
    return None


def _declare(lib: ctypes.CDLL) -> None:
    lib.speex_echo_state_init.restype = ctypes.c_void_p
    lib.speex_echo_state_init.argtypes = [ctypes.c_int, ctypes.c_int]
    lib.speex_echo_state_destroy.argtypes = [ctypes.c_void_p]
    lib.speex_echo_state_reset.argtypes = [ctypes.c_void_p]
    lib.speex_echo_ctl.restype = ctypes.c_int
    lib.speex_echo_ctl.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
    lib.speex_echo_cancellation.argtypes = [ctypes.c_void_p, _I16P, _I16P, _I16P]
    lib.speex_preprocess_state_init.restype = ctypes.c_void_p
    lib.speex_preprocess_state_init.argtypes = [ctypes.c_int, ctypes.c_int]
    lib.speex_preprocess_state_destroy.argtypes = [ctypes.c_void_p]
    lib.speex_preprocess_ctl.restype = ctypes.c_int
    lib.speex_preprocess_ctl.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
    lib.speex_preprocess_run.restype = ctypes.c_int
    lib.speex_preprocess_run.argtypes = [ctypes.c_void_p, _I16P]


class SpeexEchoCanceller:
    """Frame-by-frame AEC at `rate_hz`: `process(near, far)` -> near with the echo of far removed.

    `near` and `far` are int16 arrays of the same length, a multiple of `frame`; `far[i]`
    must be what the speaker played no later than the echo of it reaches `near[i]` (the
    filter covers `tail_ms` of delay plus reverb). `suppress`: run the residual-echo
    suppressor (dB: how far it may push residual echo down; 0 = off).
    """

    def __init__(self, rate_hz: int = 16000, frame: int = 160, tail_ms: int = 250,
                 suppress_db: int = -40, suppress_active_db: int = -15, noise_db: int = -1,
                 lib: ctypes.CDLL | None = None) -> None:
        lib = lib or load()
        if lib is None:
            raise OSError("libspeexdsp is not installed")
        self._lib, self.rate_hz, self.frame = lib, int(rate_hz), int(frame)
        self.tail = max(self.frame, self.rate_hz * tail_ms // 1000)
        self._echo = lib.speex_echo_state_init(self.frame, self.tail)
        if not self._echo:
            raise OSError("speex_echo_state_init failed")
        self._ctl(lib.speex_echo_ctl, self._echo, SPEEX_ECHO_SET_SAMPLING_RATE, self.rate_hz)
        self._pre = None
        if suppress_db:
            self._pre = lib.speex_preprocess_state_init(self.frame, self.rate_hz)
            for req, value in ((SPEEX_PREPROCESS_SET_DENOISE, 1), (SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, noise_db),
                               (SPEEX_PREPROCESS_SET_AGC, 0),
                               (SPEEX_PREPROCESS_SET_DEREVERB, 0),
                               (SPEEX_PREPROCESS_SET_ECHO_SUPPRESS, suppress_db),
                               (SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, suppress_active_db)):
                self._ctl(lib.speex_preprocess_ctl, self._pre, req, value)
            lib.speex_preprocess_ctl(self._pre, SPEEX_PREPROCESS_SET_ECHO_STATE,
                                     ctypes.c_void_p(self._echo))
        self._out = np.zeros(self.frame, dtype=np.int16)

    @staticmethod
    def _ctl(fn, state, request: int, value: int) -> None:
        v = ctypes.c_int32(value)
        fn(state, request, ctypes.byref(v))

    def process(self, near: np.ndarray, far: np.ndarray) -> np.ndarray:
        near = np.ascontiguousarray(near, dtype=np.int16)
        far = np.ascontiguousarray(far, dtype=np.int16)
        if len(near) != len(far) or len(near) % self.frame:
            raise ValueError(f"near/far must be equal multiples of {self.frame} samples")
        out = np.empty_like(near)
        lib, f = self._lib, self.frame
        for i in range(0, len(near), f):
            n, x = near[i:i + f], far[i:i + f]
            o = self._out
            lib.speex_echo_cancellation(self._echo, n.ctypes.data_as(_I16P),
                                        x.ctypes.data_as(_I16P), o.ctypes.data_as(_I16P))
            if self._pre is not None:
                lib.speex_preprocess_run(self._pre, o.ctypes.data_as(_I16P))
            out[i:i + f] = o
        return out

    def reset(self) -> None:
        self._lib.speex_echo_state_reset(self._echo)

    def close(self) -> None:
        if self._pre:
            self._lib.speex_preprocess_state_destroy(self._pre)
            self._pre = None
        if self._echo:
            self._lib.speex_echo_state_destroy(self._echo)
            self._echo = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass
