"""Sound devices: list them, and turn a user's choice into (PortAudio index, sample rate).

A choice ("spec") comes from config.input_device/output_device or --input/--output:
- None or "" or "default": the system default device;
- an int, or a string of digits: that PortAudio index;
- any other string: a case-insensitive substring of the device name. Exactly one device
  must match; an exact (case-insensitive) name match wins over substring matches.

The sample rate returned is the device's own default rate (or the first supported one of a
few common rates): USB microphones often reject 16 kHz, so DeviceMicrophone opens the
device at its own rate and resamples. Speech out uses resolve_output the same way.

Every problem is a one-line DeviceError (exit code NO_DEVICE) a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Literal

from kindred.errors import DeviceError

Kind = Literal["input", "output"]
COMMON_RATES = (48000, 44100, 32000, 16000, 22050, 96000)
NO_MIC_HINT = ("no microphone found; plug one in (or check the sound settings), "
               "see `kindred devices`, or run with --text to type commands instead")
NO_SPEAKER_HINT = "no speaker found; plug one in (or check the sound settings), see `kindred devices`"


@dataclass(frozen=True)
class DeviceInfo:
    index: int
    name: str
    hostapi: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool = False
    is_default_output: bool = False

    def channels(self, kind: Kind) -> int:
        return self.max_input_channels if kind == "input" else self.max_output_channels


def sounddevice() -> ModuleType:
    """Import sounddevice, turning a missing PortAudio library into a DeviceError."""
    try:
        import sounddevice as sd
    except OSError as exc:  # "PortAudio library not found"
        raise DeviceError(f"cannot use sound devices: {exc} (install libportaudio2)") from None
    from kindred import logs
    from kindred.audio import alsa_messages

    if not logs.words_allowed():  # --debug shows alsa-lib's own lines too
        alsa_messages.silence()
    return sd


def _default_index(sd: ModuleType, kind: Kind) -> int | None:
    """The default device of this kind, or None when there is none."""
    pos = 0 if kind == "input" else 1
    try:
        idx = sd.default.device[pos]
        if idx is not None and int(idx) >= 0:
            return int(idx)
        info = sd.query_devices(kind=kind)  # asks PortAudio for its own default
        return int(info["index"])
    except (sd.PortAudioError, ValueError, TypeError, KeyError):
        return None


def list_devices(sd: ModuleType | None = None) -> list[DeviceInfo]:
    """Every device PortAudio knows, with which one is the default input/output."""
    sd = sd or sounddevice()
    try:
        raw = list(sd.query_devices())
        hostapis = [h["name"] for h in sd.query_hostapis()]
    except sd.PortAudioError as exc:
        raise DeviceError(f"cannot list sound devices: {exc}") from None
    din, dout = _default_index(sd, "input"), _default_index(sd, "output")
    out = []
    for i, d in enumerate(raw):
        idx = int(d.get("index", i))
        api = d.get("hostapi", 0)
        out.append(DeviceInfo(
            index=idx, name=str(d["name"]),
            hostapi=hostapis[api] if isinstance(api, int) and 0 <= api < len(hostapis) else str(api),
            max_input_channels=int(d["max_input_channels"]),
            max_output_channels=int(d["max_output_channels"]),
            default_samplerate=float(d["default_samplerate"]),
            is_default_input=idx == din, is_default_output=idx == dout,
        ))
    return out


def find_device(spec: str | int | None, kind: Kind, devices: list[DeviceInfo]) -> DeviceInfo:
    """Pick the device `spec` names among `devices` (those with channels of this kind)."""
    usable = [d for d in devices if d.channels(kind) > 0]
    what = "microphone" if kind == "input" else "speaker"
    if not usable:
        raise DeviceError(NO_MIC_HINT if kind == "input" else NO_SPEAKER_HINT)
    if isinstance(spec, str):
        spec = spec.strip()
        if spec.isdigit():
            spec = int(spec)
    if spec is None or spec == "" or (isinstance(spec, str) and spec.lower() == "default"):
        flag = "is_default_input" if kind == "input" else "is_default_output"
        for d in usable:
            if getattr(d, flag):
                return d
        return usable[0]
    if isinstance(spec, int) and not isinstance(spec, bool):
        for d in devices:
            if d.index == spec:
                if d.channels(kind) <= 0:
                    raise DeviceError(f"device {spec} ({d.name}) is not a {what}: it has no "
                                      f"{kind} channels; see `kindred devices`")
                return d
        raise DeviceError(f"no sound device number {spec}; see `kindred devices`")
    needle = str(spec).lower()
    exact = [d for d in usable if d.name.lower() == needle]
    matches = exact or [d for d in usable if needle in d.name.lower()]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        names = ", ".join(f"{d.index}: {d.name}" for d in usable)
        raise DeviceError(f"no {what} matches {spec!r}; the {what}s are: {names}")
    names = ", ".join(f"{d.index}: {d.name}" for d in matches)
    raise DeviceError(f"{spec!r} matches several {what}s ({names}); "
                      "give more of the name or the number")


def supported_rate(sd: ModuleType, dev: DeviceInfo, kind: Kind, channels: int = 1) -> int:
    """The device's default rate if it accepts it, else the first common rate it accepts."""
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    candidates = [int(round(dev.default_samplerate))] + [r for r in COMMON_RATES]
    seen: set[int] = set()
    for rate in candidates:
        if rate <= 0 or rate in seen:
            continue
        seen.add(rate)
        try:
            check(device=dev.index, samplerate=rate, channels=channels, dtype="float32")
            return rate
        except Exception:  # PortAudioError or ValueError: not this rate
            continue
    raise DeviceError(f"{dev.name} accepts none of the usual sample rates "
                      f"({', '.join(str(r) for r in sorted(seen))} Hz); try another device")


def input_channels(sd: ModuleType, dev: DeviceInfo, rate: int) -> int:
    """1 if the device can be opened mono, else its channel count (we downmix)."""
    try:
        sd.check_input_settings(device=dev.index, samplerate=rate, channels=1, dtype="float32")
        return 1
    except Exception:
        return max(1, min(dev.max_input_channels, 2))


def _resolve(spec: str | int | None, kind: Kind, sd: ModuleType | None) -> tuple[int, int]:
    sd = sd or sounddevice()
    dev = find_device(spec, kind, list_devices(sd))
    try:
        return dev.index, supported_rate(sd, dev, kind)
    except DeviceError:
        if kind == "input":  # a stereo-only mic: check the rate with its own channel count
            return dev.index, supported_rate(sd, dev, kind, channels=min(dev.max_input_channels, 2))
        raise


def resolve_input(spec: str | int | None = None, sd: ModuleType | None = None) -> tuple[int, int]:
    """(PortAudio index, sample rate to open it at) for the microphone `spec` names."""
    return _resolve(spec, "input", sd)


def resolve_output(spec: str | int | None = None, sd: ModuleType | None = None) -> tuple[int, int]:
    """(PortAudio index, sample rate to open it at) for the speaker `spec` names."""
    return _resolve(spec, "output", sd)


def describe(index: int, sd: ModuleType | None = None) -> str:
    """The device's name, for messages."""
    sd = sd or sounddevice()
    try:
        d = sd.query_devices(index)
        return f"{d['name']}"
    except Exception:
        return f"device {index}"
