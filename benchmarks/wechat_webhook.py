"""WeChat webhook benchmark: `jobbot serve` beside the echo servers a Python developer would write.

Load comes from wrk (install it: `apt-get update && apt-get install -y wrk`), one thread by
default so it keeps to one core, with benchmarks/wechat_load.lua sending signed WeChat text
messages from many villagers over keep-alive connections. Without wrk the script falls back
to a small asyncio client in a separate process and says so; that client tops out near
4,300 req/s on a 2-core machine, so its echo figures are the client's limit, not the server's.

For each workload ("mixed": registration answers, 找工作 over a few thousand open jobs, 招聘会,
菜单, policy questions, 我的信息; "registration": registration only, see
benchmarks/wechat_traffic.py) it measures, one after the other on the same machine (every
server under the same uvicorn, which takes httptools and uvloop when they are installed, as
they are with jobbot: the header line says which):

- a bare wechatpy echo on Starlette under uvicorn, 1 worker: the reference (× echo = 1.00);
- the same echo as a raw ASGI callable, 1 worker;
- `jobbot serve` (`--workers N`, default 1) on a fresh SQLite file and on a scratch PostgreSQL
  database, with demo data, a few thousand open jobs and half the villagers registered.

It prints req/s, × echo, p50, p99 and CPU/req (the CPU ms per request of the server's processes
and, on PostgreSQL, of the database's server processes: a busy machine lowers req/s much more
than it moves this) for each, and checks every reply: wrk counts non-200 answers, handler-error
apologies and deferred ("success") answers as they arrive, and afterwards every message in
jobbot's inbound log is checked against the text it answers.
`--broadcast 100000` measures jobbot while a broadcast to that many people is being delivered
(to a fake WeChat API on loopback): queued once the server is warm, the load starting as soon
as the first pushes have gone out.

Targets (issue 20): SQLite ≥ 0.5× the Starlette echo with p99 < 100 ms, PostgreSQL ≥ 0.35×
with p99 < 100 ms, p99 < 150 ms on both during a broadcast.

Run: .venv/bin/python benchmarks/wechat_webhook.py [-d 20] [-c 50] [-t 1] [--users 1000]
     [--jobs 3000] [--workload mixed,registration] [--databases sqlite,postgresql] [--workers 1] [--dispatch N]
     [--broadcast 100000] [--python-client]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlmodel import col

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from wechat_traffic import MAX_RATE, SORRY, TOKEN, Traffic, check_replies, signed_queries  # noqa: E402

LUA = ROOT / "benchmarks" / "wechat_load.lua"
APPID, SECRET = "wx_bench", "bench-secret"
WARM_UP_SECONDS, WARM_UP_ROUNDS = 2, 15
Result = dict[str, Any]


# --- load: wrk, or the Python client when wrk is missing ------------------------------------------
def run_wrk(port: int, traffic: Traffic, args: argparse.Namespace, seconds: float) -> Result:
    with tempfile.TemporaryDirectory() as folder:
        plan = Path(folder) / "plan.lua"
        traffic.write_lua_plan(plan, args.threads, seconds)
        out = subprocess.run(["wrk", f"-t{args.threads}", f"-c{args.concurrency}", f"-d{round(seconds)}s",
                              "--timeout", "10s", "-s", str(LUA), f"http://127.0.0.1:{port}", "--", str(plan)],
                             capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(next(line for line in out.stdout.splitlines() if line.startswith("{")))
    return result


async def _python_connection(port: int, traffic: Traffic, first: int, stride: int, until: float,
                             result: Result, latencies: list[float], queries: list[str]) -> None:
    """One keep-alive connection sending the messages of villagers first, first + stride, … in order."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    step = 0
    while time.monotonic() < until:
        for villager in range(first, traffic.users, stride):
            n = step * traffic.users + villager
            body = traffic.body(n).encode()
            head = (f"POST /wechat?{queries[n % len(queries)]}&openid={traffic.openid(villager)} HTTP/1.1\r\n"
                    f"Host: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: {len(body)}\r\n\r\n").encode()
            started = time.perf_counter()
            writer.write(head + body)
            status, reply = await _read_response(reader)
            latencies.append(time.perf_counter() - started)
            result["requests"] += 1
            if status != 200:
                result["bad_status"] += 1
            elif len(reply) < 16:
                result["deferred"] += 1
            elif SORRY.encode() in reply:
                result["sorry"] += 1
            if time.monotonic() >= until:
                break
        step += 1
    writer.close()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
    return int(lines[0].split()[1]), await reader.readexactly(length)


def python_load(port: int, traffic: Traffic, concurrency: int, seconds: float) -> Result:
    async def main() -> Result:
        result: Result = {"requests": 0, "bad_status": 0, "sorry": 0, "deferred": 0, "socket_errors": 0}
        latencies: list[float] = []
        queries = signed_queries(round(seconds * MAX_RATE))
        started = time.monotonic()
        await asyncio.gather(*(_python_connection(port, traffic, c, concurrency, started + seconds, result, latencies,
                                                  queries) for c in range(concurrency)))
        result["seconds"] = time.monotonic() - started
        q = statistics.quantiles(latencies, n=100, method="inclusive")
        result.update(p50_ms=q[49] * 1000, p99_ms=q[98] * 1000, sent=result["requests"])
        return result

    return asyncio.run(main())


def load(port: int, traffic: Traffic, args: argparse.Namespace, seconds: float) -> Result:
    if args.python_client:
        out = subprocess.run([sys.executable, __file__, "--python-load", str(port), json.dumps(traffic.__dict__),
                              str(args.concurrency), str(seconds)], capture_output=True, text=True, check=True)
        result: dict[str, Any] = json.loads(out.stdout)
        return result
    return run_wrk(port, traffic, args, seconds)


# --- servers --------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(command: list[str], env: dict[str, str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    """The server started, listening on `port`, until the block ends; its log kept in a file."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + 90
            while not _listening(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise SystemExit(f"server did not start: {log.read().decode()[-2000:]}")
                time.sleep(0.2)
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process on this machine has used; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int) -> float:
    """CPU seconds of a process and all its descendants (a server's workers and dispatch children)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry.name))
    family, todo = [], [root]
    while todo:
        family.append(pid := todo.pop())
        todo += children.get(pid, [])
    return sum(process_cpu(pid) for pid in family)


def database_cpu(url: str) -> float:
    """CPU seconds of the PostgreSQL server processes now serving the database at `url` (0 for
    SQLite, or a server on another machine)."""
    if not url.startswith("postgresql"):
        return 0.0
    from sqlalchemy import text

    from storage.db import throwaway_engine

    engine = throwaway_engine(url)
    with engine.connect() as conn:
        pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                 "AND pid <> pg_backend_pid()")).scalars().all()
    engine.dispose()
    return sum(process_cpu(pid) for pid in pids)


def uvicorn_stack() -> str:
    """The HTTP parser and event loop uvicorn picks here (its "auto" choice)."""
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"{http} + {loop}"


def uvicorn_command(app: str, port: int) -> list[str]:
    return [sys.executable, "-c", f"import uvicorn; uvicorn.run({app!r}, host='127.0.0.1', port={port}, "
                                  "workers=1, access_log=False, log_level='warning')"]


@contextmanager
def fake_api(port: int, people: int) -> Iterator[None]:
    command = [sys.executable, __file__, "--fake-api", str(port), str(people)]
    with server(command, {**os.environ, "PYTHONPATH": str(ROOT)}, port):
        yield


def serve_fake_api(port: int, people: int) -> None:
    """The fake WeChat API that broadcast pushes go to, knowing `people` followers."""
    import uvicorn

    from bot.channels.sandbox.fake_api import FakeWeChat, create_fake_api

    fake = FakeWeChat(APPID, SECRET)
    for n in range(1, people + 1):
        fake.user_wrote(f"o{n:08d}")
    uvicorn.run(create_fake_api(fake), host="127.0.0.1", port=port, access_log=False, log_level="warning")


# --- jobbot's database ----------------------------------------------------------------------------
def prepare_database(url: str, traffic: Traffic, jobs: int, broadcast: int) -> None:
    """Migrated, with the demo data, `jobs` open jobs, `broadcast` people to broadcast to, and the
    villagers of the mixed workload who are registered already."""
    import broadcast as county
    import matching

    from bot.services import Services
    from bot.settings import Settings
    from storage.db import make_engine, session_scope, upgrade
    from storage.models import ChatAccount, Worker, WorkerSkill, saved_id
    from storage.seed import load_demo

    upgrade(url)
    engine = make_engine(url)
    services = Services(settings=Settings(database_url=url))
    with session_scope(engine) as session:
        load_demo(session, now=services.clock(), tz=services.tz)
    rng = random.Random(20)
    matching.generate(engine, 0, jobs, rng)
    if broadcast:
        county.generate(engine, broadcast, rng)
    with session_scope(engine) as session:
        for villager in range(traffic.users):
            if not traffic.registered_already(villager):
                continue
            worker = Worker(town="华埠镇", village="金星村", birth_year=1964, skills=["tea", "housekeeping"],
                            availability=["anytime"], travel_range="town")
            session.add(worker)
            session.flush()
            session.add_all([WorkerSkill(worker_id=saved_id(worker), skill="tea"),
                             WorkerSkill(worker_id=saved_id(worker), skill="housekeeping"),
                             ChatAccount(channel="wechat", user_id=traffic.openid(villager), worker_id=worker.id)])
    engine.dispose()


def queue_broadcast(url: str, people: int) -> None:
    from sqlmodel import select

    from storage.db import make_engine, session_scope
    from storage.models import Worker, utcnow
    from storage.outbox import enqueue_selected

    engine = make_engine(url)
    now = utcnow()
    with session_scope(engine) as session:
        enqueue_selected(session, select(col(Worker.id)).where(col(Worker.id) <= people), key_prefix="broadcast:bench:",
                         kind="broadcast", texts=["12月18日人力资源市场招聘会，欢迎参加。"], ref_id=None,
                         not_before=now, now=now)
    engine.dispose()


def outbox_states(url: str) -> dict[str, int]:
    """How many pushes are in each state: the broadcast's, and those the schedule queued for the
    same people (policy pushes, fair reminders), which go out beside it."""
    from sqlalchemy import text

    from storage.db import throwaway_engine

    engine = throwaway_engine(url)
    with engine.connect() as conn:
        states = conn.execute(text("select status, count(*) from outbox group by status")).all()
    engine.dispose()
    return {status: count for status, count in states}


def start_broadcast(url: str, people: int) -> int:
    """Queue the broadcast and wait until delivery is under way; the pushes sent so far."""
    queue_broadcast(url, people)
    deadline = time.monotonic() + 120
    while not (sent := outbox_states(url).get("sent", 0)):
        if time.monotonic() > deadline:
            raise SystemExit("no push went out within 2 minutes of the broadcast")
        time.sleep(0.5)
    return sent


# --- one measurement, and the table ---------------------------------------------------------------
def measure(name: str, port: int, traffic: Traffic, args: argparse.Namespace, echo_rps: float | None,
            cpu_of: Callable[[], float], at_start: Callable[[], None] = lambda: None) -> Result:
    """Warm the server up, call `at_start`, then load it for the run's duration and print the line,
    with the CPU time per request that `cpu_of` (CPU seconds so far) tells: a figure a busy
    machine disturbs much less than req/s."""
    warm = Traffic(traffic.workload, min(traffic.users, 100), "W" + traffic.prefix)
    # until every message gets its answer within the round: the dispatch child has loaded
    # the policy index, start-up upkeep is done
    for _ in range(WARM_UP_ROUNDS):
        warmed = load(port, warm, args, WARM_UP_SECONDS)
        if warmed["requests"] >= warmed["sent"] - args.concurrency > 0 and not warmed["deferred"]:
            break
    at_start()
    cpu = cpu_of()
    result = load(port, traffic, args, args.duration)
    result["cpu_ms"] = (cpu_of() - cpu) * 1000 / max(result["requests"], 1)
    result["rps"] = result["requests"] / result["seconds"]
    result["ratio"] = result["rps"] / echo_rps if echo_rps else 1.0
    faults = result["socket_errors"] + result["bad_status"] + result["sorry"]
    print(f"{name:<52} {result['rps']:8.0f} {result['ratio']:7.2f}× {result['p50_ms']:8.1f} ms "
          f"{result['p99_ms']:8.1f} ms {result['cpu_ms']:7.2f} ms   errors {faults}, deferred {result['deferred']}",
          flush=True)
    return result


def jobbot_runs(traffic: Traffic, args: argparse.Namespace, echo_rps: float) -> None:
    from scratch import scratch_databases

    from storage.db import make_engine

    only = args.databases[0] if len(args.databases) == 1 else None
    for database, url in scratch_databases(only):
        port, api_port = free_port(), free_port()
        prepare_database(url, traffic, args.jobs, args.broadcast)
        data_dir = tempfile.mkdtemp(prefix="jobbot-bench-")
        env = {k: v for k, v in os.environ.items() if not k.startswith("JOBBOT_")}
        env.update(JOBBOT_DATABASE_URL=url, JOBBOT_DATA_DIR=data_dir, JOBBOT_PORT=str(port),
                   JOBBOT_HOST="127.0.0.1", JOBBOT_WECHAT_TOKEN=TOKEN, PYTHONPATH=str(ROOT))
        name = f"jobbot serve, {database}, {args.workers} worker{'s' * (args.workers > 1)}"
        if args.dispatch is not None:
            env.update(JOBBOT_DISPATCH_PROCESSES=str(args.dispatch))
            name += f", {args.dispatch} dispatch"
        if args.broadcast:
            env.update(JOBBOT_WECHAT_APPID=APPID, JOBBOT_WECHAT_SECRET=SECRET, JOBBOT_WECHAT_TEMPLATE_ID="tmpl-bench",
                       JOBBOT_WECHAT_API_BASE=f"http://127.0.0.1:{api_port}", JOBBOT_QUIET_START="00:00",
                       JOBBOT_QUIET_END="00:00", JOBBOT_ELDERLY_QUIET_START="00:00", JOBBOT_ELDERLY_QUIET_END="00:00")
            name += f", broadcast to {args.broadcast:,}"
        command = [sys.executable, "-m", "bot", "serve", "--workers", str(args.workers)]
        with fake_api(api_port, args.broadcast) if args.broadcast else nullcontext(), \
                server(command, env, port) as process:
            before: list[int] = []

            def at_start() -> None:  # called within this iteration only
                if args.broadcast:
                    before.append(start_broadcast(url, args.broadcast))  # noqa: B023

            result = measure(name, port, traffic, args, echo_rps,
                             lambda: tree_cpu(process.pid) + database_cpu(url), at_start)  # noqa: B023
            states = outbox_states(url) if args.broadcast else {}
        engine = make_engine(url)
        checked = check_replies(engine, traffic)
        engine.dispose()
        shutil.rmtree(data_dir, ignore_errors=True)
        print(f"{'':<52} {checked.line()}; {result['sent'] - result['requests']} still in flight at the end")
        if args.broadcast:
            sent = states.get("sent", 0) - before[0]
            print(f"{'':<52} pushes sent during the run: {sent:,} ({sent / result['seconds']:.0f}/s); outbox at its "
                  "end: " + ", ".join(f"{count:,} {status}" for status, count in sorted(states.items())))
        target_ratio = 0.5 if database == "sqlite" else 0.35
        target_p99 = 150 if args.broadcast else 100
        met = result["ratio"] >= target_ratio and result["p99_ms"] < target_p99 and not checked.wrong
        print(f"{'':<52} target ≥ {target_ratio}× echo, p99 < {target_p99} ms, every reply right: "
              f"{'met' if met else 'NOT met'}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-d", "--duration", type=int, default=20, help="seconds of load per server")
    parser.add_argument("-c", "--concurrency", type=int, default=50, help="keep-alive connections")
    parser.add_argument("-t", "--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--users", type=int, default=1000, help="villagers writing")
    parser.add_argument("--jobs", type=int, default=3000, help="open jobs for 找工作")
    parser.add_argument("--workload", default="mixed,registration")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=1, help="jobbot serve --workers")
    parser.add_argument("--dispatch", type=int, help="JOBBOT_DISPATCH_PROCESSES (default: the server's own)")
    parser.add_argument("--broadcast", type=int, default=0, help="people a broadcast goes to during the load")
    parser.add_argument("--python-client", action="store_true", help="use the Python client even if wrk is there")
    args = parser.parse_args()
    args.databases = args.databases.split(",")
    if not args.python_client and shutil.which("wrk") is None:
        print("wrk is not installed (apt-get update && apt-get install -y wrk): falling back to the Python "
              "client, which tops out near 4,300 req/s on 2 cores: echo figures near that are its limit, "
              "not the server's")
        args.python_client = True
    client = "Python client" if args.python_client else f"wrk, {args.threads} thread{'s' * (args.threads > 1)}"
    for workload in args.workload.split(","):
        print(f"\nworkload {workload}: {args.users} villagers, {args.concurrency} connections, {client}, "
              f"{args.duration:g} s per server, {os.cpu_count()} CPUs, uvicorn on {uvicorn_stack()}"
              + (f", {args.jobs} open jobs, half the villagers registered" if workload == "mixed" else ""))
        print(f"{'server':<52} {'req/s':>8} {'× echo':>8} {'p50':>11} {'p99':>11} {'CPU/req':>10}")
        tag = f"{workload[0].upper()}{int(time.time()) % 100000}"
        echo_rps = 0.0
        for name, app in (("wechatpy echo, Starlette/uvicorn, 1 worker", "benchmarks.wechat_echo:starlette_echo"),
                          ("wechatpy echo, raw ASGI/uvicorn, 1 worker", "benchmarks.wechat_echo:raw_echo")):
            port = free_port()
            with server(uvicorn_command(app, port), {**os.environ, "PYTHONPATH": str(ROOT)}, port) as process:
                result = measure(name, port, Traffic(workload, args.users, "E" + tag), args, echo_rps or None,
                                 lambda: tree_cpu(process.pid))  # noqa: B023
            echo_rps = echo_rps or result["rps"]
        jobbot_runs(Traffic(workload, args.users, "J" + tag), args, echo_rps)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--python-load":
        port, fields, concurrency, seconds = sys.argv[2:6]
        print(json.dumps(python_load(int(port), Traffic(**json.loads(fields)), int(concurrency), float(seconds))))
    elif len(sys.argv) > 1 and sys.argv[1] == "--fake-api":
        serve_fake_api(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
