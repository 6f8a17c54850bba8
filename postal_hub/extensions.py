"""The extension objects; each is bound to an app in create_app() through init_app()."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from postal_hub.db import Database

db = Database()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
