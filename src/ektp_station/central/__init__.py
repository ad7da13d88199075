"""Reference central server: the centre's side of the station protocol (no Qt).

``create_app`` builds the FastAPI app; ``CentralServer`` runs it on a background thread;
``CentralDB`` is its database (stations with token hashes, registrations).
"""

from .app import create_app
from .db import CentralDB, hash_token
from .ingest import reference_for
from .runner import CentralServer

__all__ = ["CentralDB", "CentralServer", "create_app", "hash_token", "reference_for"]
