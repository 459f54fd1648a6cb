"""The message-id store: fresh, replayed, conflicting, released, bounded."""

from __future__ import annotations

from ndxp_client.simulator.dedup import Conflict, DedupStore, Fresh, Replay
from ndxp_client.simulator.services.base import Answer

ANSWER = Answer(status=200, body=b"{}", media_type="application/json")


def test_a_completed_id_replays_and_a_different_hash_conflicts() -> None:
    store = DedupStore(limit=10)
    assert store.claim(client_id="a", key="k", request_hash="h1") == Fresh()
    store.complete(client_id="a", key="k", answer=ANSWER)
    assert store.claim(client_id="a", key="k", request_hash="h1") == Replay(ANSWER)
    assert store.claim(client_id="a", key="k", request_hash="h2") == Conflict()
    assert store.claim(client_id="b", key="k", request_hash="h2") == Fresh()


def test_a_released_id_is_new_again() -> None:
    store = DedupStore(limit=10)
    store.claim(client_id="a", key="k", request_hash="h1")
    store.release(client_id="a", key="k")
    assert store.claim(client_id="a", key="k", request_hash="h2") == Fresh()


def test_the_oldest_answered_ids_go_first_and_open_claims_stay() -> None:
    store = DedupStore(limit=2)
    store.claim(client_id="a", key="open", request_hash="h")
    for key in ("one", "two"):
        store.claim(client_id="a", key=key, request_hash="h")
        store.complete(client_id="a", key=key, answer=ANSWER)
    assert store.claim(client_id="a", key="one", request_hash="other") == Fresh()
    assert store.claim(client_id="a", key="open", request_hash="other") == Conflict()


def test_reset_forgets_everything() -> None:
    store = DedupStore(limit=2)
    store.claim(client_id="a", key="k", request_hash="h")
    store.complete(client_id="a", key="k", answer=ANSWER)
    store.reset()
    assert store.claim(client_id="a", key="k", request_hash="x") == Fresh()
