"""A token bucket: at most ``rate`` a second on average, bursts of ``burst`` (a room's rate limits).

Limits are per class or per student, never per network address: a school's students share
one address behind its NAT.
"""
from __future__ import annotations


class Bucket:
    """``take(now)`` is True while the bucket holds a token (and spends it)."""

    __slots__ = ("rate", "burst", "tokens", "at")

    def __init__(self, rate: float, burst: float, now: float):
        self.rate, self.burst, self.tokens, self.at = rate, burst, burst, now

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
