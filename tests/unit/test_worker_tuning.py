"""A tuned worker still logs what its formats ask for and still collects garbage."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator

import pytest

from lgsp.worker_tuning import tune_worker


@pytest.fixture
def restored() -> Iterator[None]:
    saved = (
        logging.logThreads,
        logging.logProcesses,
        logging.logMultiprocessing,
        logging._srcfile,
    )
    yield
    gc.unfreeze()
    (
        logging.logThreads,
        logging.logProcesses,
        logging.logMultiprocessing,
        logging._srcfile,
    ) = saved


def test_records_keep_their_message_and_level(restored: None) -> None:
    tune_worker()
    record = logging.getLogger("lgsp.access").makeRecord(
        "lgsp.access", logging.INFO, "", 0, "%s %d", ("GET", 200), None
    )
    assert record.getMessage() == "GET 200"
    assert record.levelname == "INFO"
    # What the formats do not use is no longer looked up.
    assert record.thread is None
    assert record.process is None


def test_start_up_objects_are_frozen_and_new_garbage_is_still_collected(restored: None) -> None:
    tune_worker()
    assert gc.get_freeze_count() > 0

    class Cycle:
        other: object

    first, second = Cycle(), Cycle()
    first.other, second.other = second, first
    del first, second
    assert gc.collect() >= 2
