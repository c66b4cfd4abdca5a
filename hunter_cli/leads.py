"""Moved to :mod:`hunter_cli.store.leads`: all SQL lives in the store package. Old imports keep working."""

from .store.leads import *  # noqa: F403
