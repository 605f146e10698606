"""The Hypothesis profile of the emrtd property tests.

Profile ``emrtd``: a 500 ms deadline per example (generous for a loaded 2-core CI machine, and
still a bound), and 2,000 examples when the run uses the ``ci`` profile
(``HYPOTHESIS_PROFILE=ci``, as ./test.sh sets), 200 otherwise. Property tests take it with
``@settings.get_profile("emrtd")``.
"""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings

settings.register_profile(
    "emrtd",
    max_examples=2000 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 200,
    deadline=timedelta(milliseconds=500),
    suppress_health_check=[HealthCheck.too_slow],
)
