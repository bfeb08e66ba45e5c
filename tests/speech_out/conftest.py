"""Shared speech-out fixtures: one real pyttsx3 renderer (worker process) per test module."""

from __future__ import annotations

import pytest

from kindred.speech_out.render import Renderer


@pytest.fixture(scope="module")
def renderer():
    r = Renderer()
    yield r
    r.close()
