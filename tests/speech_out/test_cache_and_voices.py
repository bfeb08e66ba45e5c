"""The render cache (real renders, real files) and voice selection from the config."""

from __future__ import annotations

import stat

import numpy as np
import pytest

from kindred import paths
from kindred.config import Config
from kindred.errors import ConfigError
from kindred.speech_out.cache import RenderCache
from kindred.speech_out.device_speaker import open_speaker
from kindred.speech_out.outputs import RecordingOutput
from kindred.speech_out.prepare import prepare_lines
from kindred.speech_out.render import Voice
from kindred.speech_out.voices import resolve_voice, voice_table


def test_miss_then_hit_with_private_files(renderer):
    cache = RenderCache()
    assert cache.dir == paths.render_cache_dir()
    first = cache.get_or_render(renderer, "What are you looking forward to?", "gmw/en", 160)
    second = cache.get_or_render(renderer, "What are  you looking forward to?", "gmw/en", 160)
    assert (cache.misses, cache.hits) == (1, 1)  # whitespace does not change the key
    assert np.allclose(first.samples, second.samples, atol=1 / 32767)  # int16 on disk
    files = list(cache.dir.glob("*.wav"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.dir.stat().st_mode) == 0o700
    cache.get_or_render(renderer, "What are you looking forward to?", "gmw/en", 200)  # new rate
    cache.get_or_render(renderer, "What are you looking forward to?", "gmw/en-us", 160)  # new voice
    assert cache.misses == 3


def test_a_damaged_cache_file_is_rendered_again(renderer):
    cache = RenderCache()
    r = cache.get_or_render(renderer, "Breathe in.", "gmw/en", 160)
    cache.path_for("Breathe in.", "gmw/en", 160).write_bytes(b"not a wav")
    again = cache.get_or_render(renderer, "Breathe in.", "gmw/en", 160)
    assert cache.misses == 2 and abs(again.duration_s - r.duration_s) < 0.02


def test_prepare_renders_only_what_is_missing():
    cache = RenderCache()
    texts = ["One.", "Two.", "Three.", "Two."]
    seen = []
    assert prepare_lines(texts, "gmw/en", 160, cache=cache, jobs=2,
                         progress=lambda d, t: seen.append((d, t))) == (3, 0)
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    assert prepare_lines(texts + ["Four."], "gmw/en", 160, cache=cache) == (1, 3)
    assert all(cache.contains(t, "gmw/en", 160) for t in ["One.", "Two.", "Three.", "Four."])


VOICES = [Voice("gmw/en", "English (Great Britain)", ("en-gb",)),
          Voice("gmw/en-us", "English (America)", ("en-us",)),
          Voice("roa/fr", "French", ("fr-fr",))]


@pytest.mark.parametrize("wanted,expected", [
    ("gmw/en-us", "gmw/en-us"), ("english (america)", "gmw/en-us"), ("FR-FR", "roa/fr"),
    (None, "gmw/en"), ("", "gmw/en")])
def test_voice_by_id_name_or_language(wanted, expected):
    assert resolve_voice(VOICES, wanted, "gmw/en").id == expected


def test_unknown_voice_lists_the_available_ones():
    with pytest.raises(ConfigError) as err:
        resolve_voice(VOICES, "klingon", "gmw/en")
    assert str(err.value) == ("voice: unknown voice 'klingon'; available voices (id): gmw/en, "
                              "gmw/en-us, roa/fr (see `kindred voices` for names and languages)")


def test_unknown_config_voice_names_the_config_file(renderer):
    with pytest.raises(ConfigError, match=r"config\.yaml: voice: unknown voice 'elvish'; "
                                          r"available voices \(id\): .*gmw/en-us"):
        open_speaker(Config(voice="elvish"), backend=RecordingOutput(), renderer=renderer)


def test_voice_table_marks_the_current_voice():
    rows = voice_table(VOICES, "gmw/en-us")
    assert rows[0].split() == ["ID", "NAME", "LANGUAGES"]
    assert rows[2].startswith("* gmw/en-us") and "English (America)" in rows[2]
