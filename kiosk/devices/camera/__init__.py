"""Camera implementations of ``kiosk.devices.ports.Camera``: an OpenCV device and files."""
