"""``civic tallies check|recount <service>``: a service's tallies (:mod:`civic.tallies`) beside its records.

``check`` compares each tally of the service with the records it counts, in one snapshot, and says where
they differ (exit 1 when any does); ``recount`` sets each tally to what its records hold, in one
transaction, safe with the service running, and says what it corrected. Both connect as the service does:
its settings from the environment (``MONGODB_URL`` or ``MONGODB_URL_FILE``, ``MONGODB_DATABASE``), so in a
cluster they run inside one of the service's pods
(``kubectl -n civic exec deploy/savings -- civic tallies check savings``, docs/operations.md). With neither
set, the database of the stack ``civic up`` runs here is used.

A service's tallies are the :class:`~civic.tallies.Tally` objects its ``civic_<service>.repository`` declares.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
from typing import Any

from civic_contracts import SERVICES
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from civic.cli.stack import read_state
from civic.settings import ServiceSettings, for_component
from civic.tallies import Comparison, Tally


def echo(message: str) -> None:
    print(message, flush=True)


def tallies_of(service: str) -> list[Tally]:
    """The tallies ``civic_<service>.repository`` declares (none for a service that keeps none)."""
    module = importlib.import_module(f"civic_{service}.repository")
    return [value for value in vars(module).values() if isinstance(value, Tally)]


def settings_for(service: str) -> ServiceSettings:
    """The service's own settings, as its process reads them; locally, the running stack's database."""
    settings = for_component(ServiceSettings(), service)
    if settings.service_name != service:
        raise SystemExit(f"civic tallies: this environment is {settings.service_name}'s (CIVIC_SERVICE_NAME): "
                         f"run it where {service} runs")
    configured = any(name in os.environ for name in ("MONGODB_URL", "MONGODB_URL_FILE"))
    if not configured:
        from civic.cli.main import state_dir  # the CLI's own state directory (CIVIC_STATE_DIR)

        state = read_state(state_dir()) or {}
        local = (state.get("mongodb") or {}).get(service)
        if local:
            settings.mongodb_url = local
    return settings


def as_json(service: str, comparison: Comparison, *, recounted: bool) -> dict[str, Any]:
    """What was found (``matches``, ``drift``: each differing status's tally and records), and whether the
    tally has been set to the records since (``recounted``: the drift is what was corrected)."""
    return {
        "service": service,
        "tally": comparison.tally,
        "records": comparison.records,
        "counted": comparison.records_counted(),
        "matches": comparison.matches,
        "recounted": recounted,
        "drift": {status: {"tally": kept, "records": counted} for status, (kept, counted) in comparison.drift.items()},
    }


def _statuses(n: int) -> str:
    return f"{n} status" if n == 1 else f"{n} statuses"


def report(service: str, comparison: Comparison, *, recounted: bool) -> None:
    where = f"{service} {comparison.tally}"
    counted = f"{comparison.records_counted():,} {comparison.records} in {_statuses(len(comparison.counted))}"
    if comparison.matches:
        echo(f"{where}: matches its {comparison.records} ({counted})" + ("; nothing to correct" if recounted else ""))
        return
    differ = _statuses(len(comparison.drift))
    echo(f"{where}: " + (f"corrected {differ} to what its {comparison.records} hold ({counted}):" if recounted
                         else f"differs from its {comparison.records} in {differ} ({counted}):"))
    for line in comparison.describe():
        echo(f"  {line}")


async def run(service: str, recount: bool, settings: ServiceSettings) -> list[Comparison]:
    client: AsyncMongoClient[Any] = AsyncMongoClient(
        settings.mongodb_url, serverSelectionTimeoutMS=settings.mongodb_timeout_ms,
        connectTimeoutMS=settings.mongodb_timeout_ms, appname=f"civic-{service}-tallies", tz_aware=True)
    try:
        db = client[settings.database_name()]
        return [await (tally.recount(db) if recount else tally.compare(db)) for tally in tallies_of(service)]
    finally:
        await client.close()


def cmd_tallies(args: argparse.Namespace) -> int:
    recount = args.tallies_command == "recount"
    if not tallies_of(args.service):
        echo(f"{args.service} keeps no tallies")
        return 0
    settings = settings_for(args.service)
    try:
        found = asyncio.run(run(args.service, recount, settings))
    except PyMongoError as exc:
        echo(f"civic tallies: {settings.database_name()} did not answer, nothing was changed: {exc}")
        return 2
    if args.json:
        echo(json.dumps([as_json(args.service, c, recounted=recount) for c in found], indent=2))
    else:
        for comparison in found:
            report(args.service, comparison, recounted=recount)
    return 0 if recount or all(c.matches for c in found) else 1


def add_commands(sub: Any) -> None:
    """``civic tallies check <service>`` and ``civic tallies recount <service>``."""
    tallies = sub.add_parser("tallies", help="a service's counts by status beside its records: check or recount")
    commands = tallies.add_subparsers(dest="tallies_command", required=True)
    for name, help_text in (
        ("check", "compare each tally with its records in one snapshot; exit 1 when any differs"),
        ("recount", "set each tally to what its records hold, in one transaction (safe while the service runs)"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("service", choices=SERVICES)
        command.add_argument("--json", action="store_true", help="as JSON, a document per tally")
        command.set_defaults(func=cmd_tallies)
