"""The custom token hook: ``XLWINGS_AUTH_PROVIDERS='["custom"]'`` and a shared secret in ``PAGT_XL_API_TOKEN``.

The add-in sends the token in the ``Authorization`` header; our
``static/js/auth.js`` takes it from the task pane's "Adgangsnøgle" field
(kept in the browser's local storage). Without ``PAGT_XL_API_TOKEN`` (or with
one shorter than 16 characters) every call is refused. Prefer Entra ID
(``XLWINGS_AUTH_PROVIDERS='["entraid"]'``) where the region has it: users then
sign in with their own accounts.
"""

import hmac
import os

from fastapi import status
from fastapi.exceptions import HTTPException
from xlwings_server.models import User

#: Tokens shorter than this are refused even if configured (a guessable secret is no secret).
MIN_TOKEN_LENGTH = 16


async def validate_token(token_string: str) -> User:
    """The user for a valid token; 401 otherwise. Compares in constant time."""
    expected = os.environ.get("PAGT_XL_API_TOKEN", "")
    token = token_string.strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    if len(expected) >= MIN_TOKEN_LENGTH and hmac.compare_digest(token.encode(), expected.encode()):
        return User(id="pagt-xl", name="Teknologipagt-bruger")
    raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Ugyldig eller manglende adgangsnøgle")
