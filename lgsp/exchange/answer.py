"""What the exchange sends back: status, raw headers and the whole body, as ASGI messages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from lgsp.api.problems import Problem, problem_response

Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Answer:
    """A complete HTTP answer; header names lower-case, as ASGI wants them."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    @classmethod
    def of_response(cls, response: Response) -> Answer:
        """The answer a Starlette response would send (its body already rendered)."""
        return cls(
            status=response.status_code, headers=response.raw_headers, body=bytes(response.body)
        )

    @classmethod
    def of_problem(
        cls, problem: Problem, *, exchange_id: str, instance: str | None = None
    ) -> Answer:
        """A problem+json answer (see `problem_response`)."""
        return cls.of_response(
            problem_response(problem, instance=instance, exchange_id=exchange_id)
        )

    async def send(self, send: Send) -> None:
        """Send the answer: start, then the body in one message."""
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body})


def has_content_length(status: int) -> bool:
    """Whether an answer with `status` carries Content-Length (RFC 9110 §8.6)."""
    return status >= 200 and status not in (204, 304)
