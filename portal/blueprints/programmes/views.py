"""Programmes: the public pages, applications, and the staff pages that run them. The area's
view modules share this blueprint."""
from flask import Blueprint

bp = Blueprint("programmes", __name__, url_prefix="/programmes")
