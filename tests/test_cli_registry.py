"""Coverage by registry: every CLI command is discovered and has useful help text."""

from __future__ import annotations

import pytest

from kindred.cli.main import build_parser, command_modules, main


def test_top_level_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for mod in command_modules():
        assert mod.NAME in out


@pytest.mark.parametrize("mod", command_modules(), ids=lambda m: m.NAME)
def test_every_command_has_help(mod, capsys):
    assert mod.HELP and len(mod.HELP) > 10, f"{mod.NAME} needs a HELP sentence"
    with pytest.raises(SystemExit) as exc:
        main([mod.NAME, "--help"])
    assert exc.value.code == 0
    assert "usage: kindred" in capsys.readouterr().out


def test_no_command_prints_help_and_exits_usage(capsys):
    assert main([]) == 2
    assert "usage: kindred" in capsys.readouterr().out


def test_parser_builds():
    assert build_parser().prog == "kindred"


def test_every_alias_has_its_own_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "same as" not in out
