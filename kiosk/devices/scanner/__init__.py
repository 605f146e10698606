"""Document scanners behind the ``DocumentScanner`` port: a document camera and image files."""
