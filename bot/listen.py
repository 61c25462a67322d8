"""The server's address taken before anything is printed, so that a busy port is one clear line
rather than addresses and a token that point at another program, then uvicorn's traceback."""

from __future__ import annotations

import errno
import socket


class AddressUnusable(Exception):
    """The host or port cannot be listened on; the message says why, in Chinese."""


def bind(host: str, port: int, *, change: str) -> socket.socket:
    """A socket bound to host:port for uvicorn to serve on (`Server.run(sockets=[...])`);
    `change` tells how to choose another port ("--port", "JOBBOT_PORT=")."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror:
        raise AddressUnusable(f"找不到地址 {host}，请检查 --host 或 JOBBOT_HOST。") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: a port in TIME_WAIT is free
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise AddressUnusable(f"端口 {port} 已经被别的程序占用（也许另一个 jobbot 还在运行），"
                                  f"请换一个端口，比如 {change}{port + 1}。") from None
        raise AddressUnusable(f"不能在 {host}:{port} 上启动：{error.strerror}。") from None
    sock.set_inheritable(True)
    return sock
