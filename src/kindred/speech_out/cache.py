"""The render cache: the assistant's own lines, rendered once, kept as small WAV files.

Only Kindred's own sentences (questions, prayers, cues, lines) ever go in here, never
anything a person said (privacy rule). Files live in paths.render_cache_dir() (0700), each
written atomically as 0600. The key is (text, voice id, rate, format version), hashed, so a
changed voice or rate simply misses and renders again.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from kindred import paths
from kindred.audio.wav import read_wav_bytes, wav_bytes
from kindred.errors import AudioFileError
from kindred.speech_out.render import RENDER_RATE_HZ, Renderer, Rendering

FORMAT_VERSION = 1  # bump when normalise() changes, so old renderings are not reused


def cache_key(text: str, voice_id: str, rate_wpm: int) -> str:
    text = " ".join(text.split())
    blob = json.dumps([FORMAT_VERSION, RENDER_RATE_HZ, voice_id, int(rate_wpm), text])
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:40]


class RenderCache:
    def __init__(self, directory: Path | None = None) -> None:
        self.dir = Path(directory) if directory is not None else paths.render_cache_dir()
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()

    def path_for(self, text: str, voice_id: str, rate_wpm: int) -> Path:
        return self.dir / f"{cache_key(text, voice_id, rate_wpm)}.wav"

    def get(self, text: str, voice_id: str, rate_wpm: int) -> Rendering | None:
        path = self.path_for(text, voice_id, rate_wpm)
        try:
            data = path.read_bytes()
            samples, rate = read_wav_bytes(data)
        except (FileNotFoundError, AudioFileError):
            return None  # missing or damaged: render again (and overwrite)
        if rate != RENDER_RATE_HZ:
            return None
        return Rendering(text=" ".join(text.split()), voice_id=voice_id, rate_wpm=int(rate_wpm),
                         samples=samples, rate_hz=rate)

    def contains(self, text: str, voice_id: str, rate_wpm: int) -> bool:
        return self.path_for(text, voice_id, rate_wpm).is_file()

    def put(self, rendering: Rendering) -> Path:
        path = self.path_for(rendering.text, rendering.voice_id, rendering.rate_wpm)
        paths.ensure_private_dir(self.dir)
        paths.write_private(path, wav_bytes(rendering.samples, rendering.rate_hz))
        return path

    def get_or_render(self, renderer: Renderer, text: str, voice_id: str, rate_wpm: int) -> Rendering:
        cached = self.get(text, voice_id, rate_wpm)
        with self._lock:
            if cached is not None:
                self.hits += 1
            else:
                self.misses += 1
        if cached is not None:
            return cached
        rendering = renderer.render(text, voice_id, rate_wpm)
        self.put(rendering)
        return rendering

    def clear(self) -> int:
        """Delete every cached rendering; return how many files went."""
        n = 0
        if self.dir.is_dir():
            for p in self.dir.glob("*.wav"):
                os.unlink(p)
                n += 1
        return n
