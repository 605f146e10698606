"""The QR payload layouts of the cards the kiosk scans: CCCD, BHYT and GPLX."""
