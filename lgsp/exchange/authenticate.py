"""Step 1: who is calling, from the bearer token, checked without a database read."""

from __future__ import annotations

from starlette.requests import Request

from lgsp.api.problems import FORBIDDEN, Problem
from lgsp.auth.deps import bearer_token, invalid_token
from lgsp.auth.models import Caller
from lgsp.auth.tokens import InvalidToken, TokenService
from lgsp.exchange.errors import Refused

SCOPE = "exchange"


def authenticate(request: Request, *, tokens: TokenService) -> Caller:
    """The caller, holding the `exchange` scope; `Refused` with a 401 or 403 problem otherwise."""
    try:
        caller = tokens.verify(bearer_token(request))
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
