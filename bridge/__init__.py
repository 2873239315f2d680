"""lmstv: the JAMBOX IPTV module for LMS (JSON bridge, SMS client and sandbox, billing)."""

__version__ = "0.1.0"
