"""Where Kindred keeps its files, and how private files are created.

Directories come from platformdirs; each can be moved with an environment variable
(KINDRED_CONFIG_DIR, KINDRED_DATA_DIR, KINDRED_CACHE_DIR), which tests and portable
installs use. Everything Kindred creates is private: directories 0700, files 0600.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import platformdirs

APP = "kindred"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def _dir(env: str, default: str) -> Path:
    value = os.environ.get(env)
    return Path(value) if value else Path(default)


def config_dir() -> Path:
    return _dir("KINDRED_CONFIG_DIR", platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    return _dir("KINDRED_DATA_DIR", platformdirs.user_data_dir(APP))


def cache_dir() -> Path:
    return _dir("KINDRED_CACHE_DIR", platformdirs.user_cache_dir(APP))


def config_file() -> Path:
    return config_dir() / "config.yaml"


def user_content_dir() -> Path:
    """The couple's own content folder: adds to or overrides the built-in content."""
    return config_dir() / "content"


def history_file() -> Path:
    return data_dir() / "history.sqlite3"


def render_cache_dir() -> Path:
    return cache_dir() / "speech"


def ensure_private_dir(path: Path) -> Path:
    """Create `path` and any missing parents as 0700; return it.

    A folder that already exists is never touched: KINDRED_CACHE_DIR=/tmp (or a shared
    folder) must not have its mode changed. Only folders this call makes are chmod'ed (mkdir's
    mode is masked by the umask). FileExistsError if `path` is a file.
    """
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):  # outermost first
        try:
            os.mkdir(folder, PRIVATE_DIR_MODE)
        except FileExistsError:
            continue  # made meanwhile by someone else: not ours to change
        os.chmod(folder, PRIVATE_DIR_MODE)
    path.mkdir(exist_ok=True)  # no-op for a folder; FileExistsError for a file
    return path


def write_private(path: Path, data: bytes) -> None:
    """Atomically write `data` to `path` as a 0600 file (temp file + rename)."""
    ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
