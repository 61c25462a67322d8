"""WeChat webhook benchmark: `jobbot serve` against a bare wechatpy echo server.

Starts `jobbot serve` (a subprocess, fresh SQLite database in a temp dir) on a free loopback
port, and sends N signed text messages from many simulated villagers at concurrency C over
keep-alive connections: each villager goes through the whole registration (登记, town,
village, age, skills …, confirm), so every message does real work (dedup log, state row
lock, handler, reply stored). A load generator in a separate process (a minimal asyncio
HTTP/1.1 client, so that it costs the shared CPUs little) measures each request. Then the
same load goes to an echo server written here on wechatpy alone (signature check, parse,
echo reply) under the same ASGI server, and the ratio is printed.

`--database-url` runs jobbot on that database instead (say a scratch PostgreSQL database): it
is migrated first, and the counts printed are of the rows this run added.

Run: .venv/bin/python benchmarks/wechat_webhook.py [-n 5000] [-c 50] [--users 500] [--workers 1]
     [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/scratch]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-token-0001"
REGISTRATION = ["登记", "华埠", "金星村", "62", "1 3", "1", "2", "1", "1", "1"]
SORRY = "系统刚才出了点问题"


# --- the bare wechatpy echo server (run in its own process) --------------------------------------
async def echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A minimal ASGI app on wechatpy alone: check the signature, parse, echo the text back."""
    from urllib.parse import parse_qsl

    from wechatpy import create_reply, parse_message
    from wechatpy.exceptions import InvalidSignatureException
    from wechatpy.utils import check_signature

    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    query = dict(parse_qsl(scope["query_string"].decode()))
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    try:
        check_signature(TOKEN, query.get("signature", ""), query.get("timestamp", ""), query.get("nonce", ""))
        message = parse_message(body)
        status, payload = 200, create_reply(message.content, message).render().encode()
    except InvalidSignatureException:
        status, payload = 403, b"forbidden"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/xml"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})


def serve_echo(port: int) -> None:
    import uvicorn

    uvicorn.run(echo_app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


# --- the load generator (run in its own process) ------------------------------------------------
def signed_request(host: str, port: int, openid: str, text: str, msg_id: int) -> bytes:
    timestamp, nonce = str(int(time.time())), f"{msg_id % 999983}"
    signature = hashlib.sha1("".join(sorted([TOKEN, timestamp, nonce])).encode()).hexdigest()
    body = (f"<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>").encode()
    path = f"/wechat?signature={signature}&timestamp={timestamp}&nonce={nonce}&openid={openid}"
    return (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: text/xml\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
    return status, await reader.readexactly(length)


async def _connection(host: str, port: int, jobs: list[tuple[str, str, int]], latencies: list[float],
                      errors: list[str]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    for openid, text, msg_id in jobs:
        request = signed_request(host, port, openid, text, msg_id)
        started = time.perf_counter()
        try:
            writer.write(request)
            status, body = await _read_response(reader)
        except (OSError, asyncio.IncompleteReadError) as exc:
            errors.append(type(exc).__name__)
            writer.close()
            reader, writer = await asyncio.open_connection(host, port)
            continue
        latencies.append(time.perf_counter() - started)
        if status != 200:
            errors.append(f"HTTP {status}")
        elif SORRY in body.decode("utf-8", "replace"):
            errors.append("handler error reply")
    writer.close()


def plan(users: int, total: int, concurrency: int, prefix: str) -> list[list[tuple[str, str, int]]]:
    """Messages per connection: each villager's registration in order, villagers interleaved."""
    people = [f"o{prefix}{i:021d}" for i in range(users)]
    per_user = max(1, total // users)
    lines = [REGISTRATION[k % len(REGISTRATION)] for k in range(per_user)]
    base = int(time.time() * 1_000_000) * 1000  # MsgIds unique across runs
    connections: list[list[tuple[str, str, int]]] = [[] for _ in range(concurrency)]
    for c in range(concurrency):
        mine = people[c::concurrency]
        for step, text in enumerate(lines):
            for person in mine:
                connections[c].append((person, text, base + people.index(person) * 100 + step))
    return connections


def run_load(host: str, port: int, total: int, concurrency: int, users: int, prefix: str) -> dict[str, Any]:
    async def main() -> dict[str, Any]:
        latencies: list[float] = []
        errors: list[str] = []
        work = plan(users, total, concurrency, prefix)
        started = time.perf_counter()
        await asyncio.gather(*(_connection(host, port, jobs, latencies, errors) for jobs in work))
        elapsed = time.perf_counter() - started
        return {"requests": sum(len(j) for j in work), "seconds": elapsed, "latencies": latencies, "errors": errors}

    return asyncio.run(main())


# --- orchestration -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def load_in_subprocess(port: int, total: int, concurrency: int, users: int, prefix: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--load", str(port), str(total), str(concurrency), str(users),
                          prefix], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def summary(name: str, result: dict[str, Any]) -> dict[str, float]:
    lat = sorted(result["latencies"])
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else [lat[0]] * 99
    figures = {"rps": result["requests"] / result["seconds"], "p50": q[49] * 1000, "p95": q[94] * 1000,
               "p99": q[98] * 1000, "errors": len(result["errors"])}
    kinds = sorted(set(result["errors"]))
    print(f"{name:<16} {result['requests']:>6} req in {result['seconds']:6.2f}s  {figures['rps']:8.0f} req/s  "
          f"p50 {figures['p50']:6.1f} ms  p95 {figures['p95']:6.1f} ms  p99 {figures['p99']:6.1f} ms  "
          f"errors {figures['errors']}{' ' + str(kinds) if kinds else ''}")
    return figures


def measure(name: str, command: list[str], env: dict[str, str], port: int, args: argparse.Namespace,
            prefix: str) -> dict[str, float]:
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_ready(port, process)
        load_in_subprocess(port, min(args.users, 200) * 2, args.concurrency, min(args.users, 200), "w" + prefix)
        return summary(name, load_in_subprocess(port, args.requests, args.concurrency, args.users, prefix))
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def database_counts(url: str) -> tuple[int, int]:
    """(messages handled, villagers registered) in the database at `url`."""
    from sqlalchemy import text

    from storage.db import throwaway_engine

    engine = throwaway_engine(url)
    with engine.connect() as conn:
        handled = conn.execute(text("select count(*) from inbound_message where status = 'done'")).scalar_one()
        workers = conn.execute(text("select count(*) from worker")).scalar_one()
    engine.dispose()
    return handled, workers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--requests", type=int, default=5000)
    parser.add_argument("-c", "--concurrency", type=int, default=50)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers for both servers")
    parser.add_argument("--database-url", help="run jobbot on this database instead of a fresh SQLite file")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    data = Path(tempfile.mkdtemp(prefix="jobbot-bench-"))
    try:
        jobbot_port, echo_port = free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("JOBBOT_")}
        env.update(JOBBOT_DATA_DIR=str(data), JOBBOT_PORT=str(jobbot_port), JOBBOT_HOST="127.0.0.1",
                   JOBBOT_WECHAT_TOKEN=TOKEN, PYTHONPATH=str(ROOT))
        url, before = f"sqlite:///{data / 'jobbot.sqlite3'}", (0, 0)
        if args.database_url:
            from storage.db import upgrade

            url = args.database_url
            upgrade(url)  # `jobbot serve` migrates only its own SQLite file
            env["JOBBOT_DATABASE_URL"] = url
            before = database_counts(url)
        print(f"{args.requests} signed text messages, {args.users} villagers registering, "
              f"{args.concurrency} keep-alive connections, {os.cpu_count()} CPUs, workers={args.workers}, "
              f"{url.split(':', 1)[0]}")
        jobbot_cmd = [sys.executable, "-c", "from bot.cli import main; main()", "serve", "--workers",
                      str(args.workers)]
        jobbot = measure("jobbot serve", jobbot_cmd, env, jobbot_port, args, "J")
        handled, workers = (after - earlier for after, earlier in zip(database_counts(url), before))
        print(f"{'':<16} {handled} messages handled once each, {workers} villagers registered")
        echo_cmd = [sys.executable, "-c",
                    f"import uvicorn; uvicorn.run('benchmarks.wechat_webhook:echo_app', host='127.0.0.1', "
                    f"port={echo_port}, workers={args.workers}, access_log=False, log_level='warning')"]
        echo = measure("wechatpy echo", echo_cmd, env, echo_port, args, "E")
        print(f"ratio jobbot / wechatpy-echo: throughput {jobbot['rps'] / echo['rps']:.2f}x, "
              f"p99 {jobbot['p99'] / echo['p99']:.2f}x")
        goal = jobbot["p99"] < 100 and jobbot["rps"] >= 0.5 * echo["rps"] and not jobbot["errors"]
        print(f"goal (p99 < 100 ms, >= 0.5x echo throughput, no errors): {'met' if goal else 'NOT met'}")
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--load":
        port, total, concurrency, users, prefix = sys.argv[2:7]
        result = run_load("127.0.0.1", int(port), int(total), int(concurrency), int(users), prefix)
        print(json.dumps(result))
    else:
        main()
