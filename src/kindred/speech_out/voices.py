"""Choosing a voice: match the config's `voice` against what the TTS engine offers.

A voice may be named by its id ("gmw/en-us"), its name ("English (America)") or a language
code ("en-us"), case-insensitively. An unknown voice is a ConfigError that lists the voices
that do exist, so the fix is one copy-paste away.
"""

from __future__ import annotations

from kindred.errors import ConfigError
from kindred.speech_out.render import Voice


def find_voice(voices: list[Voice], wanted: str) -> Voice | None:
    key = wanted.strip().casefold()
    for attr in ("id", "name"):
        for v in voices:
            if getattr(v, attr).casefold() == key:
                return v
    for v in voices:  # a language code: the first voice that speaks it
        if any(lang.casefold() == key for lang in v.languages):
            return v
    return None


def resolve_voice(voices: list[Voice], wanted: str | None, default_id: str) -> Voice:
    """The voice to use for `wanted` (None = the engine default); ConfigError if unknown."""
    if wanted is None or not str(wanted).strip():
        found = find_voice(voices, default_id) if default_id else None
        return found or (voices[0] if voices else Voice(default_id or "default", "default"))
    found = find_voice(voices, str(wanted))
    if found is None:
        listing = ", ".join(v.id for v in voices) or "none (is espeak-ng installed?)"
        raise ConfigError(f"voice: unknown voice '{wanted}'; available voices (id): {listing}"
                          " (see `kindred voices` for names and languages)")
    return found


def voice_table(voices: list[Voice], current_id: str | None = None) -> list[str]:
    """Rows for `kindred voices`: id, name, languages; the current voice is marked with *."""
    rows = [("", "ID", "NAME", "LANGUAGES")]
    for v in voices:
        rows.append(("*" if v.id == current_id else "", v.id, v.name, ",".join(v.languages)))
    w_id = max(len(r[1]) for r in rows)
    w_name = max(len(r[2]) for r in rows)
    return [f"{mark:1} {vid:<{w_id}}  {name:<{w_name}}  {langs}".rstrip() for mark, vid, name, langs in rows]
