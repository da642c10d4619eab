"""The App Store Connect client (DESIGN §5): credentials, JWT auth, the JSON:API client and the
resources we manage. It speaks Apple's JSON:API and knows nothing of manifests or plans."""

from reconciler.asc.auth import JwtAuth
from reconciler.asc.client import DEFAULT_BASE_URL, AscClient, JsonDict
from reconciler.asc.credentials import Credentials, load_credentials
from reconciler.asc.policy import RateLimit, RetryPolicy
from reconciler.asc.query import MAX_INCLUDED_LIMIT, MAX_LIMIT, query
from reconciler.asc.resources import (
    App,
    AppStoreVersion,
    Resource,
    ToMany,
    parse_app,
    parse_app_store_version,
    parse_resource,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_INCLUDED_LIMIT",
    "MAX_LIMIT",
    "App",
    "AppStoreVersion",
    "AscClient",
    "Credentials",
    "JsonDict",
    "JwtAuth",
    "RateLimit",
    "Resource",
    "RetryPolicy",
    "ToMany",
    "load_credentials",
    "parse_app",
    "parse_app_store_version",
    "parse_resource",
    "query",
]
