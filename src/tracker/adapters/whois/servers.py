"""The WHOIS server of each TLD, and the query format each server expects.

Names not in the table are looked up through IANA, whose response names the
registry's server in a `refer:` line.
"""

from __future__ import annotations

IANA_SERVER = "whois.iana.org"
WHOIS_PORT = 43

# Registry WHOIS servers by TLD (lower-case punycode); IANA is asked for the
# rest. NOTE: the entries follow IANA's root zone database as of 2024 and
# were not checked against it since. A moved server gives NETWORK errors for
# its TLD until the entry is fixed.
SERVERS: dict[str, str] = {
    "com": "whois.verisign-grs.com",
    "net": "whois.verisign-grs.com",
    "org": "whois.publicinterestregistry.org",
    "info": "whois.nic.info",
    "biz": "whois.nic.biz",
    "name": "whois.nic.name",
    "edu": "whois.educause.edu",
    "gov": "whois.dotgov.gov",
    "int": "whois.iana.org",
    "arpa": "whois.iana.org",
    "xyz": "whois.nic.xyz",
    "app": "whois.nic.google",
    "dev": "whois.nic.google",
    "asia": "whois.nic.asia",
    "ru": "whois.tcinet.ru",
    "su": "whois.tcinet.ru",
    "xn--p1ai": "whois.tcinet.ru",
    "uk": "whois.nic.uk",
    "io": "whois.nic.io",
    "jp": "whois.jprs.jp",
    "de": "whois.denic.de",
    "eu": "whois.eu",
    "fr": "whois.nic.fr",
    "re": "whois.nic.re",
    "pm": "whois.nic.pm",
    "tf": "whois.nic.tf",
    "wf": "whois.nic.wf",
    "yt": "whois.nic.yt",
    "nl": "whois.domain-registry.nl",
    "it": "whois.nic.it",
    "at": "whois.nic.at",
    "be": "whois.dns.be",
    "ch": "whois.nic.ch",
    "li": "whois.nic.li",
    "pl": "whois.dns.pl",
    "cz": "whois.nic.cz",
    "sk": "whois.sk-nic.sk",
    "se": "whois.iis.se",
    "nu": "whois.iis.nu",
    "no": "whois.norid.no",
    "fi": "whois.fi",
    "ee": "whois.tld.ee",
    "lv": "whois.nic.lv",
    "lt": "whois.domreg.lt",
    "pt": "whois.dns.pt",
    "lu": "whois.dns.lu",
    "si": "whois.register.si",
    "hu": "whois.nic.hu",
    "ro": "whois.rotld.ro",
    "bg": "whois.register.bg",
    "rs": "whois.rnids.rs",
    "is": "whois.isnic.is",
    "im": "whois.nic.im",
    "gg": "whois.gg",
    "je": "whois.je",
    "ie": "whois.weare.ie",
    "ua": "whois.ua",
    "by": "whois.cctld.by",
    "kz": "whois.nic.kz",
    "il": "whois.isoc.org.il",
    "ir": "whois.nic.ir",
    "ca": "whois.cira.ca",
    "us": "whois.nic.us",
    "co": "whois.nic.co",
    "me": "whois.nic.me",
    "tv": "whois.nic.tv",
    "cc": "ccwhois.verisign-grs.com",
    "ai": "whois.nic.ai",
    "au": "whois.auda.org.au",
    "nz": "whois.irs.net.nz",
    "br": "whois.registro.br",
    "mx": "whois.mx",
    "ar": "whois.nic.ar",
    "cl": "whois.nic.cl",
    "cn": "whois.cnnic.cn",
    "tw": "whois.twnic.net.tw",
    "hk": "whois.hkirc.hk",
    "sg": "whois.sgnic.sg",
    "kr": "whois.kr",
    "in": "whois.registry.in",
}

# Servers whose default response is not the plain record of one name.
# DENIC sends the full record only to "-T dn,ace"; JPRS responds in
# Japanese unless the query ends in "/e"; Verisign lists every host name
# that starts with the queried name unless the query starts with "domain".
_QUERY_FORMATS: dict[str, str] = {
    "whois.denic.de": "-T dn,ace {name}",
    "whois.jprs.jp": "{name}/e",
    "whois.verisign-grs.com": "domain {name}",
}

# Encodings of servers that do not respond in UTF-8.
_ENCODINGS: dict[str, str] = {
    "whois.nic.hu": "iso-8859-2",
}


def server_for(tld: str) -> str | None:
    """Return the registry WHOIS server of `tld` (punycode), or None if unknown."""
    return SERVERS.get(tld.lower())


def query_for(server: str, name: str) -> str:
    """Return the query line (without CRLF) for `name` in `server`'s format."""
    return _QUERY_FORMATS.get(server.lower(), "{name}").format(name=name)


def encoding_for(server: str) -> str | None:
    """Return the encoding `server` uses when it is not UTF-8, else None."""
    return _ENCODINGS.get(server.lower())
