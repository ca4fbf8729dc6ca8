"""``make bench``: start the whole platform on free ports, measure side by side, write bench/results.md.

Every target is a ratio of two things measured in this one run on this one machine, so a slow or
noisy machine moves both sides alike. Figures are written to ``bench/results.md`` (for people) and
``bench/results.json`` (for comparing runs); nothing here fails a build. ``python -m bench --gateway``
measures the gateway section alone (a couple of minutes) into ``bench/results-gateway.{md,json}``;
``python -m bench --events`` the event hop alone (about five minutes) into ``bench/results-events.{md,json}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from civic.auth import ALL_SCOPES
from civic.cli.seeding import seed_services
from civic.cli.stack import Stack, StackConfig
from civic_contracts import SERVICES

from bench import events, gateway, occupancy, pages, savings, soak

HERE = Path(__file__).parent


def say(message: str) -> None:
    print(message, flush=True)


async def _seed(stack: Stack) -> None:
    # tokens from this stack's own keys, never a checkout's .civic/keys (a `make run` beside the bench)
    await seed_services({s: stack.service_url(s) for s in SERVICES}, stack.keys)


async def measure(stack: Stack, quick: bool, only_gateway: bool = False, only_events: bool = False,
                  only_soak: bool = False) -> dict[str, Any]:
    token = stack.token(ALL_SCOPES, sub="bench")
    headers = {"Authorization": f"Bearer {token}"}
    results: dict[str, Any] = {}
    await _seed(stack)
    hop_events = 150 if quick else events.EVENTS
    soak_seconds = 60.0 if quick else soak.DURATION_SECONDS
    if only_soak:
        say(f"· soak: {soak.CALLERS} callers for {soak_seconds:.0f} s through a gateway over two replicas of every service")
        results["soak"] = await soak.run(stack, token, duration=soak_seconds, say=say)
        return results
    if only_events:
        say(f"· event hop at {events.RATE_PER_SECOND}/s ({hop_events} closures a round), 1 and 2 savings replicas "
            "in turns, and the broker alone")
        results["events"] = await events.run(stack, headers, hop_events)
        return results

    say("· gateway: direct vs through the gateway, dashboard vs slowest backend")
    urls = {"gateway": stack.gateway_url(), **{s: stack.service_url(s) for s in SERVICES}}
    results["gateway"] = await gateway.run(urls, token)
    say("· gateway: the dashboard over stand-in services that wait instead of computing")
    results["gateway"]["composition"] = await gateway.composition(stack, token, results["gateway"]["summary_p50_ms"])
    say("· web pages: a page's server time vs the API calls it makes, and its size")
    results["pages"] = await pages.run(stack.web_url())
    if only_gateway:
        return results

    say(f"· event hop at {events.RATE_PER_SECOND}/s ({hop_events} closures a round), 1 and 2 savings replicas "
        "in turns, and the broker alone")
    results["events"] = await events.run(stack, headers, hop_events)

    say("· savings: API create vs the same writes by the driver alone")
    results["savings_create"] = {"1 replica": await savings.create_rate(
        [stack.service_url("savings")], stack.mongodb_url("savings"), headers)}

    say("· savings with a second replica (same database, same consumer group)")
    replica = stack.start_replica("savings", 2)
    stack.wait_ready("savings-2")
    await asyncio.sleep(12)  # let the consumer group rebalance onto both replicas
    results["savings_create"]["2 replicas"] = await savings.create_rate(
        [stack.service_url("savings"), replica.url], stack.mongodb_url("savings"), headers)
    stack.stop_component("savings-2")

    # the soak before the bulk loads: it measures many callers over minutes with two replicas of every
    # service, and the reports' 100k records (with savings' read model still folding them) are another test
    say(f"· soak: {soak.CALLERS} callers for {soak_seconds:.0f} s through a gateway over two replicas of every service")
    results["soak"] = await soak.run(stack, token, duration=soak_seconds, say=say)

    say("· reports at 1k and 100k records (this loads 100k initiatives and 100k readings)")
    # property first: savings' bulk load leaves its background folding busy for a while afterwards
    results["property_utilisation_report"] = await occupancy.report_scaling(stack.service_url("property"), headers)
    results["savings_theme_report"] = await savings.report_scaling(
        stack.service_url("savings"), stack.mongodb_url("savings"), headers)
    return results


def _verdict(value: float | None, target: float, at_least: bool) -> str:
    if value is None:
        return "n/a"
    return "met" if (value >= target if at_least else value <= target) else "**not met**"


def gateway_rows(g: dict[str, Any], c: dict[str, Any]) -> list[tuple[str, Any, str, str]]:
    """The gateway's figures against its targets (``bench.gateway``'s constants)."""
    return [
        ("Gateway throughput ÷ direct (concurrency 32)", g["throughput_ratio"], f"≥ {gateway.THROUGHPUT_RATIO_TARGET}",
         _verdict(g["throughput_ratio"], gateway.THROUGHPUT_RATIO_TARGET, True)),
        ("Gateway added latency p50, ms (concurrency 32, paced)", g["added_latency_p50_ms_at_concurrency"],
         f"≤ {gateway.ADDED_P50_MS_TARGET}",
         _verdict(g["added_latency_p50_ms_at_concurrency"], gateway.ADDED_P50_MS_TARGET, False)),
        ("Gateway added latency p99, ms (concurrency 32, paced; median over window pairs)",
         g["added_latency_p99_ms_at_concurrency"], f"≤ {gateway.ADDED_P99_MS_TARGET}",
         _verdict(g["added_latency_p99_ms_at_concurrency"], gateway.ADDED_P99_MS_TARGET, False)),
        ("Bare forwarder throughput ÷ direct (aiohttp, forwarding only: the ceiling on this machine)",
         g["bare_forwarder"]["throughput_ratio"], "reference", "—"),
        ("Gateway throughput ÷ bare forwarder", g["bare_forwarder"]["gateway_throughput_ratio_to_bare"],
         "reference", "—"),
        ("Gateway added latency p50, ms (one at a time)", g["added_latency_p50_ms_one_at_a_time"], "≤ 2",
         _verdict(g["added_latency_p50_ms_one_at_a_time"], 2, False)),
        ("Gateway added latency p99, ms (one at a time)", g["added_latency_p99_ms_one_at_a_time"], "≤ 10",
         _verdict(g["added_latency_p99_ms_one_at_a_time"], 10, False)),
        ("Dashboard ÷ slowest backend summary (p50)", g["dashboard_ratio_to_slowest_summary"], "≤ 1.3",
         _verdict(g["dashboard_ratio_to_slowest_summary"], 1.3, False)),
        ("The same, parts waiting instead of computing (stand-ins)", c["dashboard_ratio_to_slowest_standin"],
         "≤ 1.3", _verdict(c["dashboard_ratio_to_slowest_standin"], 1.3, False)),
    ]


def gateway_detail(g: dict[str, Any], c: dict[str, Any]) -> list[str]:
    b = g["bare_forwarder"]
    return [
        "## Gateway detail",
        "",
        f"Probe: {g['probe']}, {g['concurrency']} concurrent callers each on its own keep-alive connection. "
        "Saturated: every caller sends as soon as it is answered (throughput). Paced: requests due on a fixed "
        f"schedule at {g['paced_rate_rps']}/s both ways, half the gateway's saturated throughput, latency counted "
        "from each request's due time (the added-latency target). At saturation latency is the queue "
        "(32 callers ÷ throughput), so its difference restates the throughput ratio.",
        "",
        "| | direct, saturated | via gateway, saturated | bare forwarder, saturated | direct, paced "
        "| via gateway, paced | bare forwarder, paced |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *[f"| {label} | " + " | ".join(str(run[key]) for run in (
            g['direct'], g['via_gateway'], b['saturated'], g['paced_direct'], g['paced_via_gateway'], b['paced']))
          + " |"
          for label, key in (("requests/s", "throughput_rps"), ("p50 ms", "p50_ms"), ("p99 ms", "p99_ms"),
                             ("refused", "refused"))],
        "",
        "The bare forwarder (`bench/forwarder.py`: aiohttp's server and client and nothing else, no token check, "
        "span, metrics or request id) is measured in the same windows, as its own process: what forwarding "
        f"alone costs here. Its throughput ÷ direct is {b['throughput_ratio']}, the gateway's ÷ it "
        f"{b['gateway_throughput_ratio_to_bare']}; paced, it adds p50 {b['added_latency_p50_ms_at_concurrency']} ms "
        f"and p99 {b['added_latency_p99_ms_at_concurrency']} ms (median over window triples). Every path shares "
        "the two cores with the service behind it and the 32 callers, so a forwarder's CPU per request comes out "
        "of the service's.",
        "",
        f"Paced p99 added, pair by pair ({len(g['added_latency_p99_ms_by_pair'])} pairs of a direct window then a "
        f"gateway window): {', '.join(str(d) for d in g['added_latency_p99_ms_by_pair'])} ms; median "
        f"{g['added_latency_p99_ms_at_concurrency']} ms (the target's figure). Pooled over all windows: "
        f"{g['added_latency_p99_ms_pooled']} ms; one pause elsewhere on the machine decides a pooled p99 for "
        "whichever side it lands on.",
        "",
        f"Added at saturation: p50 {g['added_latency_p50_ms_at_saturation']} ms, p99 "
        f"{g['added_latency_p99_ms_at_saturation']} ms. One request at a time: direct p50 "
        f"{g['one_at_a_time_p50_ms']['direct']} ms, via the gateway {g['one_at_a_time_p50_ms']['via_gateway']} ms "
        f"(median of interleaved pairs: +{g['added_latency_median_of_pairs_ms']} ms).",
        "",
        f"Dashboard p50 {g['dashboard_p50_ms']} ms; backend summaries p50 (ms): "
        + ", ".join(f"{k} {v}" for k, v in g["summary_p50_ms"].items())
        + f"; degraded parts: {g['dashboard_degraded_parts'] or 'none'}.",
        "",
        f"Asked one after another the four summaries take {g['summaries_sum_p50_ms']} ms; the dashboard asks them "
        f"at once and takes {g['dashboard_p50_ms']} ms ({g['dashboard_ratio_to_sum_of_summaries']} of that). "
        "Here each summary is CPU work (every service and its database are Python processes on the same two "
        "cores), so parts asked at once share the cores: the ratio to the slowest part measures this machine's "
        "cores as much as the gateway. On a cluster, where each service has its own, it is the gateway's own cost.",
        "",
        "To show that cost on its own, a second gateway process was put in front of stand-in services that "
        "answer each summary with the real one's body after the time the real one took (waits of "
        + ", ".join(f"{k} {v}" for k, v in c["standin_wait_ms"].items())
        + " ms) without using CPU while they wait: stand-ins p50 "
        + ", ".join(f"{k} {v}" for k, v in c["standin_p50_ms"].items())
        + f" ms, dashboard p50 {c['dashboard_p50_ms']} ms, {c['dashboard_ratio_to_slowest_standin']} of the slowest "
        f"({c['slowest_standin']}); degraded parts: {c['dashboard_degraded_parts'] or 'none'}.",
        "",
    ]


def _section_report(
    title: str, command: str, after: str, meta: dict[str, Any], rows: Iterable[tuple[str, Any, str, str]],
    detail: list[str],
) -> str:
    """A section run's report: how it was run, its targets table (``rows``), the ``detail`` under it, and
    where its raw figures are."""
    lines = [
        f"# Benchmark results: {title}",
        "",
        f"Run {meta['finished']} on {meta['machine']} ({meta['cpus']} CPUs), Python {meta['python']}, "
        f"embedded stack (SecantusDB, Tansu memory broker), {meta['wall_seconds']} s in all. "
        f"Written by `python -m bench --{command}`{after}",
        "",
        "| Figure | Measured | Target | |",
        "|---|---:|---|---|",
        *[f"| {name} | {value} | {target} | {verdict} |" for name, value, target, verdict in rows],
        "",
        *detail,
        f"Raw figures: `bench/results-{command}.json`.",
        "",
    ]
    return "\n".join(lines)


def render_gateway(results: dict[str, Any], meta: dict[str, Any]) -> str:
    """``--gateway``: the gateway section alone."""
    g = results["gateway"]
    c = g["composition"]
    return _section_report("the gateway alone", "gateway",
                           "; every ratio compares two things measured side by side in this run.", meta,
                           [*gateway_rows(g, c), *pages.target_rows(results["pages"], _verdict)],
                           [*gateway_detail(g, c), *pages.detail(results["pages"])])


def render(results: dict[str, Any], meta: dict[str, Any]) -> str:
    g = results["gateway"]
    c = g["composition"]
    s1, s2 = results["savings_create"]["1 replica"], results["savings_create"]["2 replicas"]
    e = results["events"]
    h1, h2 = e["1 replica"], e["2 replicas"]
    t, p = results["savings_theme_report"], results["property_utilisation_report"]
    rows = [
        *gateway_rows(g, c),
        *pages.target_rows(results["pages"], _verdict),
        ("Savings API create ÷ the same writes by the driver in one transaction (concurrency 16)",
         s1["ratio_api_to_raw_transaction"], f"≥ {savings.CREATE_RATIO_TARGET}",
         _verdict(s1["ratio_api_to_raw_transaction"], savings.CREATE_RATIO_TARGET, True)),
        ("Savings creates that failed at concurrency 16 (1 replica, 2 replicas)",
         f"{s1['api_failed']}, {s2['api_failed']}", "0",
         _verdict(max(s1["api_failed"], s2["api_failed"]), 0, False)),
        ("Theme report at 100k ÷ at 1k initiatives", t["ratio_100k_to_1k"], "≤ 2",
         _verdict(t["ratio_100k_to_1k"], 2, False)),
        ("Utilisation report at 100k ÷ at 1k readings", p["ratio_100k_to_1k"], "≤ 2 (same rule as savings)",
         _verdict(p["ratio_100k_to_1k"], 2, False)),
        *events.target_rows(e),
        *soak.target_rows(results["soak"]),
    ]
    lines = [
        "# Benchmark results",
        "",
        f"Run {meta['finished']} on {meta['machine']} ({meta['cpus']} CPUs), Python {meta['python']}, "
        f"embedded stack (SecantusDB, Tansu memory broker), {meta['wall_seconds']} s in all. "
        "Written by `make bench`; every ratio compares two things measured side by side in this run.",
        "",
        "## Against the targets",
        "",
        "| Figure | Measured | Target | |",
        "|---|---:|---|---|",
        *[f"| {name} | {value} | {target} | {verdict} |" for name, value, target, verdict in rows],
        "",
        *events.detail(e),
        "## One replica to two (savings)",
        "",
        "| | 1 replica | 2 replicas |",
        "|---|---:|---:|",
        f"| API creates per second (concurrency 16) | {s1['api_create_per_second']} | {s2['api_create_per_second']} |",
        f"| Raw inserts per second, same server | {s1['raw_insert_per_second']} | {s2['raw_insert_per_second']} |",
        f"| API ÷ raw | {s1['ratio_api_to_raw']} | {s2['ratio_api_to_raw']} |",
        f"| Raw transactions per second (initiative + read-model cells + outbox record, driver only, same indexes) | "
        f"{s1['raw_transaction_per_second']} | {s2['raw_transaction_per_second']} |",
        f"| API ÷ raw transaction | {s1['ratio_api_to_raw_transaction']} | {s2['ratio_api_to_raw_transaction']} |",
        f"| API create p50 / p99 ms | {s1['api_create_p50_ms']} / {s1['api_create_p99_ms']} | "
        f"{s2['api_create_p50_ms']} / {s2['api_create_p99_ms']} |",
        f"| Event hop p50 / p99 ms (median of rounds) | {h1['p50_ms']} / {h1['p99_ms']} | "
        f"{h2['p50_ms']} / {h2['p99_ms']} |",
        "",
        "## Reports as data grows",
        "",
        "| Report | at 1k: median ms | at 100k: median ms | ratio |",
        "|---|---:|---:|---:|",
        f"| Savings theme report (read model) | {t['at_1k']['median_ms']} | {t['at_100k']['median_ms']} | "
        f"{t['ratio_100k_to_1k']} |",
        f"| Property utilisation, one building, 200 days | {p['at_1k']['median_ms']} | {p['at_100k']['median_ms']} | "
        f"{p['ratio_100k_to_1k']} |",
        "",
        f"Estate-wide utilisation review of one year of daily readings: {p['estate_review_one_year']['buildings']} "
        f"buildings in use ({p['estate_review_one_year']['readings']} readings), median "
        f"{p['estate_review_one_year']['median_ms']} ms, p90 {p['estate_review_one_year']['p90_ms']} ms.",
        "",
        f"Savings totals matched what was loaded: {t['totals_match_what_was_loaded']}. Both sizes are measured after "
        "the service's background job has folded the read model's write shards (one document per cell), or after "
        "waiting 180 s for it: "
        + "; ".join(f"after the {size} load {_seconds(v)}" for size, v in t["seconds_until_folded"].items()) + ".",
        "",
        *soak.detail(results["soak"]),
        *gateway_detail(g, c),
        *pages.detail(results["pages"]),
        "Raw figures: `bench/results.json`.",
        "",
    ]
    return "\n".join(lines)


def render_events(results: dict[str, Any], meta: dict[str, Any]) -> str:
    """``--events``: the event hop alone."""
    e = results["events"]
    return _section_report("the event hop alone", "events",
                           "; every figure compares things measured side by side in this run.", meta,
                           events.target_rows(e), events.detail(e))


def render_soak(results: dict[str, Any], meta: dict[str, Any]) -> str:
    """``--soak``: the soak alone."""
    return _section_report("the soak alone", "soak", ".", meta,
                           soak.target_rows(results["soak"]), soak.detail(results["soak"]))


def _seconds(value: float | None) -> str:
    return f"it took {value} s" if value is not None else "it had not finished within the 180 s wait"


def _interrupted(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer events, for trying the bench out")
    parser.add_argument("--gateway", action="store_true",
                        help="the gateway section only; written to bench/results-gateway.{md,json}")
    parser.add_argument("--events", action="store_true",
                        help="the event hop only (1 and 2 savings replicas, the broker alone); "
                             "written to bench/results-events.{md,json}")
    parser.add_argument("--soak", action="store_true",
                        help="the soak only (two replicas of every service behind a gateway); "
                             "written to bench/results-soak.{md,json}")
    args = parser.parse_args()
    state = Path(tempfile.mkdtemp(prefix="civic-bench-"))
    config = StackConfig.ephemeral(state, extra_env={
        "CIVIC_RATE_LIMIT_PER_MINUTE": "100000000",  # the bench is one subject hammering the gateway
        "CIVIC_LOG_LEVEL": "WARNING",
    })
    # SIGTERM (a CI timeout, `kill`) unwinds like Ctrl-C, so the platform below is always stopped
    signal.signal(signal.SIGTERM, _interrupted)
    stack = Stack(config, echo=say)
    started = time.perf_counter()
    say("starting the platform on free ports …")
    stack.start()
    try:
        results = asyncio.run(measure(stack, args.quick, only_gateway=args.gateway, only_events=args.events,
                                      only_soak=args.soak))
    finally:
        stack.stop()
        shutil.rmtree(state, ignore_errors=True)
    meta = {
        "finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": platform.platform(terse=True),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "wall_seconds": round(time.perf_counter() - started),
    }
    # a section or a quick run is written beside the full run's results (committed), never over them
    name = ("results-gateway" if args.gateway else "results-events" if args.events else "results-soak" if args.soak
            else "results-quick" if args.quick else "results")
    (HERE / f"{name}.json").write_text(json.dumps({"meta": meta, **results}, indent=2, default=str) + "\n")
    render_section = render_gateway if args.gateway else render_events if args.events else render_soak \
        if args.soak else render
    report = render_section(results, meta)
    (HERE / f"{name}.md").write_text(report)
    say("\n" + report)
    say(f"written: {HERE / f'{name}.md'}")


if __name__ == "__main__":
    main()
