"""USB bundles: the queue carried to the centre on a stick, and its receipt carried back
(docs/bundles.md). ``keys``: the centre's key line and the station's signing key;
``container``: the encrypted, signed, streamed file; ``records``: what its payload holds;
``receipt``: the centre's signed answer. The station's use cases are in
``station/bundles.py``, the centre's in ``central/bundles.py``."""
