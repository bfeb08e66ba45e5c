"""Keep alsa-lib's own diagnostics off the user's terminal.

alsa-lib prints lines such as "ALSA lib pcm.c:8570:(snd_pcm_recover) underrun occurred"
straight to stderr from C, past Python's logging. A voice session should not scroll noise at
a couple, so Kindred installs a handler that drops them (counting them instead), unless
--debug asked to see everything. Harmless where libasound is absent (macOS, Windows).
"""

from __future__ import annotations

import ctypes
import ctypes.util

# void handler(const char *file, int line, const char *function, int err, const char *fmt, ...)
_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                            ctypes.c_int, ctypes.c_char_p)

dropped = 0
_installed = None  # keeps the C callback alive for the life of the process


def _drop(file, line, function, err, fmt) -> None:  # noqa: ARG001 - C signature
    global dropped
    dropped += 1


def silence() -> bool:
    """Install the quiet handler once; True when alsa-lib is present and it is installed."""
    global _installed
    if _installed is not None:
        return True
    name = ctypes.util.find_library("asound")
    if not name:
        return False
    try:
        lib = ctypes.CDLL(name)
        handler = _HANDLER(_drop)
        lib.snd_lib_error_set_handler(handler)
    except (OSError, AttributeError):
        return False
    _installed = handler
    return True
