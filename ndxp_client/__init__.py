"""A standalone async client of the national data-integration platform (NDXP); see README.md."""

from ndxp_client.auth import AuthScheme, HmacSignedHeaders, TimestampedHashCredential
from ndxp_client.client import NdxpClient
from ndxp_client.errors import (
    NdxpAuthError,
    NdxpClientClosed,
    NdxpError,
    NdxpProtocolError,
    NdxpRefused,
    NdxpTimeout,
    NdxpUnavailable,
)
from ndxp_client.messages import NdxpResponse, RequestParts
from ndxp_client.oauth2 import OAuth2ClientCredentials
from ndxp_client.retry import RetryPolicy
from ndxp_client.services import DEFAULT_SERVICES
from ndxp_client.transport import Timeouts

__all__ = [
    "DEFAULT_SERVICES",
    "AuthScheme",
    "HmacSignedHeaders",
    "NdxpAuthError",
    "NdxpClient",
    "NdxpClientClosed",
    "NdxpError",
    "NdxpProtocolError",
    "NdxpRefused",
    "NdxpResponse",
    "NdxpTimeout",
    "NdxpUnavailable",
    "OAuth2ClientCredentials",
    "RequestParts",
    "RetryPolicy",
    "Timeouts",
    "TimestampedHashCredential",
]
