"""Shared words with no I/O beyond reading the pact files: the issue model, errors, Danish parsing and
formatting, the figures' rounding rules, pact configuration and names.

Imports nothing from the other floors of :mod:`pagt_xl`.
"""
