"""Delivery to the centre: wire protocol, HTTP client, sync engine. No Qt here."""
