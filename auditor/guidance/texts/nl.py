"""placeholder"""
from .en import TEXTS

__all__ = ["TEXTS"]
