"""Render the built-in content ahead of time, so every line starts playing at once.

`library_lines(library)` lists every sentence Kindred itself may speak verbatim: questions
and follow-ups, prayers (title and text), exercise cues, plan lines and lines.yaml. Lines
with `{placeholders}` are filled in at run time and cannot be prepared. `prepare_lines`
renders what the cache lacks, on several worker processes at once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from kindred.speech_out.cache import RenderCache
from kindred.speech_out.render import Renderer


def _walk(obj, out: list[str]) -> None:
    """Collect every spoken string in a step (say, cues, start/end/halfway, ask, close...)."""
    if isinstance(obj, str):
        out.append(obj)
        return
    data = obj.model_dump() if hasattr(obj, "model_dump") else obj
    if isinstance(data, dict):
        for key, value in data.items():
            if key in {"say", "text", "start", "end", "halfway", "first", "switch", "cue_in",
                       "cue_hold", "cue_out"} and isinstance(value, str):
                out.append(value)
            elif isinstance(value, (dict, list)):
                _walk(value, out)
    elif isinstance(data, list):
        for item in data:
            if not isinstance(item, str):
                _walk(item, out)


def library_lines(library) -> list[str]:
    """Every fixed sentence in the library, deduplicated, in a stable order."""
    from kindred.session.speech_text import number_words

    texts: list[str] = []
    for q in library.questions.values():
        texts += [q.text] + ([q.follow_up] if q.follow_up else [])
    for p in library.prayers.values():
        texts += [p.title, p.text]
    for ex in library.exercises.values():
        texts.append(ex.title)
        for step in ex.steps:
            _walk(step, texts)
            breaths = getattr(step, "breaths", None)
            if breaths is not None and breaths.count_aloud:
                texts += [number_words(i).capitalize() for i in range(1, breaths.count + 1)]
    for plan in library.plans.values():
        for step in plan.steps:
            _walk(step, texts)
    texts += list(library.lines.values())
    seen: dict[str, None] = {}
    for t in texts:
        t = " ".join(str(t).split())
        if t and "{" not in t:
            seen.setdefault(t, None)
    return list(seen)


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
