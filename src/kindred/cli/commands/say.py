"""`kindred say "TEXT" [--out FILE.wav]`: speak a sentence, or write it to a sound file.

--out writes by the file's extension: .wav (16-bit PCM), .flac, or .ogg (Vorbis), through
soundfile; anything else (.mp3: libsndfile cannot write it here) is refused before rendering.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "say"
HELP = "Speak a sentence aloud with the configured voice, or write it to a WAV file."
OUT_FORMATS = {".wav": ("WAV", "PCM_16"), ".flac": ("FLAC", "PCM_16"), ".ogg": ("OGG", "VORBIS")}
DESCRIPTION = ("Speak TEXT with the voice, rate and volume from the config (or the options "
               "below). With --out, nothing is played: the speech is written to a file (.wav, .flac or .ogg). "
               "Text typed here is never cached.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("text", nargs="+", help="what to say")
    parser.add_argument("--out", type=Path, metavar="FILE.wav",
                        help="write the speech to this file (.wav, .flac or .ogg) instead of playing it")
    parser.add_argument("--voice", help="voice id, name or language (see `kindred voices`)")
    parser.add_argument("--rate", type=int, metavar="WPM", help="words per minute (80-300)")
    parser.add_argument("--volume", type=float, help="0.05-1.0 (playback only)")


_OPTION_OF = {"voice": "--voice", "rate_wpm": "--rate", "volume": "--volume"}


def _given(args: argparse.Namespace, option: str) -> str:
    return str(getattr(args, option.removeprefix("--"), ""))


def run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from kindred.config import load_config
    from kindred.errors import AudioFileError, ConfigError, KindredError
    from kindred.speech_out.render import Renderer
    from kindred.speech_out.voices import resolve_voice

    text = " ".join(" ".join(args.text).split())
    if not text:
        raise KindredError("say: nothing to say (the text is empty)")
    fmt = None
    if args.out is not None:
        fmt = OUT_FORMATS.get(args.out.suffix.lower())
        if fmt is None:
            raise KindredError(f"say: --out {args.out}: cannot write '{args.out.suffix or 'no extension'}'; "
                               "use a .wav, .flac or .ogg file name")
    config = load_config()
    updates = {k: v for k, v in (("voice", args.voice), ("rate_wpm", args.rate),
                                 ("volume", args.volume)) if v is not None}
    try:
        config = type(config).model_validate({**config.model_dump(), **updates})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        option = _OPTION_OF.get(str(err["loc"][0]), str(err["loc"][0]))
        raise ConfigError(f"say: {option} {_given(args, option)}: {err['msg']}") from None
    if args.out is not None:
        with Renderer() as renderer:
            voice = resolve_voice(renderer.voices(), config.voice, renderer.default_voice_id())
            rendering = renderer.render(text, voice.id, config.rate_wpm)
        import soundfile as sf

        try:
            sf.write(str(args.out), rendering.samples, rendering.rate_hz, format=fmt[0], subtype=fmt[1])
        except (OSError, sf.LibsndfileError) as exc:
            raise AudioFileError(f"{args.out}: cannot write ({getattr(exc, 'strerror', None) or exc})") from None
        print(f"wrote {args.out} ({rendering.duration_s:.2f} s, {rendering.rate_hz} Hz)",
              file=sys.stderr)
        return 0
    from kindred.speech_out.device_speaker import open_speaker

    with open_speaker(config) as speaker:
        rendering = speaker.renderer.render(text, speaker.voice.id, config.rate_wpm)
        seconds = speaker.play_rendering(rendering)
        speaker.wait(seconds + 5.0)
    return 0
