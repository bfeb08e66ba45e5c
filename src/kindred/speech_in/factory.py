"""Choose and build the recognizer: `engine: auto|vosk|pocketsphinx` in the config.

auto picks vosk when an English vosk model is present (config.vosk_model, the repository's
models/ folder, or the data dir's models/ folder where `kindred model fetch` puts it),
otherwise pocketsphinx with the model bundled in its wheel, so Kindred listens with zero
downloads. Nothing here touches the network.
"""

from __future__ import annotations

from pathlib import Path

from kindred import paths
from kindred.config import Config
from kindred.content.library import Library, load_library
from kindred.content.phrases import PhraseTable
from kindred.errors import ModelError
from kindred.speech_in.gate import WakeCallback

VOSK_MODEL_NAME = "vosk-model-small-en-us-0.15"
_REPO_MODELS = Path(__file__).resolve().parents[3] / "models"


def models_dir() -> Path:
    """Where `kindred model fetch` unpacks models."""
    return paths.data_dir() / "models"


def _is_vosk_model(path: Path) -> bool:
    return path.is_dir() and (path / "am").is_dir() and (path / "conf").is_dir()


def find_vosk_model(config: Config) -> Path | None:
    """The configured model, else the first English vosk model in models/ or the data dir."""
    if config.vosk_model is not None:
        return Path(config.vosk_model).expanduser()
    for folder in (_REPO_MODELS, models_dir()):
        preferred = folder / VOSK_MODEL_NAME
        if _is_vosk_model(preferred):
            return preferred
        if folder.is_dir():
            for candidate in sorted(folder.glob("vosk-model*en-us*")):
                if _is_vosk_model(candidate):
                    return candidate
    return None


def choose_engine(config: Config) -> tuple[str, Path | None]:
    model = find_vosk_model(config)
    if config.engine == "pocketsphinx":
        return "pocketsphinx", None
    if config.engine == "vosk":
        if model is None:
            raise ModelError("engine is vosk but no vosk model was found; run `kindred model "
                             "fetch` or set vosk_model in the config")
        if not _is_vosk_model(model):
            raise ModelError(f"{model}: not a vosk model folder (needs am/ and conf/)")
        return "vosk", model
    if model is not None and _is_vosk_model(model):
        return "vosk", model
    return "pocketsphinx", None


def build_recognizer(config: Config | None = None, library: Library | None = None,
                     on_wake: WakeCallback | None = None, table: PhraseTable | None = None,
                     live: bool = False):
    """The CommandRecognizer the app uses, live and for `kindred listen --audio`.

    live=True (a microphone, and often a speaker, in this process): pocketsphinx decodes in
    a worker process, because its decode holds the GIL and would starve the audio
    callbacks. The decisions are the same; only where the decoding runs differs. vosk's
    calls (cffi) release the GIL, so it stays in process."""
    config = config or Config()
    if table is None:
        library = library or load_library()
        table = PhraseTable(library.commands, config.wake_word)
    engine, model = choose_engine(config)
    if engine == "vosk":
        from kindred.speech_in.vosk_engine import VoskRecognizer

        return VoskRecognizer(table, model, on_wake=on_wake)
    from kindred.speech_in.sphinx_engine import SphinxRecognizer

    return SphinxRecognizer(table, on_wake=on_wake, in_process=not live)


# mic-check and other callers ask for this name
make_recognizer = build_recognizer
