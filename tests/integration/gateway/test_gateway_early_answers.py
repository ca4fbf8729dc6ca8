"""Callers on keep-alive connections never get another caller's spoiled answer (see gateway_probe).

Through the real gateway app and uvicorn in front of stand-in services served by uvicorn: half the
requests send a body to a route that does not allow their method (the stand-in answers 405 before
reading it), half read a resource; every answer must be JSON (or problem+json) and every read must
return what it asked for. The same probe runs against the real services in test_gateway_real_services.
"""

from __future__ import annotations

from conftest import Stack
from gateway_probe import misanswered, probe

CALLERS = 8


async def test_callers_on_keep_alive_connections_get_their_own_answers(stack: Stack) -> None:
    tokens = [stack.token("savings:read savings:write ops", sub=f"caller-{n}") for n in range(CALLERS)]
    reads = [f"/api/savings/v1/initiatives/i{n}" for n in range(10)]
    # the stand-ins' /ops routes take GET and POST only: DELETE, PUT and PATCH are answered 405 at once
    outcomes = await probe(stack.gateway.url, tokens, refusing_path="/api/savings/ops/dead-letters", reads=reads)

    assert len(outcomes) == CALLERS * 60
    wrong = misanswered(outcomes, lambda outcome: outcome.json()["path"].rsplit("/", 1)[-1])
    assert wrong == [], "\n".join(wrong[:20])
