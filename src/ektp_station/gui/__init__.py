"""The station window (PySide6). Qt is imported only under this package.

``app.run_station(ctx)`` (sign in, then the window) is the entry point used by ``ektp-station``
without a subcommand; ``demo.run_demo()`` is ``ektp-station demo``.
"""
