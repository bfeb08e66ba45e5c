"""`kindred model fetch`: download the English vosk model, once, when the user asks.

This is the only code in Kindred that opens a network connection, and it runs only from
`kindred model fetch`. The download:

- goes to `<models>/<name>.zip.part` and resumes with an HTTP Range request if a previous
  attempt was interrupted (a server that ignores Range restarts it from zero);
- is verified against a SHA-256 before anything is unpacked; a mismatch deletes the file;
- is unpacked safely: members with absolute paths, "..", or links are refused, and the
  model appears atomically (unpacked into a temp folder, then renamed);
- shows a progress bar on stderr; without a network it fails with one OfflineError line.

MODEL_SHA256 is not published by alphacephei.com itself; it is the value independently
pinned by many public projects (Yocto/BitBake recipes, app download scripts) for this exact
URL and file size (41,205,931 bytes). If upstream ever re-packs the zip, the check fails
loudly rather than installing something unverified.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import stat
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath
from typing import TextIO

from kindred import paths
from kindred.errors import ModelError, OfflineError
from kindred.speech_in.factory import VOSK_MODEL_NAME, models_dir

MODEL_URL = f"https://alphacephei.com/vosk/models/{VOSK_MODEL_NAME}.zip"
MODEL_SHA256 = "30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498"
MODEL_SIZE = 41_205_931
BLOCK = 1 << 16
TIMEOUT_S = 30


def model_status(dest_dir: Path | None = None, name: str = VOSK_MODEL_NAME) -> dict:
    dest_dir = dest_dir or models_dir()
    target = dest_dir / name
    part = dest_dir / f"{name}.zip.part"
    return {"name": name, "path": target, "installed": (target / "am").is_dir(),
            "partial_bytes": part.stat().st_size if part.exists() else 0}


def fetch_model(url: str = MODEL_URL, sha256: str = MODEL_SHA256, dest_dir: Path | None = None,
                name: str = VOSK_MODEL_NAME, progress: TextIO | None | str = "stderr") -> Path:
    """Download, verify and unpack; return the model folder. Does nothing if it is there.

    progress: a text stream for the progress bar, None for none; default sys.stderr."""
    if progress == "stderr":
        progress = sys.stderr
    dest_dir = dest_dir or models_dir()
    target = dest_dir / name
    if (target / "am").is_dir():
        return target
    paths.ensure_private_dir(dest_dir)
    part = dest_dir / f"{name}.zip.part"
    _download(url, part, progress)
    digest = _sha256(part)
    if digest != sha256.lower():
        part.unlink()
        raise ModelError(f"{url}: checksum mismatch (got {digest[:12]}..., expected "
                         f"{sha256[:12]}...); the download was deleted, nothing was installed")
    _unpack(part, dest_dir, name)
    part.unlink()
    return target


def _download(url: str, part: Path, progress: TextIO | None) -> None:
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "kindred-model-fetch"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT_S)  # noqa: S310 (https/http only)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # nothing left to fetch: the .part is complete
            return
        raise ModelError(f"{url}: the server answered HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, socket.timeout, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise OfflineError(f"cannot download the speech model: {url} is unreachable ({reason}); "
                           "connect to the internet and run `kindred model fetch` again") from None
    with response:
        if have and response.status != 206:
            have = 0  # the server ignored Range: start again
        length = response.headers.get("Content-Length")
        total = have + int(length) if length and length.isdigit() else None
        mode = "ab" if have else "wb"
        fd = os.open(part, os.O_WRONLY | os.O_CREAT, paths.PRIVATE_FILE_MODE)
        os.close(fd)
        done = have
        try:
            with open(part, mode) as out:
                while True:
                    block = response.read(BLOCK)
                    if not block:
                        break
                    out.write(block)
                    done += len(block)
                    _bar(progress, done, total)
        except (socket.timeout, ConnectionError, OSError) as exc:
            raise OfflineError(f"the download stopped after {done} bytes ({exc}); run "
                               "`kindred model fetch` again to resume") from None
        finally:
            if progress is not None:
                progress.write("\n")
                progress.flush()
    if total is not None and done < total:
        raise OfflineError(f"the download stopped after {done} of {total} bytes; run "
                           "`kindred model fetch` again to resume")


def _bar(progress: TextIO | None, done: int, total: int | None) -> None:
    if progress is None:
        return
    mb = done / 1e6
    if total:
        width = 30
        filled = int(width * done / total)
        progress.write(f"\rdownloading [{'#' * filled}{'.' * (width - filled)}] "
                       f"{mb:5.1f}/{total / 1e6:.1f} MB")
    else:
        progress.write(f"\rdownloading {mb:5.1f} MB")
    progress.flush()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _safe_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    members = []
    for info in archive.infolist():
        name = PurePosixPath(info.filename.replace("\\", "/"))
        if name.is_absolute() or ".." in name.parts or (name.parts and ":" in name.parts[0]):
            raise ModelError(f"the model archive holds an unsafe path ({info.filename}); refused")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise ModelError(f"the model archive holds a link ({info.filename}); refused")
        members.append(info)
    return members


def _unpack(zip_path: Path, dest_dir: Path, name: str) -> None:
    try:
        archive = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile:
        zip_path.unlink()
        raise ModelError(f"{zip_path}: the download is not a zip archive; deleted") from None
    with archive:
        members = _safe_members(archive)
        tmp = Path(tempfile.mkdtemp(dir=dest_dir, prefix=f".{name}.unpack-"))
        try:
            for info in members:
                archive.extract(info, tmp)
            tops = {PurePosixPath(m.filename).parts[0] for m in members if m.filename.strip("/")}
            root = tmp / next(iter(tops)) if len(tops) == 1 and (tmp / next(iter(tops))).is_dir() else tmp
            if not (root / "am").is_dir():
                raise ModelError(f"{zip_path}: the archive is not a vosk model (no am/ folder)")
            os.replace(root, dest_dir / name)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
