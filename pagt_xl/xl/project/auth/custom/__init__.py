"""The custom token hook: ``XLWINGS_AUTH_PROVIDERS=["custom"]`` with a shared secret in ``PAGT_XL_API_TOKEN``.

The add-in sends the token in the Authorization header (``static/js/auth.js``'s
``globalThis.getAuth()``). Without ``PAGT_XL_API_TOKEN`` every call is refused.
For a real deployment prefer Entra ID (``XLWINGS_AUTH_PROVIDERS=["entraid"]``).
"""

import os
import secrets

from fastapi import status
from fastapi.exceptions import HTTPException
from xlwings_server.models import User


async def validate_token(token_string: str) -> User:
    """The user for a valid token; 401 otherwise (constant-time comparison)."""
    expected = os.environ.get("PAGT_XL_API_TOKEN", "")
    token = token_string.removeprefix("Bearer ").strip()
    if expected and secrets.compare_digest(token.encode(), expected.encode()):
        return User(id="pagt-xl", name="pagt_xl-bruger")
    raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Ugyldig eller manglende adgangsnøgle")
