"""The exchange's loggers print plainly on stderr, beside uvicorn's own."""

from __future__ import annotations

import logging
import logging.config

import pytest

from lgsp.cli.serving import _log_config


def test_the_lgsp_loggers_use_a_plain_formatter(capsys: pytest.CaptureFixture[str]) -> None:
    saved = logging.getLogger("lgsp").handlers[:]
    logging.config.dictConfig(_log_config())
    try:
        (handler,) = logging.getLogger("lgsp").handlers
        # Not uvicorn's colourising formatter, which copies every record it formats.
        assert type(handler.formatter) is logging.Formatter
        logging.getLogger("lgsp.access").info("POST %s %d", "/x/{service_path:path}", 200)
    finally:
        logging.getLogger("lgsp").handlers[:] = saved
        logging.getLogger("lgsp").propagate = True
    assert capsys.readouterr().err == "INFO:\tlgsp.access POST /x/{service_path:path} 200\n"
