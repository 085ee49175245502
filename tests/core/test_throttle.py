"""The client-side leaky bucket and the backoff policy, on an injected clock."""

from __future__ import annotations

import random

import pytest

from bx24presence.api.throttle import LeakyBucket, RetryPolicy


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_burst_is_free_then_requests_wait_at_the_drain_rate() -> None:
    clock = FakeClock()
    bucket = LeakyBucket(rate=2.0, burst=50, clock=clock)
    waits = [bucket.reserve() for _ in range(50)]
    assert waits == [0.0] * 50
    assert bucket.reserve() == pytest.approx(0.5)
    assert bucket.reserve() == pytest.approx(1.0)


def test_bucket_drains_over_time() -> None:
    clock = FakeClock()
    bucket = LeakyBucket(rate=2.0, burst=3, clock=clock)
    for _ in range(3):
        bucket.reserve()
    clock.t += 10
    assert bucket.level == 0
    assert bucket.reserve() == 0.0


def test_penalize_slows_down_and_reward_recovers() -> None:
    clock = FakeClock()
    bucket = LeakyBucket(rate=2.0, burst=50, clock=clock)
    bucket.reserve()
    bucket.penalize()
    assert (bucket.rate, bucket.burst) == (1.0, 1)
    assert bucket.reserve() == pytest.approx(1.0), "no burst: wait for the level to drain"
    for _ in range(200):
        bucket.reward()
    assert (bucket.rate, bucket.burst) == (2.0, 50)
    for _ in range(20):
        bucket.penalize()
    assert bucket.rate == pytest.approx(0.05)


def test_invalid_configuration() -> None:
    with pytest.raises(ValueError):
        LeakyBucket(rate=0)


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    policy = RetryPolicy(base=1.0, cap=8.0)
    rng = random.Random(1)
    for attempt, top in [(1, 1), (2, 2), (3, 4), (4, 8), (9, 8)]:
        for _ in range(20):
            d = policy.delay(attempt, rng)
            assert top / 2 <= d <= top
