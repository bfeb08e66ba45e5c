"""The user's settings: one YAML file in the user config dir, validated by pydantic.

A missing file means all defaults. A wrong value is a ConfigError naming file, line and
field. Saving writes the whole file atomically as 0600.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kindred import paths
from kindred.errors import ConfigError
from kindred.validation import error_lines
from kindred.yamlio import YamlError, load_yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Cues(_Strict):
    """Which bells and spoken cues a timed talk period gets."""

    start_bell: bool = True
    halfway: bool = True
    five_minutes_left: bool = True
    one_minute_left: bool = True
    end_bell: bool = True


class Config(_Strict):
    voice: str | None = Field(None, description="TTS voice id or name; None = the system default")
    rate_wpm: int = Field(160, ge=80, le=300, description="speaking rate, words per minute")
    volume: float = Field(0.8, ge=0.05, le=1.0, description="speech and chime volume, 0-1")
    session_minutes: int = Field(25, ge=5, le=120, description="length of an evening session")
    faith: bool = Field(False, description="offer prayers and faith questions")
    wake_word: str = Field("kindred", min_length=2, description="the word that addresses Kindred")
    engine: Literal["auto", "vosk", "pocketsphinx"] = "auto"
    vosk_model: Path | None = Field(None, description="vosk model folder; None = models/ or data dir")
    input_device: str | int | None = None
    output_device: str | int | None = None
    breath_pace: float = Field(1.0, ge=0.5, le=2.0, description="seven-breaths pace; >1 is slower")
    cues: Cues = Cues()
    weekly_goal: int = Field(3, ge=1, le=14, description="sessions a week that count as a good week")


def load_config(path: Path | None = None) -> Config:
    path = path or paths.config_file()
    if not path.exists():
        return Config()
    try:
        data = load_yaml(path)
    except YamlError as exc:
        raise ConfigError(str(exc)) from None
    if data is None:
        return Config()
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: the config must be a mapping of setting: value")
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        lines = error_lines(exc, path, data)
        raise ConfigError(lines[0] + (f" (and {len(lines) - 1} more)" if len(lines) > 1 else "")) from None


def save_config(config: Config, path: Path | None = None) -> Path:
    path = path or paths.config_file()
    data = config.model_dump(mode="json")
    text = "# Kindred settings. `kindred config` shows the effective values.\n"
    text += yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    paths.write_private(path, text.encode("utf-8"))
    return path


def update_config(changes: dict, path: Path | None = None) -> Config:
    """Re-read the config file, change only `changes` and save it (atomic, 0600), so a
    setting changed meanwhile (e.g. `kindred config set` during a session) is kept.
    OSError if the folder cannot be written; ConfigError if the file is now invalid."""
    path = path or paths.config_file()
    current = load_config(path).model_dump()
    config = Config.model_validate({**current, **changes})
    save_config(config, path)
    return config
