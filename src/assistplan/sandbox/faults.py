"""Fault injection and per-route request counters.

A `FaultConfig` applies to every OpenAI route, or to one route through `routes` (keys are route keys such as
`"POST /assistants"`, or a bare path template such as `"/assistants"` for every method). On each request the
`FaultInjector` counts the route, then decides — with a random generator seeded from the config, so a run repeats —
whether to answer with a fault:

- `"429"`  rate limited, with `retry-after-ms`;
- `"500"`  server error, nothing done;
- `"drop"` connection closed without a response, nothing done;
- `"lost"` the request is carried out (the object is created), then the client gets a 500, or, with
  `lost_as="drop"`, a closed connection: the case that produces duplicates when clients retry creates;
- `"echo"` a 400 whose message quotes the request's credentials headers (`Authorization: Bearer sk-...`), as a
  server did in the wild (issue 9): for tests that error output never shows a key. Not among the default modes.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_MODES: tuple[str, ...] = ("429", "500", "drop", "lost")
MODES: tuple[str, ...] = (*DEFAULT_MODES, "echo")
LOST_AS: tuple[str, ...] = ("500", "drop")


@dataclass(frozen=True)
class FaultConfig:
    """What to inject. `rate` is the probability (0–1) that a request gets one of `modes`, chosen at random."""

    latency_ms: float = 0.0
    rate: float = 0.0
    modes: tuple[str, ...] = DEFAULT_MODES
    seed: int | None = None
    routes: Mapping[str, FaultConfig] | None = None
    retry_after_ms: int = 20
    lost_as: str = "500"
    max_faults: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "modes", tuple(self.modes))
        unknown = [mode for mode in self.modes if mode not in MODES]
        if unknown:
            raise ValueError(f"unknown fault mode {unknown[0]!r}; choose from {', '.join(MODES)}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1, not {self.rate}")
        if self.latency_ms < 0 or self.retry_after_ms < 0:
            raise ValueError("latency_ms and retry_after_ms must not be negative")
        if self.lost_as not in LOST_AS:
            raise ValueError(f"lost_as must be one of {', '.join(LOST_AS)}, not {self.lost_as!r}")
        if self.max_faults is not None and self.max_faults < 0:
            raise ValueError("max_faults must not be negative")

    def to_dict(self) -> dict[str, Any]:
        return {
            "latency_ms": self.latency_ms,
            "rate": self.rate,
            "modes": list(self.modes),
            "seed": self.seed,
            "routes": {key: value.to_dict() for key, value in (self.routes or {}).items()},
            "retry_after_ms": self.retry_after_ms,
            "lost_as": self.lost_as,
            "max_faults": self.max_faults,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FaultConfig:
        """Build from JSON (as posted to `/_sandbox/faults`); raises ValueError or TypeError on bad input."""
        values = dict(data)
        routes = values.pop("routes", None) or {}
        if not isinstance(routes, Mapping):
            raise TypeError("routes must be an object mapping route keys to fault configs")
        return cls(**values, routes={key: cls.from_dict(value) for key, value in routes.items()} or None)


@dataclass(frozen=True)
class Decision:
    """What the server does with one request."""

    latency: float
    fault: str | None
    retry_after_ms: int
    lost_as: str


@dataclass
class FaultInjector:
    """Thread-safe holder of the active config, its random generator and the request counters."""

    config: FaultConfig = field(default_factory=FaultConfig)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self.configure(self.config)

    def configure(self, config: FaultConfig) -> None:
        """Replace the config; the random generator restarts from its seed and `max_faults` budgets refill."""
        with self._lock:
            self.config = config
            self._random = random.Random(config.seed)
            self._spent: Counter[str] = Counter()

    def decide(self, route_key: str) -> Decision:
        with self._lock:
            self._counts[route_key] += 1
            config, budget = self._config_for(route_key)
            fault = None
            if (
                config.rate > 0
                and config.modes
                and (config.max_faults is None or self._spent[budget] < config.max_faults)
                and self._random.random() < config.rate
            ):
                fault = config.modes[self._random.randrange(len(config.modes))]
                self._spent[budget] += 1
            return Decision(config.latency_ms / 1000.0, fault, config.retry_after_ms, config.lost_as)

    def _config_for(self, route_key: str) -> tuple[FaultConfig, str]:
        routes = self.config.routes
        if routes:
            if route_key in routes:
                return routes[route_key], route_key
            path = route_key.partition(" ")[2]
            if path in routes:
                return routes[path], path
        return self.config, "*"

    def counters(self) -> dict[str, int]:
        """Requests seen per route key ("METHOD /template"), faulted ones included."""
        with self._lock:
            return dict(self._counts)

    def reset_counters(self) -> None:
        with self._lock:
            self._counts.clear()
