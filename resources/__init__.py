"""Package data shipped as ``kiosk.resources``: demo citizens and faces, fonts, icons.

Opened with ``importlib.resources.files("kiosk.resources")`` so the same code finds the files in
a checkout, an installed wheel and the frozen build.
"""
