#!/usr/bin/env python3
"""Build the synthetic speech-in development corpus (espeak-ng + flite voices, noise, reverb).

    .venv/bin/python scripts/speech_corpus.py --out bench-out/corpus --hours 1
    .venv/bin/python scripts/speech_corpus.py --out bench-out/corpus-small --small

Writes 16 kHz mono WAVs and manifest.jsonl (one JSON object per file) into --out. Every
clip is synthetic TTS audio; nothing is recorded from anyone. The build is seeded and
cached: a second run with the same settings and command file does nothing.

Manifest fields: file (relative), kind (positive | wake_only | distractor | near_miss |
conversation | own_voice), mode (addressed | prompted), style (one_breath | pause | bare | wake |
sentence | talk), intent (expected intent or null), text, synth (espeak | flite), voice,
speed, pitch, noise (none | white | pink | brown | babble | kitchen), snr_db (null = clean),
rt60_s, split (dev | test, by voice: tune on dev, report on test), speech_start_s /
speech_end_s (the speech's ends measured on the clean, dry rendering), duration_s.

Balance: every (phrase, style, SNR) is rendered once in a dev voice and once in a test voice
(the voice drawn at random within the split, seeded), in one synth family; the families
alternate over phrases so every (style, SNR, split) cell holds both. Wake-only clips,
distractors, near-misses and conversation files are balanced over split (and family) too.
Without `flite` on the PATH the corpus is espeak-only (one line says so).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import speech_corpus_audio as au  # noqa: E402
import speech_corpus_text as tx  # noqa: E402

VERSION = 2
MANIFEST = "manifest.jsonl"
STAMP = "corpus.json"
# Voices are split so thresholds tuned on "dev" are reported on unseen "test" voices.
DEV_VOICES = ("en-us", "en-gb+f3", "en-us+m3", "en-gb-scotland+m2", "en-us+f4", "en-029")
TEST_VOICES = ("en-gb-x-rp+f2", "en-us-nyc", "en-gb-x-gbclan+f5", "en-us+m7",
               "en-gb-x-gbcwmd+f2", "en-gb+m4")
# flite voices, split the same way (kal and kal16 are one speaker, so they stay together).
FLITE_DEV_VOICES = ("kal", "kal16", "awb")
FLITE_TEST_VOICES = ("rms", "slt")
SPLITS = ("dev", "test")
NOISES = ("white", "pink", "brown", "babble", "kitchen")
NOISE_WEIGHTS = (0.1, 0.15, 0.1, 0.4, 0.25)


@dataclass(frozen=True)
class Profile:
    name: str
    voices_per_item: int = 1  # renderings of each (phrase, style, SNR)
    styles: tuple[str, ...] = ("one_breath", "pause", "bare")
    snrs: tuple[float | None, ...] = (None, 20.0, 10.0, 5.0)
    distractor_snrs: tuple[float | None, ...] = (None, 10.0)
    wake_only: int = 24  # clips of the wake word alone (rounded up to whole SNR x synth x split)
    conversation_hours: float = 1.0  # split evenly between clean and babble
    conversation_file_s: float = 300.0
    own_voice_s: float = 900.0  # Kindred's own sentences read aloud (at most this long)
    babble_bed_s: float = 60.0
    reverb_fraction: float = 0.4  # of noisy clips; clean clips stay dry
    tail_s: float = 2.0  # room tone after speech, so latency can be measured
    rotate: bool = False  # one combo per phrase (dev+test), cycling style x SNR, not every combo
    distractor_every: int = 1  # keep every n-th distractor / near-miss
    max_items: int | None = None  # cap on clips (tests)


PROFILES = {
    "full": Profile("full"),
    "small": Profile("small", snrs=(None, 10.0),
                     distractor_snrs=(None, 10.0), wake_only=6, conversation_hours=2 / 60,
                     conversation_file_s=60.0, own_voice_s=60.0, babble_bed_s=20.0, rotate=True,
                     distractor_every=3),
}


@dataclass
class Spec:
    kind: str
    mode: str
    style: str
    intent: str | None
    text: str
    voice: str
    split: str
    snr_db: float | None
    synth: str = "espeak"
    extra: dict = field(default_factory=dict)


Pools = dict[str, dict[str, tuple[str, ...]]]  # synth -> split -> voices


def voice_pools(synths: tuple[str, ...] | None = None) -> Pools:
    """Voices per synth family and split. synths=None: espeak, plus flite when installed."""
    pools: Pools = {"espeak": {"dev": DEV_VOICES, "test": TEST_VOICES}}
    if synths is not None and "flite" not in synths:
        return pools
    have = au.flite_voices()
    dev = tuple(v for v in FLITE_DEV_VOICES if v in have)
    test = tuple(v for v in FLITE_TEST_VOICES if v in have)
    if dev and test:
        pools["flite"] = {"dev": dev, "test": test}
    elif synths is not None:
        raise SystemExit("speech_corpus: flite asked for, but `flite -lv` lacks its voices")
    return pools


def clip_specs(profile: Profile, wake: str, intents: dict[str, list[str]],
               pools: Pools | None = None, seed: int = 1) -> list[Spec]:
    """Every clip to render, in a fixed order. Each item is rendered once per split, in a
    voice drawn at random (seeded) from that split's pool of the item's synth family."""
    pools = pools or {"espeak": {"dev": DEV_VOICES, "test": TEST_VOICES}}
    synths = list(pools)
    rng = np.random.default_rng([seed, 5])
    specs: list[Spec] = []

    def both_splits(kind: str, mode: str, style: str, intent: str | None, text: str,
                    snr: float | None, synth: str, renderings: int = 1) -> None:
        for split in SPLITS:
            pool = pools[synth][split]
            for _ in range(renderings):
                v = pool[int(rng.integers(len(pool)))]
                specs.append(Spec(kind, mode, style, intent, text, v, split, snr, synth))

    combos = [(si, style, ni, snr) for si, style in enumerate(profile.styles)
              for ni, snr in enumerate(profile.snrs)]
    j = 0
    for intent, phrases in intents.items():
        for phrase in phrases:
            if profile.rotate:  # one combo per phrase; the family changes every full cycle
                todo = [combos[j % len(combos)]]
                fam = [(j // len(combos)) % len(synths)]
            else:  # every combo; the family alternates over phrases within each combo
                todo = combos
                fam = [(j + si + ni) % len(synths) for si, _, ni, _ in combos]
            j += 1
            for (_, style, _, snr), f in zip(todo, fam):
                mode = "prompted" if style == "bare" else "addressed"
                text = phrase if style == "bare" else f"{wake}, {phrase}"
                both_splits("positive", mode, style, intent, text, snr, synths[f],
                            profile.voices_per_item)
    cells = len(profile.snrs) * len(synths) * len(SPLITS)
    for _ in range(-(-profile.wake_only // cells) if profile.wake_only else 0):
        for snr in profile.snrs:
            for synth in synths:
                both_splits("wake_only", "addressed", "wake", None, wake, snr, synth)
    for kind, sentences in (("distractor", tx.DISTRACTORS), ("near_miss", tx.NEAR_MISSES)):
        for i, s in enumerate(sentences[::profile.distractor_every]):
            for ni, snr in enumerate(profile.distractor_snrs):
                both_splits(kind, "addressed", "sentence", None, s, snr,
                            synths[(i + ni) % len(synths)])
    if profile.max_items is not None:
        step = max(1, len(specs) // profile.max_items)
        specs = specs[::step][: profile.max_items]
    return specs


class Builder:
    def __init__(self, out: Path, profile: Profile, seed: int, pools: Pools) -> None:
        self.out, self.profile, self.seed, self.pools = out, profile, seed, pools
        self.renderer = au.Renderer()
        rng = np.random.default_rng([seed, 0])
        bank = tx.conversation_sentences()
        talkers = [(synth, v) for synth, by_split in pools.items()
                   for split in SPLITS for v in by_split[split]]
        self.babble = au.Babble(self.renderer, bank[::3], talkers, rng,
                                seconds=profile.babble_bed_s)
        self.noise_fns = {"white": au.white, "pink": au.pink, "brown": au.brown,
                          "babble": self.babble, "kitchen": au.kitchen}

    def speech(self, spec: Spec, rng) -> tuple[np.ndarray, int, int]:
        """Dry speech for a clip, its speed/pitch, and where the last phrase starts."""
        speed = int(rng.integers(130, 191))
        pitch = int(rng.integers(35, 66))
        spec.extra.update(speed=speed, pitch=pitch)
        if spec.style == "pause":
            wake, phrase = spec.text.split(", ", 1)
            a = self.renderer.render(wake, spec.voice, speed, pitch, spec.synth)
            b = self.renderer.render(phrase, spec.voice, speed, pitch, spec.synth)
            gap = np.zeros(int(rng.uniform(0.3, 1.2) * au.RATE), dtype=np.float32)
            spec.extra["pause_s"] = round(len(gap) / au.RATE, 3)
            return np.concatenate([a, gap, b]), speed, pitch
        return (self.renderer.render(spec.text, spec.voice, speed, pitch, spec.synth),
                speed, pitch)

    def clip(self, index: int, spec: Spec) -> dict:
        rng = np.random.default_rng([self.seed, 1, index])
        dry, _, _ = self.speech(spec, rng)
        dry = au.set_level(dry, -26 + rng.uniform(-5, 5))
        lead = int(rng.uniform(0.5, 1.2) * au.RATE)
        total = lead + len(dry) + int(self.profile.tail_s * au.RATE)
        sig = np.zeros(total, dtype=np.float32)
        noise_name, rt60 = "none", 0.0
        wet = dry
        if spec.snr_db is not None and rng.uniform() < self.profile.reverb_fraction:
            rt60 = round(float(rng.uniform(0.3, 0.6)), 3)
            wet = au.reverb(dry, rng, rt60)
        end = min(total, lead + len(wet))
        sig[lead:end] += wet[: end - lead]
        p_speech = au.active_power(dry)
        sig += au.scale_noise(p_speech, au.pink(rng, total), 50.0)  # room tone
        if spec.snr_db is not None:
            noise_name = str(rng.choice(NOISES, p=NOISE_WEIGHTS))
            sig += au.scale_noise(p_speech, self.noise_fns[noise_name](rng, total), spec.snr_db)
        peak = float(np.max(np.abs(sig)))
        if peak > 0.98:
            sig *= 0.98 / peak
        a, b = au.active_span(dry)
        rel = f"{spec.kind}/{index:05d}.wav"
        au.write_wav(self.out / rel, sig)
        return {"file": rel, "kind": spec.kind, "mode": spec.mode, "style": spec.style,
                "intent": spec.intent, "text": spec.text, "synth": spec.synth,
                "voice": spec.voice, "noise": noise_name, "snr_db": spec.snr_db, "rt60_s": rt60,
                "split": spec.split,
                "speech_start_s": round((lead + a) / au.RATE, 4),
                "speech_end_s": round((lead + b) / au.RATE, 4),
                "duration_s": round(total / au.RATE, 4), **spec.extra}

    def conversation(self, index: int, noise: str, seconds: float, split: str,
                     synth: str) -> dict:
        """A wake-word-free talk between two voices of one split and family, natural gaps."""
        rng = np.random.default_rng([self.seed, 2, index])
        bank = tx.conversation_sentences()
        pool = self.pools[synth][split]
        pair = [pool[i] for i in rng.choice(len(pool), size=2, replace=len(pool) < 2)]
        speeds = [int(rng.integers(145, 180)) for _ in pair]
        n = int(seconds * au.RATE)
        sig = np.zeros(n, dtype=np.float32)
        pos, who, sentences = int(rng.uniform(0.3, 1.0) * au.RATE), 0, 0
        while pos < n:
            x = self.renderer.render(bank[int(rng.integers(len(bank)))], pair[who], speeds[who],
                                     synth=synth)
            x = au.change_speed(x, float(rng.uniform(0.9, 1.1)))
            x = au.set_level(x, -26 + (3 if who else -1) + rng.uniform(-3, 3))
            end = min(n, pos + len(x))
            sig[pos:end] += x[: end - pos]
            sentences += 1
            gap = rng.uniform(2.0, 5.0) if rng.uniform() < 0.1 else rng.uniform(0.2, 1.2)
            pos = end + int(gap * au.RATE)
            if rng.uniform() < 0.75:
                who = 1 - who
        p_speech = 10 ** (-2.6) * 1.0  # talk is levelled to about -26 dBFS
        sig += au.scale_noise(p_speech, au.pink(rng, n), 50.0)
        snr = None
        if noise == "babble":
            snr = 10.0
            sig += au.scale_noise(p_speech, self.babble(rng, n), snr)
        rel = f"conversation/{noise}_{index:03d}.wav"
        au.write_wav(self.out / rel, sig)
        return {"file": rel, "kind": "conversation", "mode": "addressed", "style": "talk",
                "intent": None, "text": None, "synth": synth, "voice": "+".join(pair),
                "noise": noise,
                "snr_db": snr, "rt60_s": 0.0, "split": split, "speech_start_s": None,
                "speech_end_s": None, "duration_s": round(n / au.RATE, 4),
                "sentences": sentences}

    def own_voice(self, index: int, texts: list[str], seconds: float) -> dict:
        """What Kindred itself says (lines, questions, prayers), as heard by its own
        microphone if nothing gated it; sentences naming the wake word are left out."""
        rng = np.random.default_rng([self.seed, 3, index])
        voice = ("en-us", "en-gb")[index % 2]
        n = int(seconds * au.RATE)
        sig = np.zeros(n, dtype=np.float32)
        pos, said = int(0.5 * au.RATE), 0
        while pos < n and said < len(texts):
            x = self.renderer.render(texts[said], voice, 150)
            x = au.set_level(x, -26 + rng.uniform(-2, 2))
            end = min(n, pos + len(x))
            sig[pos:end] += x[: end - pos]
            said += 1
            pos = end + int(rng.uniform(0.8, 2.0) * au.RATE)
        n = min(n, pos)
        sig = sig[:n] + au.scale_noise(10 ** (-2.6), au.pink(rng, n), 50.0)
        rel = f"own_voice/{index:03d}.wav"
        au.write_wav(self.out / rel, sig)
        return {"file": rel, "kind": "own_voice", "mode": "addressed", "style": "talk",
                "intent": None, "text": None, "synth": "espeak", "voice": voice,
                "noise": "none", "snr_db": None,
                "rt60_s": 0.0, "split": "dev" if index % 2 == 0 else "test",
                "speech_start_s": None, "speech_end_s": None,
                "duration_s": round(n / au.RATE, 4), "sentences": said}

    def build(self, intents: dict[str, list[str]], wake: str,
              own_texts: list[str] = ()) -> list[dict]:
        specs = clip_specs(self.profile, wake, intents, self.pools, self.seed)
        rows = [self.clip(i, s) for i, s in enumerate(specs)]
        per_noise = self.profile.conversation_hours * 3600 / 2
        # Equal-length files, a whole number per (family, split) cell, for each noise.
        cells = [(split, synth) for synth in self.pools for split in SPLITS]
        per_cell = max(1, -(-per_noise // (len(cells) * self.profile.conversation_file_s)))
        n_files = len(cells) * int(per_cell)
        secs = per_noise / n_files
        index = 0
        for noise in ("none", "babble"):
            for k in range(n_files if secs > 1.0 else 0):
                split, synth = cells[k % len(cells)]
                rows.append(self.conversation(index, noise, secs, split, synth))
                index += 1
        texts = [t for t in own_texts if wake not in t.lower()]
        np.random.default_rng([self.seed, 4]).shuffle(texts)
        left, index = self.profile.own_voice_s, 0
        while texts and left > 1.0:
            row = self.own_voice(index, texts, min(self.profile.conversation_file_s, left))
            rows.append(row)
            left -= row["duration_s"]
            texts = texts[row["sentences"]:]
            index += 1
        self.renderer.close()
        return rows


def load_intents() -> tuple[str, dict[str, list[str]]]:
    from kindred.content.library import load_library

    commands = load_library().commands
    return commands.wake_word, {k: list(v) for k, v in commands.intents.items()}


def load_own_texts() -> list[str]:
    """Everything Kindred says, exactly as a session speaks it (placeholders filled, faith
    on): the same list `kindred prepare` renders."""
    from kindred.content.library import load_library
    from kindred.speech_out.prepare import library_lines

    return library_lines(load_library())


def stamp_of(profile: Profile, seed: int, wake: str, intents: dict, own: list[str],
             pools: Pools) -> dict:
    words = json.dumps([wake, intents, own, tx.DISTRACTORS, tx.NEAR_MISSES,
                        tx.conversation_sentences()], sort_keys=True)
    return {"version": VERSION, "seed": seed, "profile": asdict(profile), "voices": pools,
            "words_sha256": hashlib.sha256(words.encode()).hexdigest()}


def build_corpus(out: Path, profile: Profile, seed: int = 1, force: bool = False,
                 wake: str | None = None, intents: dict[str, list[str]] | None = None,
                 own_texts: list[str] | None = None,
                 synths: tuple[str, ...] | None = None) -> Path:
    """Build (or reuse) the corpus in `out`; return the manifest path. The command phrases
    and Kindred's own sentences come from the content library unless given. synths: the
    TTS families to use (None: espeak, plus flite when it is installed)."""
    if intents is None or wake is None:
        wake, intents = load_intents()
    if own_texts is None:
        own_texts = load_own_texts()
    out = Path(out)
    pools = voice_pools(synths)
    if "flite" not in pools and synths is None:
        print("speech_corpus: flite is not installed; building an espeak-only corpus "
              "(apt-get install flite adds the flite voices)", file=sys.stderr)
    stamp = stamp_of(profile, seed, wake, intents, own_texts, pools)
    manifest = out / MANIFEST
    stamp_file = out / STAMP
    if not force and manifest.exists() and stamp_file.exists():
        if json.loads(stamp_file.read_text()) == json.loads(json.dumps(stamp)):
            rows = load_manifest(out)
            if all((out / r["file"]).exists() for r in rows):
                return manifest
    out.mkdir(parents=True, exist_ok=True)
    rows = Builder(out, profile, seed, pools).build(intents, wake, own_texts)
    tmp = manifest.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(r) + "\n" for r in rows))
    tmp.replace(manifest)
    stamp_file.write_text(json.dumps(stamp, indent=1) + "\n")
    return manifest


def load_manifest(corpus: Path) -> list[dict]:
    with open(Path(corpus) / MANIFEST) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def summary(rows: list[dict]) -> str:
    by_kind: dict[str, list[float]] = {}
    for r in rows:
        by_kind.setdefault(r["kind"], []).append(r["duration_s"])
    parts = [f"{k}: {len(v)} files, {sum(v) / 60:.1f} min" for k, v in by_kind.items()]
    total = sum(sum(v) for v in by_kind.values())
    return "; ".join(parts) + f"; total {total / 3600:.2f} h"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path("bench-out/corpus"))
    ap.add_argument("--small", action="store_true", help="a few minutes of audio (< 30 s)")
    ap.add_argument("--hours", type=float, help="hours of conversation (half clean, half babble)")
    ap.add_argument("--voices-per-item", type=int, help="renderings per phrase/style/SNR")
    ap.add_argument("--synths", help="comma list of TTS families (default: espeak, plus "
                    "flite when installed)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = ap.parse_args(argv)
    profile = PROFILES["small" if args.small else "full"]
    if args.hours is not None:
        profile = replace(profile, conversation_hours=args.hours)
    if args.voices_per_item:
        profile = replace(profile, voices_per_item=args.voices_per_item)
    t0 = time.monotonic()
    synths = tuple(x.strip() for x in args.synths.split(",")) if args.synths else None
    manifest = build_corpus(args.out, profile, seed=args.seed, force=args.force, synths=synths)
    rows = load_manifest(args.out)
    print(f"{manifest}: {summary(rows)} ({time.monotonic() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
