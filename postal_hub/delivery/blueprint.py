"""The delivery blueprint: the unit's result screens, the office's and postman's, the citizen's page."""

from flask import Blueprint

bp = Blueprint("delivery", __name__)
