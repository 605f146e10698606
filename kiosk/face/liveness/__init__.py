"""Liveness: an attended check that the face at the camera is a live person, not a picture.

``challenge`` draws the active challenge (two of blink, left, right, in random order);
``series`` turns per-frame landmarks into eye-openness and yaw signals and finds the blinks
and turns in them; ``active`` checks the challenge's order, amplitudes and time limits;
``passive`` the cues a picture gives away (it moves as one plane, it never blinks, a screen
shows moiré and glare); ``verdict`` joins them into one ``LivenessResult``. All of these are
pure functions over landmark sequences, so they are tested without dlib; the landmarks come
from the face engine (the worker process in the desktop app). ``clips`` and ``evaluation``
judge recorded clips and measure error rates on a labelled synthetic set.
"""
