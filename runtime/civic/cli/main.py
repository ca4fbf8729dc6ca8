"""``civic``: the operator's tool. ``civic up`` is what ``make run`` calls."""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from civic_contracts import SERVICES

from civic.auth import ALL_SCOPES, LocalSigningKey
from civic.cli import mail, observe, tallies
from civic.cli.processes import StackError, http_ok, pid_alive
from civic.cli.seeding import seed_services
from civic.cli.stack import Stack, StackConfig, read_state
from civic.trace_file import spans_of_trace


def state_dir() -> Path:
    return Path(os.environ.get("CIVIC_STATE_DIR", ".civic")).resolve()


def echo(message: str) -> None:
    print(message, flush=True)


# ---- up ------------------------------------------------------------------------------------
def cmd_up(args: argparse.Namespace) -> int:
    directory = state_dir()
    directory.mkdir(parents=True, exist_ok=True)
    lock_file = open(directory / "up.lock", "w")
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        state = read_state(directory) or {}
        echo(f"civic is already running (pid {state.get('pid', '?')}): gateway {state.get('gateway_url', '?')}. "
             "Use `civic status`, or stop it with Ctrl-C in its terminal.")
        return 1
    config = StackConfig.from_environment(directory)
    config.observe = args.observe
    stack = Stack(config, echo=echo)
    stopping = {"flag": False}

    def on_signal(signum: int, _frame: Any) -> None:
        if not stopping["flag"]:
            stopping["flag"] = True
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    first_start = not (directory / "seeded").exists()
    echo(f"civic: starting the platform (state in {directory})")
    if config.mongodb_url:
        echo("  MONGODB_URL is set: no embedded database servers")
    if config.kafka_bootstrap_servers:
        echo("  KAFKA_BOOTSTRAP_SERVERS is set: no embedded broker")
    try:
        stack.start()
        if first_start and not args.no_seed:
            echo("civic: loading the demo data (first start)")
            seed({s: stack.service_url(s) for s in SERVICES}, stack.keys)
            (directory / "seeded").write_text(time.strftime("%Y-%m-%dT%H:%M:%S"))
        echo("")
        echo(f"civic is up. Officers open {stack.gateway_url()}/ and sign in as one of the demo's officers.")
        echo(f"  gateway       {stack.gateway_url()}  (API under /api/…, docs at /docs; pages from web {stack.web_url()})")
        for s in SERVICES:
            echo(f"  {s:<13} {stack.service_url(s)}")
        if config.with_mail:
            echo(f"  mail          smtp://127.0.0.1:{config.mail_port}  (the councillor briefing goes here; the "
                 f"mailbox is {stack.mail_dir}: read it with .venv/bin/civic mail)")
        if config.observe:
            echo(f"  prometheus    {observe.prometheus_url(stack)}  (every component's /metrics every "
                 f"{observe.INTERVAL}, deploy/prometheus/rules.yaml; alerts at /alerts)")
        echo("Token for every scope: .venv/bin/civic token --all     Status: .venv/bin/civic status")
        echo("Press Ctrl-C to stop.")
        while True:
            time.sleep(1)
            for name, process in list(stack.processes.items()):
                if process.poll() is not None:
                    echo(f"civic: {name} exited with code {process.returncode}; see {stack.components[name].log}")
                    stack.processes.pop(name)
    except StackError as exc:
        echo(f"civic: could not start: {exc}")
        return 1
    except KeyboardInterrupt:
        echo("\ncivic: stopping (services drain first, servers last)")
    finally:
        stack.stop()
        echo("civic: stopped")
    return 0


def seed(urls: dict[str, str], keys: LocalSigningKey) -> None:
    """Load the demo data into the services at ``urls``, with tokens signed by ``keys`` (theirs)."""
    asyncio.run(seed_services(urls, keys, echo))


def _running_state() -> dict[str, Any]:
    state = read_state(state_dir())
    if state is None or not pid_alive(int(state.get("pid", 0))):
        raise SystemExit("civic is not running here (start it with `make run` or `civic up`).")
    return state


def _keys() -> LocalSigningKey:
    keys = LocalSigningKey(state_dir() / "keys")
    keys.ensure()
    return keys


# ---- status / token / seed ---------------------------------------------------------------
def cmd_status(args: argparse.Namespace) -> int:
    state = read_state(state_dir())
    if state is None:
        echo("civic is not running (no state in .civic/stack.json).")
        return 1
    rows = []
    all_ready = True
    for name, comp in state["components"].items():
        alive = comp.get("pid") and pid_alive(int(comp["pid"]))
        if comp.get("ready_url"):
            ready = bool(alive) and http_ok(comp["ready_url"])
        else:
            ready = bool(alive)
        all_ready &= ready
        rows.append((name, comp["url"], str(comp.get("pid")), "ready" if ready else ("running" if alive else "down")))
    if args.json:
        echo(json.dumps([dict(zip(("name", "url", "pid", "state"), r, strict=True)) for r in rows], indent=2))
    else:
        echo(f"{'component':<22} {'url':<52} {'pid':<8} state")
        for row in rows:
            echo(f"{row[0]:<22} {row[1]:<52} {row[2]:<8} {row[3]}")
    return 0 if all_ready else 1


def cmd_token(args: argparse.Namespace) -> int:
    scopes = list(ALL_SCOPES) if args.all else (args.scope or "").split()
    unknown = [s for s in scopes if s not in ALL_SCOPES]
    if unknown:
        echo(f"unknown scope(s): {', '.join(unknown)}; known: {' '.join(ALL_SCOPES)}")
        return 2
    print(_keys().mint(args.sub, scopes, ttl_seconds=args.ttl))
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    state = _running_state()
    seed(state["service_urls"], _keys())  # the running stack's keys: it was started with this state directory
    (state_dir() / "seeded").write_text(time.strftime("%Y-%m-%dT%H:%M:%S"))
    return 0


# ---- events / dead letters (through each service's ops endpoints) ---------------------------
def _service_urls(args: argparse.Namespace) -> dict[str, str]:
    if getattr(args, "url", None):
        return {args.service or "service": args.url}
    urls: dict[str, str] = _running_state()["service_urls"]
    return {k: v for k, v in urls.items() if not args.service or k == args.service}


def _ops_client() -> httpx.Client:
    token = os.environ.get("CIVIC_TOKEN") or _keys().mint("civic-operator", ["ops"])
    return httpx.Client(timeout=30, headers={"Authorization": f"Bearer {token}"})


def cmd_events_replay(args: argparse.Namespace) -> int:
    failed = False
    with _ops_client() as client:
        for service, url in _service_urls(args).items():
            try:
                response = client.post(f"{url}/ops/outbox/replay", json={"since": args.since, "until": args.until})
            except httpx.HTTPError as exc:
                echo(f"{service:<13} unreachable: {exc!r}")
                failed = True
                continue
            echo(f"{service:<13} {response.status_code} {response.text}")
            failed |= response.status_code != 200
    return 1 if failed else 0


def cmd_dlq_list(args: argparse.Namespace) -> int:
    with _ops_client() as client:
        for service, url in _service_urls(args).items():
            response = client.get(f"{url}/ops/dead-letters", params={"status": args.status} if args.status else {})
            if response.status_code != 200:
                echo(f"{service}: {response.status_code} {response.text}")
                continue
            for item in response.json()["items"]:
                echo(f"{service:<13} {item['id']:<45} {item['type']:<40} {item['status']:<9} {item['error'][:80]}")
    return 0


def cmd_dlq_redrive(args: argparse.Namespace) -> int:
    urls = _service_urls(args)
    if len(urls) != 1:
        echo("name the service with --service")
        return 2
    (service, url), = urls.items()
    with _ops_client() as client:
        response = client.post(f"{url}/ops/dead-letters/{args.id}/redrive")
        echo(f"{service}: {response.status_code} {response.text}")
    # a re-drive that could not apply the event (still poison) is a failure too: the reason is printed above
    return 0 if response.status_code == 200 and response.json().get("outcome") != "failed" else 1


# ---- trace ----------------------------------------------------------------------------------
def cmd_trace(args: argparse.Namespace) -> int:
    path = Path(args.file) if args.file else state_dir() / "traces.jsonl"
    spans = spans_of_trace(path, args.trace_id)  # the whole file: a terminal has time to wait
    if not spans:
        echo(f"no spans for trace {args.trace_id} in {path} (spans are written within a second or so)")
        return 1
    by_parent: dict[str | None, list[dict[str, Any]]] = {}
    ids = {s["span_id"] for s in spans}
    for span in sorted(spans, key=lambda s: s["start"]):
        parent = span["parent_id"] if span["parent_id"] in ids else None
        by_parent.setdefault(parent, []).append(span)
    start = min(s["start"] for s in spans)

    def show(parent: str | None, depth: int) -> None:
        for span in by_parent.get(parent, []):
            offset = (span["start"] - start) / 1e6
            took = (span["end"] - span["start"]) / 1e6
            echo(f"{offset:9.1f} ms {took:8.1f} ms  {'  ' * depth}{span['service']}: {span['name']}"
                 f"{'  [ERROR]' if span['status'] == 'ERROR' else ''}")
            show(span["span_id"], depth + 1)

    echo(f"trace {args.trace_id}: {len(spans)} spans, {len({s['service'] for s in spans})} services")
    show(None, 0)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="civic", description="Operate the civic platform.")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the whole platform (embedded servers unless MONGODB_URL/KAFKA_BOOTSTRAP_SERVERS)")
    up.add_argument("--no-seed", action="store_true", help="do not load the demo data on first start")
    up.add_argument("--observe", action="store_true",
                    help="also run Prometheus (Debian's package) scraping every component, with the alerting rules "
                         "of deploy/prometheus/rules.yaml (port CIVIC_PROMETHEUS_PORT, default 9190)")
    up.set_defaults(func=cmd_up)
    status = sub.add_parser("status", help="each component: URL, pid, ready or not")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)
    token = sub.add_parser("token", help="print a token signed by the local stack's key")
    token.add_argument("--sub", default="civic-operator")
    token.add_argument("--scope", help='space-separated, e.g. "savings:read savings:write"')
    token.add_argument("--all", action="store_true", help="every scope")
    token.add_argument("--ttl", type=int, default=8 * 3600, help="seconds (default 8 hours)")
    token.set_defaults(func=cmd_token)
    seed_cmd = sub.add_parser("seed", help="load the demo data set (safe to repeat)")
    seed_cmd.set_defaults(func=cmd_seed)
    events = sub.add_parser("events", help="the outbox").add_subparsers(dest="events_command", required=True)
    replay = events.add_parser("replay", help="re-publish outbox events recorded since a time")
    replay.add_argument("--since", required=True, help="ISO time with zone, e.g. 2026-11-23T09:00:00Z")
    replay.add_argument("--until")
    replay.add_argument("--service", choices=SERVICES)
    replay.add_argument("--url", help="a service's base URL (e.g. through kubectl port-forward)")
    replay.set_defaults(func=cmd_events_replay)
    dlq = sub.add_parser("dlq", help="dead letters").add_subparsers(dest="dlq_command", required=True)
    dlq_list = dlq.add_parser("list")
    dlq_list.add_argument("--service", choices=SERVICES)
    dlq_list.add_argument("--status", choices=("open", "redriven"))
    dlq_list.add_argument("--url")
    dlq_list.set_defaults(func=cmd_dlq_list)
    redrive = dlq.add_parser("redrive")
    redrive.add_argument("id")
    redrive.add_argument("--service", choices=SERVICES, required=True)
    redrive.add_argument("--url")
    redrive.set_defaults(func=cmd_dlq_redrive)
    trace = sub.add_parser("trace", help="print a trace's span tree (local trace file)")
    trace.add_argument("trace_id")
    trace.add_argument("--file")
    trace.set_defaults(func=cmd_trace)
    tallies.add_commands(sub)  # civic tallies check|recount <service>
    mail.add_commands(sub)  # civic mail [list|show N]
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    sys.exit(args.func(args))


if __name__ == "__main__":
    main()
