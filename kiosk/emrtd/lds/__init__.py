"""Parsers and builders of the LDS files of an eMRTD (ICAO 9303-10 §4.6-§4.7).

One module per elementary file (EF.COM, DG1, DG2, DG13, DG14, DG15, EF.SOD, EF.CardAccess),
each with a frozen result, a ``parse(data)`` that raises only ``EmrtdError`` subclasses on
hostile input, and where the simulated chip needs it an ``encode(...)`` builder.
"""
