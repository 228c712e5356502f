"""hoist's async Intercom client: aiohttp, a shared rate limiter fed from headers, retries.

client.py .... IntercomClient: the endpoints hoist uses, one request path for all of them
limiter.py ... RateLimiter: one budget per token, learnt from X-RateLimit-* headers
retry.py ..... RetryPolicy, set_testing: how long to wait before trying again
classify.py .. classify_response: the one place a response becomes an error
transport.py . aiohttp over the network, or httpx over an injected transport
identity.py .. WorkspaceIdentity: which workspace a token reaches (GET /me)
"""

from __future__ import annotations

from hoist.intercom.classify import classify_response
from hoist.intercom.client import API_VERSION, REGION_URLS, IntercomClient
from hoist.intercom.identity import WorkspaceIdentity
from hoist.intercom.limiter import RateLimiter
from hoist.intercom.retry import RetryPolicy, set_testing

__all__ = [
    "API_VERSION",
    "REGION_URLS",
    "IntercomClient",
    "RateLimiter",
    "RetryPolicy",
    "WorkspaceIdentity",
    "classify_response",
    "set_testing",
]
