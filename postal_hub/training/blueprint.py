"""The training blueprint: catalogue, sessions, certificates, coverage, the gate's switch, verification."""

from flask import Blueprint

bp = Blueprint("training", __name__)
