"""Equality monitoring in aggregate: counts per category per consultation, small numbers suppressed.

Any count below five (zero included) is shown as "fewer than 5", so that no respondent can be picked out of a
small group. Each question's counts (with "not answered") add up to the consultation's responses, which are
published: so where only one count of a question is suppressed it could be worked out from the others, and the
next smallest is suppressed with it (secondary suppression).

Plain Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from civic_comms.respondents.domain import MONITORING

SUPPRESS_BELOW = 5
FEWER_THAN = f"fewer than {SUPPRESS_BELOW}"
NOT_ANSWERED = "not_answered"


def suppressed(cells: Sequence[tuple[str, int]]) -> list[dict[str, Any]]:
    """``[{value, count}]`` in the cells' order, each count below five (and, where one alone is, the next
    smallest too) shown as "fewer than 5"."""
    hidden = {i for i, (_, n) in enumerate(cells) if n < SUPPRESS_BELOW}
    if len(hidden) == 1 and len(cells) > 1:
        # one hidden count is the total less the others: hide the smallest shown one with it
        hidden.add(min((i for i in range(len(cells)) if i not in hidden), key=lambda i: (cells[i][1], i)))
    return [{"value": value, "count": FEWER_THAN if i in hidden else n} for i, (value, n) in enumerate(cells)]


def monitoring_counts(responses: int, details: Iterable[Mapping[str, str]]) -> dict[str, list[dict[str, Any]]]:
    """Per monitoring question, how many chose each answer and how many did not answer, suppressed."""
    counts = {q: dict.fromkeys(values, 0) for q, values in MONITORING.items()}
    for monitoring in details:
        for question, value in monitoring.items():
            if value in counts.get(question, {}):
                counts[question][value] += 1
    out = {}
    for question, by_value in counts.items():
        answered = sum(by_value.values())
        cells = [*by_value.items(), (NOT_ANSWERED, max(responses - answered, 0))]
        out[question] = suppressed(cells)
    return out
