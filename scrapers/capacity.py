"""Does each site's politeness budget cover what its sources ask for? Sources sharing a host
share its request rate (per deployment), so 100 sources polled every 60 s on one host ask
for 1.7 polls a second; at 1 request a second they are each polled every 100 s, not 60.
Counted at one request a poll: paging only makes it worse."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from yarl import URL

from common.errors import ConfigError
from scrapers import registry
from scrapers.records import SourceSpec


@dataclass(frozen=True, slots=True)
class Politeness:
    """Request starts a second allowed on each host: `rate` on every site, `hosts` on the sites
    whose owners allow another (0: no limit)."""

    rate: float = 1.0
    hosts: Mapping[str, float] = field(default_factory=dict)

    def budget(self, host: str) -> float:
        return self.hosts.get(host, self.rate)


@dataclass(frozen=True, slots=True)
class HostLoad:
    host: str
    sources: int
    demand: float  # polls a second the sources' intervals ask for
    budget: float  # request starts a second politeness allows (0: unlimited)
    wanted_interval: float  # the sources' mean interval, seconds

    @property
    def over(self) -> bool:
        return self.budget > 0 and self.demand > self.budget

    @property
    def effective_interval(self) -> float:
        """How often each source really gets polled, on average, in seconds."""
        if not self.over:
            return self.wanted_interval
        return self.sources / self.budget

    @property
    def rate_needed(self) -> float:
        """The per-host rate that would cover the demand (rounded up to a tenth)."""
        return math.ceil(self.demand * 10) / 10


def request_hosts(spec: SourceSpec) -> tuple[str, ...]:
    """The hosts a source's polls request (a 2GIS page is read through the 2GIS API host)."""
    try:
        return registry.source_class(spec.kind)(spec).request_hosts()
    except ConfigError:
        return (URL(spec.url).host or spec.url,)


def host_loads(sources: Iterable[tuple[str, float]], politeness: Politeness) -> list[HostLoad]:
    """sources: (URL or host requested, interval seconds) of every enabled source of the
    deployment. Busiest host first."""
    by_host: dict[str, list[float]] = {}
    for url, interval in sources:
        host = URL(url).host or url
        by_host.setdefault(host, []).append(max(float(interval), 1.0))
    loads = [
        HostLoad(
            host=host,
            sources=len(intervals),
            demand=sum(1 / interval for interval in intervals),
            budget=politeness.budget(host),
            wanted_interval=sum(intervals) / len(intervals),
        )
        for host, intervals in by_host.items()
    ]
    return sorted(loads, key=lambda load: (-load.demand / (load.budget or math.inf), load.host))


def deployment_loads(
    polls: Iterable[tuple[SourceSpec, float]], politeness: Politeness
) -> list[HostLoad]:
    """Each host's load from every enabled source (spec, interval), counted on the hosts its
    polls request."""
    return host_loads(
        ((host, interval) for spec, interval in polls for host in request_hosts(spec)), politeness
    )
