"""The simulated eMRTD chip, split the vsmartcard way: OS, file system, security, personality.

``os`` dispatches APDUs, ``filesystem`` holds the MF/DF/EF tree, ``security`` plays the card
side of the access protocols and secure messaging, ``profile`` builds a CCCD's files from a
citizen record, and ``faults`` makes the chip misbehave on request.
"""
