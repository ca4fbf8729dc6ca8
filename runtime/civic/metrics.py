"""Prometheus metrics shared by every component (one registry per process)."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

REQUESTS = Counter("civic_http_requests_total", "HTTP requests", ["service", "method", "route", "status"])
LATENCY = Histogram(
    "civic_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
OUTBOX_BACKLOG = Gauge("civic_outbox_backlog", "Outbox records not yet published", ["service"])
OUTBOX_WRITTEN = Counter("civic_outbox_written_total", "Events committed to the outbox by the changes that emitted them",
                         ["service", "topic"])
OUTBOX_PUBLISHED = Counter("civic_outbox_published_total", "Events published from the outbox", ["service", "topic"])
OUTBOX_PUBLISH_FAILURES = Counter("civic_outbox_publish_failures_total", "Failed publish attempts", ["service"])
CONSUMER_LAG = Gauge("civic_consumer_lag", "Messages behind the end of the partition", ["service", "topic", "partition"])
EVENTS_HANDLED = Counter("civic_events_handled_total", "Events applied", ["service", "type", "outcome"])
DEAD_LETTERS = Counter("civic_dead_letters_total", "Events sent to dead letters", ["service", "type"])
TRANSACTION_RETRIES = Counter(
    "civic_transaction_retries_total", "Units of work tried again because a concurrent writer won the race", ["service"]
)
TRANSACTION_CONFLICTS_GIVEN_UP = Counter(
    "civic_transaction_conflicts_given_up_total",
    "Units of work that still lost the race when their retry time ran out (answered 503)",
    ["service"],
)
RETENTION_DELETED = Counter(
    "civic_retention_deleted_total", "Records deleted once their retention ran out (published outbox records, "
    "idempotency records)", ["service", "collection"],
)
DEAD_LETTERS_OPEN = Gauge("civic_dead_letters_open", "Dead letters not yet re-driven", ["service"])
TALLY_DRIFT = Gauge("civic_tally_drift", "Statuses whose tally (civic.tallies) differs from the records it counts, "
                    "at the last check (0: it matches)", ["service", "tally"])
TALLY_CHECKED = Gauge("civic_tally_checked_timestamp_seconds", "When the tally was last compared with its records",
                      ["service", "tally"])


def render() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
