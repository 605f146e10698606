"""The officer's enrolment steps, one screen each."""
