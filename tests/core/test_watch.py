"""Alert rules with an injected clock: baselines, one-shot, expiry, summary, own dnd."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bx24presence.domain import Presence
from bx24presence.settings import NotifyRule
from bx24presence.watch import Watcher, rule_expired, watched_counts
from tests.factories import colleague, snapshot

TZ = timezone(timedelta(hours=3))


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float = 60) -> None:
        self.now += timedelta(seconds=seconds)


def snap(online: set[int], ids=range(1, 11), **overrides):
    return snapshot(
        [
            colleague(
                i,
                presence=Presence.ONLINE if i in online else Presence.OFFLINE,
                **overrides.get(i, {}),
            )
            for i in ids
        ]
    )


ONCE = NotifyRule(mode="once")
ALWAYS = NotifyRule(mode="always")


def setup(rules=None):
    clock = Clock()
    w = Watcher(clock, interval_s=60)
    return clock, w, rules if rules is not None else {2: ONCE, 3: ALWAYS}


def test_first_observation_is_a_silent_baseline() -> None:
    _clock, w, rules = setup()
    r = w.observe(snap({2, 3}), rules)
    assert r.baseline and not r.alerts


def test_coming_online_alerts_and_once_is_spent() -> None:
    clock, w, rules = setup()
    w.observe(snap(set()), rules)
    clock.tick()
    r = w.observe(snap({2, 3, 4}), rules)
    assert [a.colleagues[0].id for a in r.alerts] == [2, 3], "4 has no rule"
    assert r.spent == {2}, "one-shot rule used up; 'always' stays"
    clock.tick()
    w.observe(snap(set()), {3: ALWAYS})
    clock.tick()
    r = w.observe(snap({3}), {3: ALWAYS})
    assert [a.colleagues[0].id for a in r.alerts] == [3], "every time"


def test_staying_online_does_not_repeat() -> None:
    clock, w, rules = setup()
    w.observe(snap(set()), rules)
    clock.tick()
    w.observe(snap({3}), rules)
    clock.tick()
    assert not w.observe(snap({3}), rules).alerts


def test_reconnect_baseline_from_the_poller() -> None:
    clock, w, rules = setup()
    w.observe(snap(set()), rules)
    clock.tick()
    r = w.observe(snap({2, 3}), rules, baseline=True)
    assert r.baseline and not r.alerts


def test_wake_from_sleep_is_a_baseline() -> None:
    clock, w, rules = setup()
    w.observe(snap(set()), rules)
    clock.tick(3 * 3600)  # the lid was closed
    r = w.observe(snap({2, 3}), rules)
    assert r.baseline and not r.alerts
    clock.tick()
    w.observe(snap(set()), rules)
    clock.tick()
    assert w.observe(snap({2}), rules).alerts, "alerts resume after the baseline"


def test_many_at_once_become_one_summary() -> None:
    rules = dict.fromkeys(range(1, 11), ONCE)
    clock, w, _ = setup(rules)
    w.observe(snap(set()), rules)
    clock.tick()
    r = w.observe(snap({1, 2, 3, 4, 5, 6}), rules)
    assert len(r.alerts) == 1 and r.alerts[0].is_summary
    assert [c.id for c in r.alerts[0].colleagues] == [1, 2, 3, 4, 5, 6]
    assert r.spent == {1, 2, 3, 4, 5, 6}


def test_silence_under_own_dnd() -> None:
    clock, w, rules = setup()
    w.observe(snap(set()), rules)
    clock.tick()
    r = w.observe(snap({2, 3}), rules, own_dnd=True)
    assert not r.alerts and not r.spent
    clock.tick()
    assert not w.observe(snap({2, 3}), rules).alerts, "not replayed after dnd ends"


def test_dnd_away_and_vacation_are_not_available() -> None:
    clock, w, rules = setup({2: ALWAYS, 3: ALWAYS, 4: ALWAYS})
    w.observe(snap(set(), ids=[2, 3, 4]), rules)
    clock.tick()
    people = snapshot(
        [
            colleague(2, presence=Presence.DND),
            colleague(3, presence=Presence.AWAY),
            colleague(
                4, presence=Presence.ONLINE, absent_until=clock.now.date() + timedelta(days=3)
            ),
        ]
    )
    assert not w.observe(people, rules).alerts
    clock.tick()
    mobile = snapshot([colleague(2, presence=Presence.MOBILE)])
    assert w.observe(mobile, rules).alerts, "mobile counts as available"


def test_until_end_of_day_expires() -> None:
    clock = Clock()
    rule = NotifyRule(mode="always", until_end_of_day=True, since=clock.now.isoformat())
    assert not rule_expired(rule, clock.now)
    assert not rule_expired(rule, clock.now.replace(hour=23, minute=59))
    assert rule_expired(rule, clock.now + timedelta(days=1) - timedelta(hours=9))
    w = Watcher(clock, interval_s=60)
    w.observe(snap(set()), {2: rule})
    clock.now = clock.now.replace(hour=23, minute=59)
    w.observe(snap(set()), {2: rule}, baseline=True)
    clock.tick(120)
    r = w.observe(snap({2}), {2: rule})
    assert 2 in r.spent and not r.alerts, "expired at midnight: no alert, rule removed"


def test_watched_counts() -> None:
    s = snap({1, 2}, ids=range(1, 6))
    assert watched_counts(s, [1, 3, 99], s.server_time.date()) == (1, 2)
    assert watched_counts(None, [1], s.server_time.date()) == (0, 0)


def test_a_sleep_is_the_wall_clock_outrunning_the_monotonic_one() -> None:
    from bx24presence.watch import SleepDetector

    wall, mono = [1000.0], [50.0]
    d = SleepDetector(60.0, wall=lambda: wall[0], mono=lambda: mono[0])
    wall[0] += 30
    mono[0] += 30
    assert d.check() is None, "time passing is not a sleep"
    wall[0] += 3600  # suspended: the monotonic clock stood still
    mono[0] += 5
    assert d.check() == pytest.approx(3595)
    wall[0] -= 600  # the user set the clock back: not a sleep
    assert d.check() is None


def test_a_sleep_noticed_between_polls_makes_the_next_one_a_baseline() -> None:
    clock, w, rules = setup()
    mono = [0.0]
    w = Watcher(clock, interval_s=60, mono=lambda: mono[0])
    w.observe(snap(set()), rules)
    clock.tick(3 * 3600)
    mono[0] += 1  # asleep
    assert w.check_sleep() == pytest.approx(3 * 3600 - 1)
    clock.tick(30)
    mono[0] += 30
    r = w.observe(snap({2, 3}), rules)
    assert r.baseline and not r.alerts
    w.interval_s = 600
    clock.tick(1000)  # a long poll interval: twice it is the threshold
    mono[0] += 100
    assert w.check_sleep() is None
