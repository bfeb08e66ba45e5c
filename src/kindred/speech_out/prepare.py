"""Render the built-in content ahead of time, so every line starts playing at once.

`library_lines(library, config)` is exactly what the session machine can speak: it is
kindred.session.utterances.utterances() with faith on (so prayers are ready the day faith
is turned on), with the configured wake word put in for `{wake_word}`, time-left and
cadence phrases counted out. `prepare_lines` renders what the cache lacks, on several
worker processes at once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from kindred.speech_out.cache import RenderCache
from kindred.speech_out.render import Renderer


def library_lines(library, config=None) -> list[str]:
    """Every sentence a session can speak with `config` (default: the default config),
    faith on, deduplicated, in a stable order."""
    from kindred.config import Config
    from kindred.session.utterances import utterances

    config = (config or Config()).model_copy(update={"faith": True})
    return utterances(library, config)


def default_jobs() -> int:
    """Renders in parallel: one worker process a core, at most four (espeak is single-threaded)."""
    return max(1, min(4, os.cpu_count() or 1))


def prepare_lines(texts: Iterable[str], voice_id: str, rate_wpm: int, *,
                  cache: RenderCache | None = None, jobs: int | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  worker_cmd: list[str] | None = None) -> tuple[int, int]:
    """Render every text the cache lacks. Returns (rendered, already cached)."""
    cache = cache or RenderCache()
    texts = list(dict.fromkeys(" ".join(t.split()) for t in texts if t.strip()))
    todo = [t for t in texts if not cache.contains(t, voice_id, rate_wpm)]
    skipped = len(texts) - len(todo)
    done = 0
    lock = threading.Lock()
    local = threading.local()
    renderers: list[Renderer] = []
    if progress:
        progress(0, len(todo))

    def work(text: str) -> None:
        nonlocal done
        r = getattr(local, "renderer", None)
        if r is None:
            r = local.renderer = Renderer(worker_cmd)
            with lock:
                renderers.append(r)
        cache.put(r.render(text, voice_id, rate_wpm))
        with lock:
            done += 1
            if progress:
                progress(done, len(todo))

    try:
        pool = ThreadPoolExecutor(max_workers=max(1, min(jobs or default_jobs(), len(todo) or 1)))
        try:
            for future in [pool.submit(work, t) for t in todo]:
                future.result()  # re-raises the first RenderError
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    finally:
        for r in renderers:
            r.close()
    return len(todo), skipped
