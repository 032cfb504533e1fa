"""The WHOIS adapter: looks registrations up over port 43 and reads the responses."""

from tracker.adapters.whois.lookup import WhoisRegistrationLookup
from tracker.adapters.whois.parsing import parse_whois_text

__all__ = ["WhoisRegistrationLookup", "parse_whois_text"]
