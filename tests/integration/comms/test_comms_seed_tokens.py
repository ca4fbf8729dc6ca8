"""The demo data's second identity (the approver) is signed by the stack being seeded.

`make run` leaves its keys in the checkout's .civic/keys; `make bench` then seeds its own stack, on
free ports, which trusts other keys. The comms seed used to sign its approver with whatever
$CIVIC_STATE_DIR/keys held, so the bench's comms answered 401 and the bench crashed.
"""

from __future__ import annotations

from typing import Any

import pytest
from civic.auth import LocalSigningKey
from civic.cli.seeding import SEED_SUB, seed_service
from civic_comms import seed as comms_seed

pytestmark = pytest.mark.integration


async def test_the_approver_is_signed_by_the_stack_being_seeded_not_the_checkouts_keys(
    service_client, stack, tmp_path, monkeypatch
):
    other = LocalSigningKey(tmp_path / "keys")  # another stack's keys, as `make run` leaves them
    other.ensure()
    assert other.jwks_path.read_text() != stack.keys.jwks_path.read_text()
    monkeypatch.setenv("CIVIC_STATE_DIR", str(tmp_path))
    client = await service_client("comms", sub=SEED_SUB)
    answers: list[int] = []
    content = comms_seed._content

    async def probing(client: Any, approver: Any, campaign_id: str) -> None:
        # the shared database may hold the demo content already (then the seed approves nothing), so
        # ask the service directly whether it trusts the approver the seed made
        assert approver is not None, "the seed made no approver: its content would stop in review"
        probe = await approver.post("/v1/content/no-such-content/transitions", json={"to": "approved"})
        answers.append(probe.status_code)
        await content(client, approver, campaign_id)

    monkeypatch.setattr(comms_seed, "_content", probing)
    await seed_service("comms", client, stack.keys.mint)
    assert answers == [404]  # trusted, and allowed to approve; there is just no such content (401 before)
