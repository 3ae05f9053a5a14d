"""The client-side token bucket (``rate_limit=``)."""

from __future__ import annotations

import pytest

from dhis2_sdk import Dhis2Client, TokenBucket
from tests.runtime.conftest import FakeTime, MockDhis2

pytestmark = pytest.mark.anyio


async def test_token_bucket_spaces_requests() -> None:
    fake = FakeTime()
    bucket = TokenBucket(rate=2.0, burst=2, clock=fake.clock, sleep=fake.sleep)
    for _ in range(6):
        await bucket.acquire()
    assert fake.now == pytest.approx(2.0)
    assert len(fake.sleeps) == 4


def test_token_bucket_validates() -> None:
    with pytest.raises(ValueError, match="rate_limit must be a positive number of requests/s"):
        TokenBucket(rate=0)


async def test_client_rate_limit_is_applied() -> None:
    server = MockDhis2()
    client = Dhis2Client("http://dhis2.test", transport=server.transport(), rate_limit=1000.0)
    async with client:
        for _ in range(5):
            await client.get_raw("/api/system/info")
    assert len(server.requests) == 6
