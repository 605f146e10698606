"""Real card readers behind ``kiosk.devices.ports.CardReader``: PC/SC (pyscard) and nfcpy.

Only the modules of this package import ``smartcard`` or ``nfc``; each is the one typed adapter
of its library, converting its values and exceptions at the edge.
"""
