"""Simulated devices: the eMRTD chip emulator, its reader and the throw-away test PKI."""
