"""Logging that respects privacy: intents and states only, never recognized words.

Code logs words only through `log_words`, which is silent unless --debug was given, and
--debug announces itself on stderr so nobody turns it on without knowing.
"""

from __future__ import annotations

import logging
import sys

log = logging.getLogger("kindred")
_debug = False


def setup(debug: bool = False) -> None:
    global _debug
    _debug = debug
    if debug:
        print("kindred: debug is on: recognized words will be logged to stderr", file=sys.stderr)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger("kindred")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    root.propagate = False


def words_allowed() -> bool:
    return _debug


def log_words(message: str, *args: object) -> None:
    """Log something containing recognized words: only with --debug."""
    if _debug:
        log.debug(message, *args)
