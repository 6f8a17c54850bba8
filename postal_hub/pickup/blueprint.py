"""The pickup blueprint: the public booking pages and the staff's dispatch and door screens."""

from flask import Blueprint

bp = Blueprint("pickup", __name__)
