"""Step 1: who is calling, from the bearer token, checked without a database read."""

from __future__ import annotations

from lgsp.api.problems import FORBIDDEN, Problem
from lgsp.auth.deps import bearer_token_of, invalid_token
from lgsp.auth.models import Caller
from lgsp.auth.tokens import InvalidToken, TokenService
from lgsp.exchange.errors import Refused

SCOPE = "exchange"


def authenticate(authorization: str | None, *, tokens: TokenService) -> Caller:
    """The caller behind an `Authorization` header value, holding the `exchange` scope.

    `Refused` with a 401 or 403 problem otherwise.
    """
    try:
        caller = tokens.verify(bearer_token_of(authorization))
    except Problem as problem:
        raise Refused(problem) from None
    except InvalidToken as exc:
        raise Refused(invalid_token(str(exc))) from None
    if SCOPE not in caller.scopes:
        raise Refused(
            Problem(
                FORBIDDEN,
                "exchanging needs the exchange scope",
                headers={"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{SCOPE}"'},
            )
        )
    return caller
