"""`kindred model fetch`: download + SHA-256 + resume + safe unzip, against a local server.

The real site is unreachable here (and in CI), so a tiny fake model zip is served from
127.0.0.1 by a handler that honours Range requests like a real web server. Nothing leaves
the machine.
"""

from __future__ import annotations

import hashlib
import io
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kindred.cli.main import main
from kindred.errors import ModelError, OfflineError
from kindred.speech_in import model_fetch

NAME = "vosk-model-small-en-us-0.15"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


FAKE = _zip({f"{NAME}/am/final.mdl": b"x" * 50_000, f"{NAME}/conf/model.conf": b"--beam=10\n",
             f"{NAME}/README": b"fake model for tests\n"})


class _Server:
    def __init__(self, payload: bytes, honour_range: bool = True) -> None:
        self.payload = payload
        self.ranges: list[str | None] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                rng = self.headers.get("Range")
                server.ranges.append(rng)
                data, status = server.payload, 200
                if rng and honour_range:
                    start = int(rng.split("=")[1].rstrip("-"))
                    if start >= len(data):
                        self.send_response(416)
                        self.end_headers()
                        return
                    data, status = data[start:], 206
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/{NAME}.zip"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def server():
    s = _Server(FAKE)
    yield s
    s.close()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_download_verify_unpack(server, tmp_path, capsys):
    dest = tmp_path / "models"
    path = model_fetch.fetch_model(server.url, sha(FAKE), dest)
    assert path == dest / NAME and (path / "am" / "final.mdl").stat().st_size == 50_000
    assert not (dest / f"{NAME}.zip.part").exists()
    assert "downloading" in capsys.readouterr().err
    assert oct(dest.stat().st_mode & 0o777) == "0o700"
    # already installed: no second request
    model_fetch.fetch_model(server.url, sha(FAKE), dest)
    assert len(server.ranges) == 1


def test_resume_uses_a_range_request(server, tmp_path):
    dest = tmp_path / "models"
    dest.mkdir()
    (dest / f"{NAME}.zip.part").write_bytes(FAKE[:20_000])
    model_fetch.fetch_model(server.url, sha(FAKE), dest, progress=None)
    assert server.ranges == ["bytes=20000-"]
    assert (dest / NAME / "conf" / "model.conf").read_bytes() == b"--beam=10\n"


def test_server_ignoring_range_restarts_cleanly(tmp_path):
    s = _Server(FAKE, honour_range=False)
    try:
        dest = tmp_path / "models"
        dest.mkdir()
        (dest / f"{NAME}.zip.part").write_bytes(b"garbage" * 100)
        model_fetch.fetch_model(s.url, sha(FAKE), dest, progress=None)
        assert (dest / NAME / "am").is_dir()
    finally:
        s.close()


def test_checksum_mismatch_deletes_and_installs_nothing(server, tmp_path):
    dest = tmp_path / "models"
    with pytest.raises(ModelError, match="checksum mismatch"):
        model_fetch.fetch_model(server.url, "0" * 64, dest, progress=None)
    assert not (dest / f"{NAME}.zip.part").exists() and not (dest / NAME).exists()


@pytest.mark.parametrize("bad", ["../evil.txt", "/abs/evil.txt", f"{NAME}/../../evil.txt"])
def test_path_traversal_is_refused(tmp_path, bad):
    payload = _zip({f"{NAME}/am/final.mdl": b"x", bad: b"pwned"})
    s = _Server(payload)
    try:
        with pytest.raises(ModelError, match="unsafe path"):
            model_fetch.fetch_model(s.url, sha(payload), tmp_path / "models", progress=None)
    finally:
        s.close()
    assert not any(p.name == "evil.txt" for p in tmp_path.rglob("*"))


def test_offline_is_one_clear_error(tmp_path):
    with pytest.raises(OfflineError, match="unreachable"):
        model_fetch.fetch_model("http://127.0.0.1:9/none.zip", "0" * 64, tmp_path, progress=None)


def test_cli_fetch_and_status(server, capsys, kindred_dirs):
    assert main(["model", "status"]) == 0
    assert "engine: pocketsphinx" in capsys.readouterr().out
    assert main(["model", "fetch", "--url", server.url, "--sha256", sha(FAKE)]) == 0
    assert str(kindred_dirs["data"] / "models" / NAME) in capsys.readouterr().out
    assert main(["model", "status"]) == 0
    assert "installed at" in capsys.readouterr().out


def test_cli_offline_exit_code(capsys):
    assert main(["model", "fetch", "--url", "http://127.0.0.1:9/x.zip"]) == 5
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "unreachable" in err
