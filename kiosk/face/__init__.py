"""Face work: decoding portraits, detection, live guidance, liveness, best frame, 1:1 matching.

``detect`` is the only module that touches face_recognition/dlib, and only inside the face
worker process (``worker``) or the command line; the GUI process talks to that process
through ``worker.FaceWorker``. Imports ``kiosk.domain`` only.
"""
