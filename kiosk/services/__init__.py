"""The use cases the UI and the command line call.

Synchronous and Qt-free, so they are tested plainly and ``kiosk demo --headless`` proves them.
Every entry point checks the caller's permission first and writes the audit log in the same
unit of work as the change it records.
"""
