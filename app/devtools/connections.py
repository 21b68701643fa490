"""Loopback ports and connections for the tools that start servers: a free port to bind, and which worker process
holds which TCP connection, read from Linux ``/proc`` (for ``./.ci/bench``: how the load generator's keep-alive
connections were split between the workers; and ``tests/test_serve.py``)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

__all__ = ["ESTABLISHED", "LISTENING", "connections_per_worker", "free_port", "sockets_on"]

LISTENING = "0A"
ESTABLISHED = "01"
"""TCP states as ``/proc/net/tcp`` writes them."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on at the moment (the kernel's choice for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
    return port


def sockets_on(port: int, state: str) -> set[str]:
    """Inodes of the IPv4 TCP sockets on local ``port`` in ``state``."""
    inodes: set[str] = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == state:
            inodes.add(fields[9])
    return inodes


def _socket_inodes(pid: int) -> set[str]:
    inodes: set[str] = set()
    try:
        descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:  # the process is gone
        return inodes
    for fd in descriptors:
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _children(parent: int) -> list[int]:
    try:
        return [int(pid) for pid in Path(f"/proc/{parent}/task/{parent}/children").read_text().split()]
    except OSError:  # the process is gone
        return []


def connections_per_worker(parent: int, port: int) -> dict[int, int]:
    """Worker pid → established connections to ``port`` it holds. The workers are the children of ``parent`` that
    hold a listening socket of ``port`` (multiprocessing's resource tracker, for one, does not)."""
    listening = sockets_on(port, LISTENING)
    established = sockets_on(port, ESTABLISHED)
    held: dict[int, int] = {}
    for child in _children(parent):
        inodes = _socket_inodes(child)
        if inodes & listening:
            held[child] = len(inodes & established)
    return held
