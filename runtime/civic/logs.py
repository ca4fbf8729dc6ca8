"""JSON logs, one object a line, carrying the current trace and span ids.

Request and event bodies are never logged: some carry confidential safeguarding data.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

_RESERVED = set(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            entry["trace_id"] = format(span.trace_id, "032x")
            entry["span_id"] = format(span.span_id, "016x")
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


# (httpx logs every request at INFO: the gateway's spans and metrics already record each call)
DRIVER_LOGGERS = ("aiokafka", "pymongo", "kafka", "httpx", "httpcore")
# PyMongo's command log holds whole commands and replies, confidential fields included: never
# written, even when debugging (a leak into logs is a leak all the same).
DOCUMENT_LOGGERS = ("pymongo.command",)


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's access log repeats what our request metrics and spans already say
    logging.getLogger("uvicorn.access").handlers[:] = []
    logging.getLogger("uvicorn.access").propagate = False
    if level.upper() != "DEBUG":  # the drivers' own chatter only when debugging
        for noisy in DRIVER_LOGGERS:
            logging.getLogger(noisy).setLevel(logging.WARNING)
    for holding_documents in DOCUMENT_LOGGERS:
        logging.getLogger(holding_documents).setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
