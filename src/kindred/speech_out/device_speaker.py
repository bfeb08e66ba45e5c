"""The real Speaker: render (or fetch from the cache), then queue on the player.

`say()` returns once the audio is queued, with its exact duration; for a cached line that
is a few milliseconds, for a new line one render (tens of ms with espeak-ng). `cancel()` is
the player's urgent stop. Volume is applied at playback, so changing it never re-renders.
`now_playing()` / `timeline()` tell the echo-rejection code what the speaker is saying.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from kindred.audio.far_end import FarEndReference
from kindred.config import Config
from kindred.errors import ConfigError
from kindred.speech_out import chimes
from kindred.speech_out.cache import RenderCache
from kindred.speech_out.player import OutputBackend, Player, Utterance
from kindred.speech_out.render import RENDER_RATE_HZ, Renderer, Rendering, Voice
from kindred.speech_out.speaker import VoiceSettings
from kindred.speech_out.voices import resolve_voice


class _ReferenceTap:
    """An output backend that hands every block written to the device, with its DAC time,
    to the far-end reference (live/echo_cancel.py cancels it from the microphone)."""

    def __init__(self, backend: OutputBackend, reference: FarEndReference) -> None:
        self.backend, self.reference = backend, reference

    def open(self, rate_hz: int, pull: Callable[[np.ndarray, float], None]) -> int:
        rate = [rate_hz]

        def tapped(out: np.ndarray, dac_time_s: float) -> None:
            pull(out, dac_time_s)
            self.reference.write(out, rate[0], dac_time_s)

        rate[0] = int(self.backend.open(rate_hz, tapped))
        return rate[0]

    def close(self) -> None:
        self.backend.close()

    def __getattr__(self, name: str):  # reported_latency_s, recorded(), ... of the real backend
        if name == "backend":
            raise AttributeError(name)
        return getattr(self.backend, name)


class DeviceSpeaker:
    """Implements the Speaker protocol (speaker.py) on a real or fake output backend."""

    def __init__(self, backend: OutputBackend, settings: VoiceSettings | None = None, *,
                 renderer: Renderer | None = None, cache: RenderCache | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.renderer = renderer or Renderer()
        self._own_renderer = renderer is None
        self.cache = cache or RenderCache()
        self.reference = FarEndReference()  # what reached the device, for echo cancellation
        self.player = Player(_ReferenceTap(backend, self.reference), RENDER_RATE_HZ, clock=clock)
        self._chimes: dict[tuple[str, int], np.ndarray] = {}
        self.settings = VoiceSettings()
        self.voice: Voice | None = None
        try:
            self.set_voice(settings or VoiceSettings())
        except BaseException:
            if self._own_renderer:
                self.renderer.close()
            raise

    # ---- the Speaker protocol ------------------------------------------------------
    def set_voice(self, settings: VoiceSettings) -> None:
        """Use these settings from the next utterance on; ConfigError if the voice is unknown."""
        voice = resolve_voice(self.renderer.voices(), settings.voice, self.renderer.default_voice_id())
        self.voice, self.settings = voice, settings

    def render(self, text: str) -> Rendering:
        """The rendering `say(text)` would play (from the cache when possible)."""
        return self.cache.get_or_render(self.renderer, text, self.voice.id, self.settings.rate_wpm)

    def say(self, text: str) -> float:
        return self.play_rendering(self.render(text))

    def play_rendering(self, rendering: Rendering) -> float:
        """Queue an already rendered line (e.g. text typed by a person, kept out of the cache)."""
        self.player.play(rendering.samples, rendering.rate_hz, gain=self.settings.volume,
                         kind="speech", text=rendering.text)
        return rendering.duration_s

    def chime(self, name: str) -> float:
        rate = self.player.start()
        key = (name, rate)
        if key not in self._chimes:
            self._chimes[key] = chimes.synth(name, rate)
        samples = self._chimes[key]
        self.player.play(samples, rate, gain=self.settings.volume, kind="chime", text=name)
        return len(samples) / rate

    def cancel(self) -> None:
        self.player.cancel()

    # ---- extras for the session driver and echo rejection -------------------------------
    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until everything queued has been heard (for the CLI; the engine uses durations)."""
        return self.player.wait(timeout_s)

    def busy(self) -> bool:
        return self.player.busy()

    def now_playing(self) -> Utterance | None:
        return self.player.now_playing()

    def timeline(self, since_s: float | None = None) -> list[Utterance]:
        return self.player.timeline(since_s)

    def close(self) -> None:
        self.player.close()
        if self._own_renderer:
            self.renderer.close()

    def __enter__(self) -> DeviceSpeaker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def settings_from_config(config: Config) -> VoiceSettings:
    return VoiceSettings(voice=config.voice, rate_wpm=config.rate_wpm, volume=config.volume)


def open_speaker(config: Config, backend: OutputBackend | None = None,
                 renderer: Renderer | None = None) -> DeviceSpeaker:
    """The speaker the session uses: config voice/rate/volume, config.output_device."""
    from kindred import paths
    from kindred.speech_out.outputs import SoundDeviceOutput

    backend = backend or SoundDeviceOutput(config.output_device)
    try:
        return DeviceSpeaker(backend, settings_from_config(config), renderer=renderer)
    except ConfigError as exc:
        raise ConfigError(f"{paths.config_file()}: {exc}") from None
