"""ektp-station: offline-first e-KTP recording station.

The core (``domain``, ``store``, ``sync``, ``central``) never imports Qt; ``gui`` does.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
