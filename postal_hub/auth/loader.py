"""Flask-Login's user loader: an inactive or missing user is signed out on their next request."""

from __future__ import annotations

from postal_hub.core.users.models import User
from postal_hub.extensions import db


def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None
