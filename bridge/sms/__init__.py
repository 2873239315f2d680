"""Client of SGT's SMS XML-RPC API v1.4.1 (SGT's specification of that API, sections 1-2)."""

from bridge.sms.client import SmsClient
from bridge.sms.errors import SmsError, SmsFault, SmsUnavailable

__all__ = ["SmsClient", "SmsError", "SmsFault", "SmsUnavailable"]
