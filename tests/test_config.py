"""Settings: load_config's file:line:field errors, and `kindred config` show/set/unset/path."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
import yaml

from kindred import paths
from kindred.cli.main import main
from kindred.config import Config, load_config
from kindred.errors import ConfigError


def write_config(text: str):
    path = paths.config_file()
    paths.write_private(path, text.encode("utf-8"))
    return path


def test_missing_or_empty_file_means_defaults():
    assert load_config() == Config()
    write_config("# nothing set yet\n")
    assert load_config() == Config()


@pytest.mark.parametrize("text, message", [
    ("rate_wpm: fast\n",
     "{f}:1: rate_wpm: Input should be a valid integer, unable to parse string as an integer"),
    ("faith: true\nvolum: 0.5\n", "{f}:2: volum: is not a known field"),
    ("faith: true\ncues:\n  halfway: maybe\n",
     "{f}:3: cues.halfway: Input should be a valid boolean, unable to interpret input"),
    ("cues:\n  half_way: false\n", "{f}:2: cues.half_way: is not a known field"),
    ("engine: whisper\n", "{f}:1: engine: Input should be 'auto', 'vosk' or 'pocketsphinx'"),
    ("weekly_goal: 0\n", "{f}:1: weekly_goal: Input should be greater than or equal to 1"),
    ("engine: [vosk\n", "{f}:2: invalid YAML: expected ',' or ']', but got '<stream end>'"),
    ("faith: true\nfaith: false\n", "{f}:2: invalid YAML: duplicate key 'faith'"),
    ("- faith\n", "{f}:1: the config must be a mapping of setting: value"),
    ("rate_wpm: fast\nvolume: 3\n",
     "{f}:1: rate_wpm: Input should be a valid integer, unable to parse string as an integer"
     " (and 1 more)"),
])
def test_load_errors_name_file_line_and_field(text, message):
    path = write_config(text)
    with pytest.raises(ConfigError) as exc:
        load_config()
    assert str(exc.value) == message.format(f=path)


def test_a_binary_file_is_named():
    path = paths.config_file()
    paths.write_private(path, b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match=f"^{path}:1: not a UTF-8 text file$"):
        load_config()


def test_cli_turns_a_config_error_into_one_line_and_exit_1(capsys):
    path = write_config("faith: true\nvolum: 0.5\n")
    assert main(["config"]) == 1
    captured = capsys.readouterr()
    assert captured.err == f"kindred: {path}:2: volum: is not a known field\n"
    assert captured.out == ""


def test_show_defaults_before_the_file_exists(capsys):
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    first, body = out.split("\n", 1)
    assert first == f"# {paths.config_file()} (not created yet: all defaults)"
    assert yaml.safe_load(body) == Config().model_dump(mode="json")
    assert not paths.config_file().exists()


def test_show_fills_in_defaults_around_the_file(capsys):
    write_config("faith: true\ncues:\n  halfway: false\n")
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"# {paths.config_file()}\n")
    shown = yaml.safe_load(out)
    assert shown["faith"] is True and shown["cues"]["halfway"] is False
    assert shown["rate_wpm"] == 160 and shown["cues"]["end_bell"] is True


def test_path(capsys):
    assert main(["config", "path"]) == 0
    assert capsys.readouterr().out == f"{paths.config_file()}\n"


@pytest.mark.parametrize("key, raw, expected", [
    ("faith", "true", True),
    ("faith", "no", False),
    ("cues.halfway", "false", False),
    ("rate_wpm", "180", 180),
    ("volume", "0.5", 0.5),
    ("engine", "vosk", "vosk"),
    ("wake_word", "yes", "yes"),  # text stays text, even YAML's booleans
    ("voice", "en-us+f3", "en-us+f3"),
    ("voice", "none", None),
    ("input_device", "3", 3),
    ("input_device", "USB Audio", "USB Audio"),
    ("weekly_goal", "4", 4),
])
def test_set_saves_a_checked_value(key, raw, expected, capsys):
    assert main(["config", "set", key, raw]) == 0
    config = load_config()
    value = config
    for part in key.split("."):
        value = getattr(value, part)
    assert value == expected
    assert f"saved to {paths.config_file()}" in capsys.readouterr().out


def test_set_keeps_other_settings_and_writes_privately():
    write_config("faith: true\nrate_wpm: 140\n")
    assert main(["config", "set", "cues.halfway", "false"]) == 0
    config = load_config()
    assert (config.faith, config.rate_wpm, config.cues.halfway) == (True, 140, False)
    path = paths.config_file()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["config.yaml"]  # no temp files left


@pytest.mark.parametrize("key, raw, message", [
    ("rate_wpm", "500", "config: rate_wpm cannot be '500'; allowed: a whole number from 80 to 300"),
    ("rate_wpm", "fast", "config: rate_wpm cannot be 'fast'; allowed: a whole number from 80 to 300"),
    ("volume", "2", "config: volume cannot be '2'; allowed: a number from 0.05 to 1.0"),
    ("faith", "maybe", "config: faith cannot be 'maybe'; allowed: true or false"),
    ("cues.halfway", "sometimes",
     "config: cues.halfway cannot be 'sometimes'; allowed: true or false"),
    ("engine", "whisper",
     "config: engine cannot be 'whisper'; allowed: one of auto, vosk, pocketsphinx"),
    ("wake_word", "k",
     "config: wake_word cannot be 'k'; allowed: text of at least 2 characters"),
    ("weekly_goal", "none", "config: weekly_goal cannot be 'none'; allowed: a whole number from 1 to 14"),
    ("cues", "false", "config: cues is a group; set one of cues.start_bell, cues.halfway, "
                      "cues.five_minutes_left, cues.one_minute_left, cues.end_bell"),
])
def test_set_refuses_a_bad_value_in_one_line(key, raw, message, capsys):
    write_config("faith: true\n")
    before = paths.config_file().read_bytes()
    assert main(["config", "set", key, raw]) == 1
    assert capsys.readouterr().err == f"kindred: {message}\n"
    assert paths.config_file().read_bytes() == before


def test_set_an_unknown_key_lists_the_known_ones(capsys):
    assert main(["config", "set", "colour", "blue"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kindred: config: unknown setting 'colour'; known settings: voice, ")
    assert "cues.halfway" in err and err.count("\n") == 1
    assert not paths.config_file().exists()


def test_set_on_a_broken_file_names_the_file_and_keeps_it(capsys):
    path = write_config("rate_wpm: [\n")
    assert main(["config", "set", "faith", "true"]) == 1
    assert capsys.readouterr().err.startswith(f"kindred: {path}:")
    assert path.read_text() == "rate_wpm: [\n"


def test_unset_goes_back_to_the_default(capsys):
    write_config("rate_wpm: 200\nvoice: en-us\n")
    assert main(["config", "unset", "rate_wpm"]) == 0
    assert main(["config", "unset", "voice"]) == 0
    config = load_config()
    assert config.rate_wpm == 160 and config.voice is None
    assert "rate_wpm is back to its default, 160" in capsys.readouterr().out


def test_config_set_as_a_real_process():
    res = subprocess.run([sys.executable, "-m", "kindred", "config", "set", "faith", "true"],
                         capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert res.returncode == 0, res.stderr
    assert load_config().faith is True
