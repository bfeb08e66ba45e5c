"""`kindred say --out`, `kindred voices`, and what `kindred prepare` would render."""

from __future__ import annotations

import soundfile as sf

from kindred.cli.main import main
from kindred.content.library import load_library
from kindred.speech_out.prepare import library_lines


def test_say_out_writes_a_valid_wav(tmp_path, capfd):
    out = tmp_path / "hello.wav"
    assert main(["say", "Good evening, you two.", "--out", str(out), "--rate", "150"]) == 0
    info = sf.info(str(out))
    assert (info.samplerate, info.channels, info.subtype) == (22050, 1, "PCM_16")
    assert 0.8 < info.duration < 4
    stdout, stderr = capfd.readouterr()
    assert stdout == "" and "wrote" in stderr


def test_say_with_an_unknown_voice_is_a_one_line_error(tmp_path, capfd):
    code = main(["say", "Hi.", "--voice", "elvish", "--out", str(tmp_path / "x.wav")])
    assert code == 1
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kindred: voice: unknown voice 'elvish'")
    assert not (tmp_path / "x.wav").exists()


def test_say_with_a_bad_rate_is_a_one_line_error(capfd):
    assert main(["say", "Hi.", "--rate", "1000", "--out", "x.wav"]) == 1
    err = capfd.readouterr().err
    assert err == "kindred: say: --rate 1000: Input should be less than or equal to 300\n"
    assert main(["say", "Hi.", "--volume", "0", "--out", "x.wav"]) == 1
    assert capfd.readouterr().err.startswith("kindred: say: --volume 0.0: Input should be greater")


def test_voices_lists_id_name_languages(capfd):
    assert main(["voices", "--lang", "en"]) == 0
    rows = capfd.readouterr().out.splitlines()
    assert rows[0].split() == ["ID", "NAME", "LANGUAGES"]
    assert any(r.startswith("* gmw/en ") for r in rows)  # the default voice is marked
    assert any("gmw/en-us" in r and "English (America)" in r and "en-us" in r for r in rows)


def test_prepare_collects_the_built_in_lines():
    library = load_library()
    lines = library_lines(library)
    assert len(lines) == len(set(lines))
    for q in list(library.questions.values())[:5]:
        assert q.text in lines
    for p in list(library.prayers.values())[:3]:
        assert p.text in lines
    assert all("{" not in line for line in lines)


def test_say_out_writes_by_extension_and_refuses_mp3(tmp_path, capfd):
    for name, fmt in (("hello.flac", "FLAC"), ("hello.ogg", "OGG")):
        out = tmp_path / name
        assert main(["say", "Good evening.", "--out", str(out)]) == 0
        info = sf.info(str(out))
        assert (info.format, info.samplerate, info.channels) == (fmt, 22050, 1)
        assert 0.4 < info.duration < 3
    capfd.readouterr()
    out = tmp_path / "hello.mp3"
    assert main(["say", "Good evening.", "--out", str(out)]) == 1
    err = capfd.readouterr().err.strip().splitlines()
    assert err == [f"kindred: say: --out {out}: cannot write '.mp3'; use a .wav, .flac or .ogg file name"]
    assert not out.exists()


def test_say_out_into_a_missing_folder_is_a_one_line_error(tmp_path, capfd):
    out = tmp_path / "no-such-folder" / "hello.wav"
    assert main(["say", "Hi.", "--out", str(out)]) == 1
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"kindred: {out}: cannot write")
