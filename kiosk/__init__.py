"""kiosk: the enrolment station for Level 2 electronic identity (VNeID mức 2)."""

__version__ = "0.1.0"
