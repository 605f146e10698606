"""Camera implementations of ``kiosk.devices.ports.Camera``: an OpenCV device, files, a demo face.

The demo face (``performer``, built on ``head``) performs liveness actions on cue; the
synthetic liveness presentations (``presentations``) are made from the same face.
"""
