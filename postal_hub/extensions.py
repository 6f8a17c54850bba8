"""The extension objects; each is bound to an app in create_app() through init_app()."""

from flask import session
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from postal_hub.db import Database


class SignedInSessionProtection(LoginManager):
    """Strong session protection for signed-in sessions only.

    Flask-Login treats any non-empty session without its identifier as hijacked; an anonymous
    visitor's session holds their language and nothing else, so each of their pages was "protected":
    the session rewritten and a remember-me deletion cookie (a cookie this app never sets) sent."""

    def _session_protection_failed(self) -> bool:
        if "_user_id" not in session:
            return False
        failed: bool = super()._session_protection_failed()
        return failed


db = Database()
csrf = CSRFProtect()
login_manager = SignedInSessionProtection()
babel = Babel()
