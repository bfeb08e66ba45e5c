"""Kindred makes its own folders 0700 but never changes the mode of a folder that already
existed: KINDRED_CACHE_DIR=/tmp, run as root, must not chmod /tmp."""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest

from kindred import paths
from kindred.speech_out.cache import RenderCache
from kindred.speech_out.render import Rendering


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def shared(tmp_path):
    d = tmp_path / "shared-tmp"
    d.mkdir()
    os.chmod(d, 0o1777)  # like /tmp
    return d


def test_an_existing_folder_keeps_its_mode_and_new_ones_are_private(shared):
    made = paths.ensure_private_dir(shared / "kindred" / "speech")
    assert made.is_dir()
    assert mode(shared) == 0o1777
    assert mode(shared / "kindred") == 0o700 and mode(made) == 0o700
    os.chmod(made, 0o755)  # the couple loosened it on purpose: left alone from now on
    paths.ensure_private_dir(made)
    paths.ensure_private_dir(shared)
    assert mode(made) == 0o755 and mode(shared) == 0o1777


def test_cache_dir_pointing_at_a_shared_folder_is_not_chmodded(shared, monkeypatch):
    monkeypatch.setenv("KINDRED_CACHE_DIR", str(shared))
    cache = RenderCache()
    saved = cache.put(Rendering("Hello.", "en", 160, np.zeros(2205, dtype=np.float32)))
    assert mode(shared) == 0o1777
    assert mode(cache.dir) == 0o700 and mode(saved) == 0o600


def test_a_file_in_the_way_is_an_error(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(FileExistsError):
        paths.ensure_private_dir(tmp_path / "f")
