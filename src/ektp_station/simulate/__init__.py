"""``ektp-station simulate ...``: whole-system rehearsals against a real reference centre.

- :mod:`.herd`: many light stations reconnecting at once (``simulate herd``);
- :mod:`.weekend`: the Harjamukti mass-recording weekend replayed (``simulate weekend``).
"""
