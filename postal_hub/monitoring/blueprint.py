"""The monitoring blueprint: dashboards, the lists behind their numbers, reports, the public page."""

from flask import Blueprint

bp = Blueprint("monitoring", __name__)
