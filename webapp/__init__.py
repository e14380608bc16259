"""The Flask web front end; it talks only to kb."""

from webapp.app import create_app

__all__ = ["create_app"]
