"""API authentication: the session cookie (with the CSRF header for writes) or an OAuth2 bearer
token issued by Sen's own provider."""

from ninja.security import SessionAuth

api_auth = [SessionAuth()]
