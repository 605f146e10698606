"""The citizen's paper and the day's figures as PDFs (reportlab), and the receipt's signed code.

Imports only ``kiosk.domain`` (plus reportlab and cryptography): the services hand in finished
values, so the PDFs are rendered and the QR payload signed and verified without a database.
"""
