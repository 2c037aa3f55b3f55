"""The custom token hook: ``XLWINGS_AUTH_PROVIDERS='["custom"]'`` and a shared secret in ``PAGT_XL_API_TOKEN``.

The add-in sends the token in the ``Authorization`` header; our
``static/js/auth.js`` takes it from the task pane's "Adgangsnøgle" field
(kept in the browser's local storage). Without ``PAGT_XL_API_TOKEN`` (or with
one shorter than 16 characters) every call is refused. Prefer Entra ID
(``XLWINGS_AUTH_PROVIDERS='["entraid"]'``) where the region has it: users then
sign in with their own accounts.

xlwings Server calls :func:`validate_token` itself, so the token comes from
:func:`~pagt_xl.xl.settings.current_settings` (installed by ``pagt_xl.xl.asgi``).
"""

import hmac

from fastapi import status
from fastapi.exceptions import HTTPException
from xlwings_server.models import User

from pagt_xl.xl.settings import ServerSettings, current_settings

#: Tokens shorter than this are refused even if configured (a guessable secret is no secret).
MIN_TOKEN_LENGTH = 16


async def validate_token(token_string: str, settings: ServerSettings | None = None) -> User:
    """The user for a valid token; 401 otherwise. Compares in constant time.

    ``settings``: ``None`` means :func:`~pagt_xl.xl.settings.current_settings`.
    """
    expected = (settings or current_settings()).api_token.get_secret_value()
    token = token_string.strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    if len(expected) >= MIN_TOKEN_LENGTH and hmac.compare_digest(token.encode(), expected.encode()):
        return User(id="pagt-xl", name="Teknologipagt-bruger")
    raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Ugyldig eller manglende adgangsnøgle")
