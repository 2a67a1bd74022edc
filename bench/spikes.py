"""Spike rule: false alarms on 90 quiet synthetic days, and how fast real waves are caught.

Synthetic brands with 0.5 to 25 negatives a day, a weekday profile (busy Mondays, calm
Sundays), a daytime hour profile and day-to-day overdispersion (a gamma factor per day: some
days are simply worse, ±30% by default). 28 days warm the baseline up, then 90 days are replayed with a check
every 15 minutes, as polls would run, through the same `SpikeRule.evaluate` the pipeline uses.
An alarm while an incident is still growing (a negative within the window) is the same
incident. Then waves of reviews (the brand's usual 6 hours' worth × 4, at least 10, over an
hour) are injected on the quiet days to measure detection and delay.

    python bench/spikes.py [--seed 7]
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from otklik.spikes import SpikeRule

ZONE = ZoneInfo("Europe/Moscow")
START = datetime(2026, 1, 5, tzinfo=ZONE)  # a Monday
WARMUP_DAYS, REPLAY_DAYS = 28, 90
CHECK_EVERY = timedelta(minutes=15)
RATES = (0.5, 2.0, 8.0, 25.0)
BRANDS_PER_RATE = 5
WEEKDAY = (1.6, 1.0, 1.0, 1.0, 1.2, 0.8, 0.7)
HOURS = [0.2] * 8 + [1.0] * 4 + [1.6] * 3 + [1.0] * 5 + [0.6] * 2 + [0.3] * 2


@dataclass(frozen=True, slots=True)
class Replay:
    alarms: list[datetime]
    checks: int


def quiet_days(rng: random.Random, per_day: float, day_sd: float) -> list[datetime]:
    """Negative reviews' times for warm-up + replay days, sorted. Each day's rate is scaled
    by a gamma factor with mean 1 and standard deviation `day_sd`."""
    shape = 1 / day_sd**2
    times = []
    hour_total = sum(HOURS)
    for day in range(WARMUP_DAYS + REPLAY_DAYS):
        date = START + timedelta(days=day)
        mean = per_day * WEEKDAY[date.weekday()] * rng.gammavariate(shape, 1 / shape)
        for hour, weight in enumerate(HOURS):
            for _ in range(_poisson(rng, mean * weight / hour_total)):
                times.append(date + timedelta(hours=hour, seconds=rng.uniform(0, 3600)))
    return sorted(t.astimezone(UTC) for t in times)


def _poisson(rng: random.Random, mean: float) -> int:
    count, total = 0, rng.expovariate(1.0)
    while total < mean:
        count += 1
        total += rng.expovariate(1.0)
    return count


def replay(times: list[datetime], rule: SpikeRule, *, start: datetime, end: datetime) -> Replay:
    alarms: list[datetime] = []
    incident_last: datetime | None = None  # the newest negative of the open incident
    checks = 0
    now = start
    while now < end:
        checks += 1
        window_start = now - rule.window
        lo = bisect.bisect_left(times, window_start)
        hi = bisect.bisect_right(times, now)
        if incident_last is not None and incident_last >= window_start:
            incident_last = max(incident_last, times[hi - 1]) if hi > lo else incident_last
        else:
            base = bisect.bisect_left(times, window_start - timedelta(days=rule.baseline_days))
            _, spike = rule.evaluate(times[base:lo], hi - lo, now, ZONE)
            if spike:
                alarms.append(now)
                incident_last = times[hi - 1]
        now += CHECK_EVERY
    return Replay(alarms, checks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--day-sd", type=float, default=0.3, help="day-to-day spread of the rate (0.3 = ±30%%)"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rule = SpikeRule()
    replay_start = (START + timedelta(days=WARMUP_DAYS)).astimezone(UTC)
    replay_end = replay_start + timedelta(days=REPLAY_DAYS)
    started = time.perf_counter()
    by_rate: dict[str, dict[str, float]] = {}
    false_total = checks_total = detected = waves = 0
    delays: list[float] = []
    for per_day in RATES:
        alarms = 0
        for _ in range(BRANDS_PER_RATE):
            times = quiet_days(rng, per_day, args.day_sd)
            quiet = replay(times, rule, start=replay_start, end=replay_end)
            alarms += len(quiet.alarms)
            checks_total += quiet.checks
            # One wave per brand on a random replay day at a random daytime hour.
            wave_start = replay_start + timedelta(
                days=rng.randrange(7, REPLAY_DAYS - 1), hours=rng.uniform(9, 18)
            )
            size = max(10, round(4 * per_day * rule.window / timedelta(days=1)))
            wave = [wave_start + timedelta(minutes=60 * i / size) for i in range(size)]
            with_wave = sorted(times + wave)
            caught = replay(
                with_wave,
                rule,
                start=wave_start - timedelta(minutes=30),
                end=wave_start + timedelta(hours=3),
            )
            hits = [a for a in caught.alarms if a >= wave_start]
            waves += 1
            if hits:
                detected += 1
                delays.append((hits[0] - wave_start).total_seconds() / 60)
        false_total += alarms
        brand_days = BRANDS_PER_RATE * REPLAY_DAYS
        by_rate[f"{per_day:g}/day"] = {
            "false_alarms": alarms,
            "per_brand_per_30_days": round(alarms / brand_days * 30, 3),
        }
        print(
            f"{per_day:>5g} negatives/day: {alarms} false alarms in {BRANDS_PER_RATE} brands × "
            f"{REPLAY_DAYS} quiet days ({alarms / brand_days * 30:.2f} per brand-month)"
        )
    brand_days = len(RATES) * BRANDS_PER_RATE * REPLAY_DAYS
    elapsed = time.perf_counter() - started
    median_delay = sorted(delays)[len(delays) // 2] if delays else None
    print(
        f"\nAll: {false_total} false alarms in {brand_days} brand-days "
        f"({false_total / brand_days * 30:.2f} per brand-month), {checks_total} checks.\n"
        f"Waves (4× the usual 6 hours, at least 10 reviews, within an hour): {detected}/{waves} "
        f"caught, median {median_delay} min after the first review.\n"
        f"Replay took {elapsed:.1f} s."
    )
    print(
        json.dumps(
            {
                "quiet_brand_days": brand_days,
                "day_sd": args.day_sd,
                "false_alarms": false_total,
                "false_alarms_per_brand_month": round(false_total / brand_days * 30, 3),
                "by_rate": by_rate,
                "waves_detected": detected,
                "waves": waves,
                "median_detection_minutes": median_delay,
                "seconds": round(elapsed, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
