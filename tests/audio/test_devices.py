"""Choosing devices by name or number, and the `devices` / `mic-check` commands."""

from __future__ import annotations

import time

import pytest

from kindred.audio.devices import DeviceInfo, find_device, list_devices, resolve_input, resolve_output
from kindred.cli.main import main
from kindred.config import Config, save_config
from kindred.errors import DeviceError, ExitCode

from audio_helpers import render_speech

LAPTOP = [
    DeviceInfo(0, "HDA Intel PCH: ALC257 Analog (hw:0,0)", "ALSA", 2, 2, 48000.0),
    DeviceInfo(1, "HDA Intel PCH: HDMI 0 (hw:0,3)", "ALSA", 0, 8, 44100.0),
    DeviceInfo(2, "Blue Yeti: USB Audio (hw:1,0)", "ALSA", 2, 2, 48000.0),
    DeviceInfo(3, "pulse", "ALSA", 32, 32, 44100.0),
    DeviceInfo(4, "default", "ALSA", 32, 32, 44100.0, is_default_input=True, is_default_output=True),
]


@pytest.mark.parametrize("spec, index", [
    (None, 4), ("", 4), ("default", 4), ("yeti", 2), ("BLUE", 2), (2, 2), ("2", 2), (" 0 ", 0),
    ("pulse", 3), ("alc257", 0),
])
def test_input_choice(spec, index):
    assert find_device(spec, "input", LAPTOP).index == index


def test_output_may_be_a_device_without_inputs():
    assert find_device("hdmi", "output", LAPTOP).index == 1


def test_ambiguous_name_lists_the_candidates():
    with pytest.raises(DeviceError) as exc:
        find_device("hw:", "input", LAPTOP)
    msg = str(exc.value)
    assert "several microphones" in msg and "0: HDA Intel PCH: ALC257" in msg and "2: Blue Yeti" in msg
    assert "HDMI" not in msg  # not a microphone
    assert exc.value.exit_code == ExitCode.NO_DEVICE


def test_exact_name_beats_substring():
    devs = LAPTOP + [DeviceInfo(5, "pulse monitor", "ALSA", 2, 0, 48000.0)]
    assert find_device("pulse", "input", devs).index == 3


def test_unknown_name_and_number_and_wrong_kind():
    with pytest.raises(DeviceError, match="no microphone matches 'usb headset'; the microphones are: 0: HDA"):
        find_device("usb headset", "input", LAPTOP)
    with pytest.raises(DeviceError, match="no sound device number 9"):
        find_device(9, "input", LAPTOP)
    with pytest.raises(DeviceError, match="device 1 .* is not a microphone"):
        find_device(1, "input", LAPTOP)


def test_no_input_devices_is_one_clear_line():
    speakers_only = [LAPTOP[1]]
    with pytest.raises(DeviceError) as exc:
        find_device(None, "input", speakers_only)
    assert str(exc.value).startswith("no microphone found; ")
    assert "\n" not in str(exc.value)


class NoDevicesBackend:
    """What PortAudio reports on a machine with no sound hardware at all."""

    class PortAudioError(Exception):
        pass

    class default:
        device = [-1, -1]

    def query_devices(self, device=None, kind=None):
        if kind is not None:
            raise self.PortAudioError("Error querying device -1")
        return []

    def query_hostapis(self):
        return []


def test_resolve_with_no_hardware():
    with pytest.raises(DeviceError, match="^no microphone found"):
        resolve_input(None, sd=NoDevicesBackend())
    with pytest.raises(DeviceError, match="^no speaker found"):
        resolve_output(None, sd=NoDevicesBackend())


# --- the virtual devices -----------------------------------------------------------------

@pytest.mark.audio
def test_virtual_devices_are_listed_and_resolved(virtual_audio):
    devs = list_devices()
    assert any(d.is_default_input for d in devs) and any(d.is_default_output for d in devs)
    index, rate = resolve_input(None)
    assert rate == 44100  # the device's own default rate, not 16 kHz
    assert resolve_input("PULSE")[0] == next(d.index for d in devs if d.name == "pulse")
    assert resolve_output("default")[1] in (44100, 48000)


@pytest.mark.audio
def test_devices_command(virtual_audio, capsys):
    assert main(["devices"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Inputs (microphones):")
    assert "Outputs (speakers):" in out
    assert "default <- used" in out and "44100 Hz" in out


@pytest.mark.audio
def test_devices_command_reports_a_bad_config_choice(virtual_audio, capsys):
    save_config(Config(input_device="usb headset"))
    assert main(["devices"]) == ExitCode.NO_DEVICE
    err = capsys.readouterr().err
    assert "kindred: input_device: no microphone matches 'usb headset'" in err


@pytest.mark.audio
@pytest.mark.slow
def test_mic_check_meter_without_a_tty(virtual_audio, capsys, tmp_path):
    wav = render_speech("kindred, what time is it", tmp_path / "s.wav")
    feeder = None

    import threading
    def feed():
        time.sleep(0.4)
        virtual_audio.feed(wav)
    feeder = threading.Thread(target=feed)
    feeder.start()
    assert main(["mic-check", "--seconds", "2", "--no-recognizer", "--input", "default"]) == 0
    feeder.join()
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip().endswith("dBFS") and " s " in ln]
    assert len(lines) == 2  # one line a second, no carriage-return redraws
    assert "\r" not in err
    peak = float(err.split("level: peak ")[1].split(" dBFS")[0])
    assert peak > -40  # the speech was heard


@pytest.mark.audio
def test_mic_check_unknown_device(virtual_audio, capsys):
    assert main(["mic-check", "--input", "nothing-like-this", "--seconds", "1"]) == ExitCode.NO_DEVICE
    assert "no microphone matches" in capsys.readouterr().err
