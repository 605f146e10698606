"""Repositories: map rows to the domain's frozen objects and back; no row leaves ``kiosk.store``.

Each repository works inside the session of a ``UnitOfWork`` and never commits on its own.
"""
