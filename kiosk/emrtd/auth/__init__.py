"""Authentication of a chip read: Passive Authentication, its trust store, and the verdicts.

The verdict vocabulary (``valid``, ``invalid``, ``unverified``, ``not_supported``,
``not_performed``) and the overall ``chip_verdict`` follow design.md, "Reading a CCCD chip".
"""
