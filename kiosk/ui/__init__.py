"""The desktop app (PySide6), the only package that imports Qt.

It renders and forwards; every rule lives in ``kiosk.services``.
"""
