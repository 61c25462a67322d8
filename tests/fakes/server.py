"""Servers on free 127.0.0.1 ports for tests that want real HTTP: an ASGI app under uvicorn
in a thread (fake platform APIs, our own app), or `jobbot serve`/`demo` as a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def serving(app: Any, *, lifespan: Literal["auto", "on", "off"] = "on") -> Iterator[str]:
    """The app's base URL while it runs; startup and shutdown of its lifespan included."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan=lifespan))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # start-up loads the knowledge base first
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@dataclass(frozen=True)
class Started:
    url: str
    log: Path  # what the process printed, stdout and stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def jobbot_running(command: str, tmp_path: Path, env: dict[str, str]) -> Iterator[Started]:
    """`jobbot <command>` as a person would start it, on a free loopback port with a data
    folder in `tmp_path`, no JOBBOT_* setting but `env`; stopped when the block ends."""
    port = free_port()
    full = {k: v for k, v in os.environ.items() if not k.startswith("JOBBOT_")}
    full.update({"JOBBOT_PORT": str(port), "JOBBOT_HOST": "127.0.0.1", "JOBBOT_DATA_DIR": str(tmp_path / "data"),
                 "PYTHONPATH": str(ROOT), **env})
    started = Started(f"http://127.0.0.1:{port}", tmp_path / f"{command}.log")
    with started.log.open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "bot", command], cwd=tmp_path, env=full,
                                   stdout=log, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(started.url + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"jobbot {command} did not start:\n" + started.log.read_text())
                time.sleep(0.1)
            yield started
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
