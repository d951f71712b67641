"""Refusals while signing in or managing a profile: the messenger's one `Refusal` (parta/messenger/errors.py)."""

from parta.messenger.errors import Refusal

__all__ = ["Refusal"]
