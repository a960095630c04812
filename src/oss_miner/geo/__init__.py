"""Offline, deterministic geolocation of developers from free-text profile locations and weaker evidence.

    locate("Hangzhou, Zhejiang")          -> GeoResult("CN", "CN-ZJ", "Hangzhou", 0.85, "location")
    locate_company("@baidu")              -> GeoResult("CN", "CN-BJ", "Beijing", ..., "company")
    locate_email_domain("zju.edu.cn")     -> GeoResult("CN", "CN-ZJ", "Hangzhou", ..., "email_domain")
    locate_timezone({480: 37})            -> GeoResult("CN", None, None, 0.4, "timezone")
    best(location, company, email, tz)    -> the strongest tier that located something

Hong Kong, Macao and Taiwan keep their own codes (HK, MO, TW). Nothing is ever inferred from a person's name.
"""

from oss_miner.geo.csvio import geocode_csv
from oss_miner.geo.evidence import locate_company, locate_email_domain, locate_timezone
from oss_miner.geo.locate import locate
from oss_miner.geo.result import NOWHERE, TIERS, GeoResult, best

__all__ = ["GeoResult", "NOWHERE", "TIERS", "best", "geocode_csv", "locate", "locate_company",
           "locate_email_domain", "locate_timezone"]
