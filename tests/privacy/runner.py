"""Run the real `kindred` program in a sealed-off subprocess and record what it did.

Every run gets its own root folder holding the KINDRED_* dirs, HOME, TMPDIR and the working
directory, so a before/after snapshot of that root sees every file the program could leave
behind. Three independent witnesses watch the network:

- netguard/sitecustomize.py: an audit hook in every Python process of the run records (and
  refuses) each non-AF_UNIX connect/sendto/bind and every name lookup;
- strace (when installed): every socket()/connect()/sendto() system call, native code
  included (vosk, espeak-ng, PortAudio), and every file opened for writing anywhere;
- `unshare -n` (when permitted): the run happens in a network namespace whose only interface
  is a loopback that is down.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
GUARD_DIR = HERE / "netguard"


def have_strace() -> bool:
    return shutil.which("strace") is not None and subprocess.run(
        ["strace", "-qq", "-e", "trace=none", "true"], capture_output=True).returncode == 0


def have_netns() -> bool:
    return shutil.which("unshare") is not None and subprocess.run(
        ["unshare", "-n", "--", "true"], capture_output=True).returncode == 0


@dataclass
class Sandbox:
    """One private root: config/, data/, cache/, tmp/, home/, cwd/."""

    root: Path

    def __post_init__(self) -> None:
        for name in ("config", "data", "cache", "tmp", "home", "cwd"):
            (self.root / name).mkdir(parents=True, exist_ok=True)

    def dir(self, name: str) -> Path:
        return self.root / name

    def env(self, log: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KINDRED_", "XDG_", "PULSE_"))}
        env.update(
            KINDRED_CONFIG_DIR=str(self.dir("config")),
            KINDRED_DATA_DIR=str(self.dir("data")),
            KINDRED_CACHE_DIR=str(self.dir("cache")),
            HOME=str(self.dir("home")),
            TMPDIR=str(self.dir("tmp")),
            XDG_CONFIG_HOME=str(self.dir("home") / ".config"),
            XDG_DATA_HOME=str(self.dir("home") / ".local/share"),
            XDG_CACHE_HOME=str(self.dir("home") / ".cache"),
            PYTHONPATH=os.pathsep.join([str(GUARD_DIR), str(ROOT / "src")]),
            PYTHONDONTWRITEBYTECODE="1",
            KINDRED_NETGUARD_LOG=str(log),
        )
        return env

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """Relative path -> (size, mode) of every file and folder under the root."""
        out = {}
        for path in sorted(self.root.rglob("*")):
            st = path.lstat()
            out[str(path.relative_to(self.root))] = (st.st_size, stat.S_IMODE(st.st_mode))
        return out


@dataclass
class Run:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    net_attempts: list[dict] = field(default_factory=list)
    native_net: list[str] = field(default_factory=list)  # strace lines: inet sockets/connects
    written: list[str] = field(default_factory=list)  # strace: paths opened for writing

    def describe(self) -> str:
        return (f"kindred {' '.join(self.args)} -> {self.returncode}\n--- stderr ---\n"
                f"{self.stderr[-3000:]}\n--- stdout ---\n{self.stdout[-2000:]}")


_INET = re.compile(r"\b(AF_INET6?|AF_PACKET|PF_INET6?)\b")
# Creating an inet socket or binding it to loopback sends nothing (urllib3 probes IPv6 that
# way); connecting or sending on one, or binding elsewhere, is a network act.
_SOCKCALL = re.compile(r"^\s*(?:\[pid\s+\d+\]\s*|\d+\s+)?(connect|sendto|sendmsg|bind)\(")
_LOOPBACK = re.compile(r'inet_pton\(AF_INET6, "::1"|inet_addr\("127\.0\.0\.1"\)')
_OPEN = re.compile(r'^\s*(?:\[pid\s+\d+\]\s*|\d+\s+)?(?:openat|open|creat)\((?:[^,]+,\s*)?"([^"]+)",\s*([A-Z_|]+)')


def parse_strace(text: str, cwd: Path) -> tuple[list[str], list[str]]:
    """(native network calls on non-unix sockets, paths opened for writing)."""
    net, written = [], []
    for line in text.splitlines():
        m = _SOCKCALL.match(line)
        if m and _INET.search(line) and not (m.group(1) == "bind" and _LOOPBACK.search(line)):
            net.append(line.strip())
        m = _OPEN.match(line)
        if m and re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC", m.group(2)) and "= -1" not in line:
            path = m.group(1)
            written.append(str(path if path.startswith("/") else cwd / path))
    return net, written


def run_kindred(sandbox: Sandbox, args: list[str], *, stdin: str | None = None,
                netns: bool = False, trace: bool = False, timeout: float = 120.0,
                extra_env: dict[str, str] | None = None,
                python_args: list[str] | None = None) -> Run:
    """Run `python -m kindred ARGS` (or `python PYTHON_ARGS`) in the sandbox; collect every
    witness's record."""
    log = sandbox.root / "netguard.jsonl"  # outside the watched subfolders' meaning
    env = sandbox.env(log)
    env.update(extra_env or {})
    cmd = [sys.executable, *(python_args if python_args is not None else ["-m", "kindred", *args])]
    trace_file = sandbox.root / "strace.txt"
    if trace:
        cmd = ["strace", "-f", "-qq", "-s", "256", "-o", str(trace_file), "-e",
               "trace=socket,connect,sendto,sendmsg,bind,open,openat,creat", *cmd]
    if netns:
        cmd = ["unshare", "-n", "--", *cmd]
    proc = subprocess.run(cmd, cwd=sandbox.dir("cwd"), env=env, input=stdin, text=True,
                          capture_output=True, timeout=timeout,
                          stdin=None if stdin is not None else subprocess.DEVNULL)
    attempts = []
    if log.exists():
        attempts = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
        log.unlink()
    native, written = [], []
    if trace and trace_file.exists():
        native, written = parse_strace(trace_file.read_text(errors="replace"), sandbox.dir("cwd"))
        trace_file.unlink()
    return Run(args, proc.returncode, proc.stdout, proc.stderr, attempts, native, written)


# Places a run may open for writing without leaving anything on disk.
DEVICE_PREFIXES = ("/dev/", "/proc/", "/sys/")


def unexpected_writes(run: Run, sandbox: Sandbox) -> list[str]:
    """Paths written outside the sandbox (devices aside): must be none."""
    root = str(sandbox.root)
    return sorted({p for p in run.written
                   if not p.startswith(root + "/") and not p.startswith(DEVICE_PREFIXES)})


def command_exists(name: str) -> bool:
    """True when `kindred NAME` is a discovered subcommand (some land while tests are written)."""
    return (ROOT / "src" / "kindred" / "cli" / "commands" / f"{name.replace('-', '_')}.py").exists()
