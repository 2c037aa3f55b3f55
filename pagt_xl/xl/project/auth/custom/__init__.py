"""The custom token hook for ``XLWINGS_AUTH_PROVIDERS='["custom"]'``: personal keys, or one shared key.

Preferred for small sites: ``PAGT_XL_TOKENS_FILE``, one key per person
(:mod:`pagt_xl.xl.tokens`); the user is then that person (``id`` ``token:<name>``),
so the server's log names them and their PAGT.DATA handles are theirs alone.
``PAGT_XL_API_TOKEN`` (at least 16 characters) is one key shared by everybody,
who are then one user ("Teknologipagt-bruger"); the server warns about it at
start. Where the region has Entra ID, prefer ``XLWINGS_AUTH_PROVIDERS='["entraid"]'``.

The add-in sends the key in the ``Authorization`` header; our
``static/js/auth.js`` takes it from the task pane's "Adgangsnøgle" field (kept in
the browser's local storage). xlwings Server calls :func:`validate_token`
itself, so the settings come from :func:`~pagt_xl.xl.settings.current_settings`
(installed by ``pagt_xl.xl.asgi``).
"""

import hmac

from fastapi import status
from fastapi.exceptions import HTTPException
from xlwings_server.models import User

from pagt_xl.xl.settings import ServerSettings, current_settings
from pagt_xl.xl.tokens import tokens_from

#: A shared key shorter than this is refused at start (a guessable secret is no secret).
MIN_TOKEN_LENGTH = 16
#: The one user everybody is with the shared ``PAGT_XL_API_TOKEN``.
SHARED_USER = User(id="pagt-xl", name="Teknologipagt-bruger")


async def validate_token(token_string: str, settings: ServerSettings | None = None) -> User:
    """The user for a valid key; 401 (Danish) otherwise. Compares in constant time.

    ``settings``: ``None`` means :func:`~pagt_xl.xl.settings.current_settings`.
    """
    settings = settings or current_settings()
    token = token_string.strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    if token and settings.tokens_file is not None:
        name = tokens_from(settings.tokens_file).user_for(token)
        if name is not None:
            return User(id=f"token:{name}", name=name)
    expected = settings.api_token.get_secret_value()
    if token and len(expected) >= MIN_TOKEN_LENGTH and hmac.compare_digest(token.encode(), expected.encode()):
        return SHARED_USER.model_copy()
    raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Ugyldig eller manglende adgangsnøgle")
