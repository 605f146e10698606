"""The symmetric primitives of ICAO 9303-11: key derivation, MACs and CBC ciphers with padding.

Kept apart from the protocols so the terminal (``bac``, ``sm``, PACE) and the simulated chip
share one implementation of each primitive.
"""
