"""Small widgets shared by several screens: key hints, job progress, the DEMO watermark."""
