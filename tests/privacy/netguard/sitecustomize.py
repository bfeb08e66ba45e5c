"""Network guard for privacy tests: loaded into every Python process of a kindred run.

tests/privacy puts this folder first on PYTHONPATH, so Python imports it at start-up (before
kindred or any dependency). It installs an audit hook (sys.addaudithook, PEP 578) that sees
every socket connect/sendto/bind and every name lookup made through Python, in this process
and in every Python child (the env is inherited). Each attempt that is not an AF_UNIX socket
(PulseAudio and multiprocessing use those, and they never leave the machine) is appended as
one JSON line to $KINDRED_NETGUARD_LOG and then refused with PermissionError, so nothing is
sent even if the test would otherwise miss it. HTTP-level events (urllib, http.client) are
recorded too, and so is any subprocess start, so tests can check no helper tool phones home.

Native code (vosk, espeak-ng, PortAudio) does not pass through Python's socket module; the
strace and `unshare -n` variants of the tests cover that.
"""

import json
import os
import socket
import sys

_LOG = os.environ.get("KINDRED_NETGUARD_LOG")
_NET_EVENTS = {
    "socket.connect", "socket.sendto", "socket.sendmsg", "socket.bind",
    "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr",
    "socket.getnameinfo", "http.client.connect", "urllib.Request", "ftplib.connect",
    "smtplib.connect", "poplib.connect", "imaplib.open", "nntplib.connect", "telnetlib.Telnet.open",
    "webbrowser.open",
}
# Helper programs that would open the network if started.
_NET_TOOLS = {"curl", "wget", "ssh", "scp", "nc", "ncat", "git", "pip", "apt-get", "apt"}


def _record(event, detail):
    line = json.dumps({"pid": os.getpid(), "event": event, "detail": detail,
                       "argv": sys.argv[:3]}, default=repr)
    with open(_LOG, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def _is_unix(args):
    sock = args[0] if args else None
    family = getattr(sock, "family", None)
    if family is not None:
        return family == socket.AF_UNIX
    return False


_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _hook(event, args):
    if event in _NET_EVENTS:
        if event in ("socket.connect", "socket.sendto", "socket.sendmsg", "socket.bind") and _is_unix(args):
            return
        # Binding a loopback port sends nothing (urllib3, imported by vosk, probes IPv6 this
        # way at import); only a bind elsewhere is a network act.
        if event == "socket.bind" and isinstance(args[1], tuple) and args[1][0] in _LOOPBACK:
            return
        _record(event, [repr(a) for a in args if not hasattr(a, "fileno")])
        raise PermissionError(f"kindred netguard: network use refused ({event})")
    if event == "subprocess.Popen":
        executable, cmd = args[0], args[1]
        first = cmd[0] if isinstance(cmd, (list, tuple)) and cmd else cmd
        name = os.path.basename(os.fsdecode(executable or first or ""))
        if name in _NET_TOOLS:
            _record(event, [name, repr(cmd)])
            raise PermissionError(f"kindred netguard: network tool refused ({name})")


if _LOG:
    sys.addaudithook(_hook)
