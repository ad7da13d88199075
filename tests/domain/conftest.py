"""Fixtures for the domain tests: a fixed 'today', the bundled regions, a valid record."""

from __future__ import annotations

from datetime import date

import pytest

from ektp_station.domain import Regions, default_regions

from .helpers import TODAY, valid_record


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture(scope="session")
def regions() -> Regions:
    return default_regions()


@pytest.fixture
def record() -> dict[str, object]:
    return valid_record()
