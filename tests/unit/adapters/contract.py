"""The adapter contract: checks every adapter kind must pass against real loopback providers.

Each check (in contract_forwarding, contract_failures, contract_lifecycle) is
`async def check_...(env: ContractEnv) -> None`. A kind takes part by having
a `Harness` in `HARNESSES` that turns (provider URL, static headers, size limit) into its
`adapter_options`; tests/integration/test_adapters_contract.py runs every check for every
discovered kind, and fails for a discovered kind without a harness.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from tests.unit.adapters import contract_failures as failures
from tests.unit.adapters import contract_forwarding as forwarding
from tests.unit.adapters import contract_lifecycle as lifecycle
from tests.unit.adapters.contract_env import ContractEnv, Harness


def _rest_options(
    base_url: str, headers: Mapping[str, str], max_response_bytes: int | None
) -> Mapping[str, object]:
    """`rest` options: the provider URL, static headers, and the size limit if given."""
    options: dict[str, object] = {"base_url": base_url, "headers": dict(headers)}
    if max_response_bytes is not None:
        options["max_response_bytes"] = max_response_bytes
    return options


NDXP_SERVICE = "VN/GOV/000.00.00.G06/CSDLQGDC/tra-cuu-cong-dan"
NDXP_SECRET_ENV = "LGSP_CONTRACT_NDXP_HMAC_SECRET"


def _ndxp_options(
    base_url: str, headers: Mapping[str, str], max_response_bytes: int | None
) -> Mapping[str, object]:
    """`ndxp` options: NDXP at the provider URL, HMAC-signed, the static headers and limit."""
    options: dict[str, object] = {
        "base_url": base_url,
        "client": "VN/GOV/000.00.00.H57/LGSP",
        "service": NDXP_SERVICE,
        "auth": {"scheme": "hmac", "system": "000.00.00.H57:LGSP", "secret_env": NDXP_SECRET_ENV},
        "headers": dict(headers),
    }
    if max_response_bytes is not None:
        options["max_response_bytes"] = max_response_bytes
    return options


HARNESSES: dict[str, Harness] = {
    "rest": Harness(options_for=_rest_options),
    "ndxp": Harness(
        options_for=_ndxp_options,
        path_prefix=f"/r1/{NDXP_SERVICE}",
        own_headers=frozenset(
            {
                "x-road-client",
                "x-road-id",
                "idempotency-key",
                "x-ndxp-system",
                "x-ndxp-timestamp",
                "x-ndxp-signature",
            }
        ),
        environment={NDXP_SECRET_ENV: "contract-hmac-secret"},
    ),
}


Check = Callable[[ContractEnv], Awaitable[None]]

CHECKS: list[Check] = [
    forwarding.check_forwards_exact_path_and_query,
    forwarding.check_forwards_method_and_body,
    forwarding.check_sends_only_caller_and_static_headers,
    forwarding.check_framework_provider_understands_call,
    forwarding.check_returns_answer_unchanged,
    forwarding.check_bodiless_answers_keep_their_length,
    forwarding.check_does_not_follow_redirects,
    forwarding.check_passes_compressed_body_through,
    forwarding.check_reads_chunked_answer_whole,
    forwarding.check_keeps_no_cookies,
    forwarding.check_concurrent_calls_get_their_own_answers,
    failures.check_closed_port_is_unavailable,
    failures.check_untrusted_certificate_is_unavailable,
    failures.check_connect_timeout,
    failures.check_read_timeout_waiting_for_head,
    failures.check_read_timeout_within_body,
    failures.check_answer_over_limit_is_refused,
    failures.check_dropped_connection_is_unavailable,
    failures.check_idempotent_call_is_resent_at_most_once,
    failures.check_malformed_answer_is_protocol_error,
    lifecycle.check_adapters_of_one_factory_share_the_pool,
    lifecycle.check_adapter_aclose_leaves_others_working,
    lifecycle.check_factory_aclose_closes_the_pool,
    lifecycle.check_cancelled_call_releases_its_connection,
]
