"""The pure model of the kiosk: citizens, applications, users, audit. No I/O, nothing of ours."""
