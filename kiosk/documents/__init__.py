"""Photographed and scanned cards: finding, flattening, checking, QR decoding, cross-checking.

``kiosk.documents.scan.scan`` is the entry point; the modules below it each own one step.
"""
