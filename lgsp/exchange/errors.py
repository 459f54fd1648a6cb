"""Why an exchange stopped before reaching the provider: one refusal, one audit entry."""

from __future__ import annotations

from lgsp.api.problems import Problem


class Refused(Exception):
    """A step refused the call; `problem` is the answer and its type slug the audit reason."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem

    @property
    def reason(self) -> str:
        """The slug recorded in the refusal entry."""
        return self.problem.type.slug
