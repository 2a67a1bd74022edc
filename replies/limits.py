"""How long a reply may be on each platform (characters)."""

from __future__ import annotations

# Google Play caps developer replies at 350 characters; App Store Connect at 5,970; Google
# Business Profile at 4,096. Sites answered by hand get a length that reads well anywhere.
PLATFORM_LIMITS: dict[str, int] = {
    "google_play": 350,
    "appstore": 5970,
    "google_business": 4096,
    "google_maps": 4096,
}
DEFAULT_LIMIT = 1000


def reply_limit(platform: str) -> int:
    return PLATFORM_LIMITS.get(platform, DEFAULT_LIMIT)
