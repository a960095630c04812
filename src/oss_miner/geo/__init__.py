"""Offline, deterministic geolocation of developers from free-text profile locations and weaker evidence.

    locate("Hangzhou, Zhejiang")          -> GeoResult("CN", "CN-ZJ", "Hangzhou", 0.85, "location")
    locate_company("@baidu")              -> GeoResult("CN", "CN-BJ", "Beijing", ..., "company")
    locate_email_domain("zju.edu.cn")     -> GeoResult("CN", "CN-ZJ", "Hangzhou", ..., "email_domain")
    locate_timezone({480: 37})            -> GeoResult("CN", None, None, 0.4, "timezone")  (a reading, not a place)
    best(location, company, email, tz)    -> the strongest tier that located something (time zones never do)

Hong Kong, Macao and Taiwan keep their own codes (HK, MO, TW). Nothing is ever inferred from a person's name:
no function takes one, and "Li Wei"-like strings in a location field are not read as places.

How a location is read (resolve.py): every name found (countries in ~45 languages, ISO 3166-2 subdivisions,
geonames cities of 5,000+ people with their alternate names, the curated China table, aliases) is a mention
with several readings; the country explaining most mentions wins, a country named outright beats a town of
the same coverage, and within it the city reading that agrees with a region named beside it. When no country
explains every mention, several places were named: the first wins and `method` is "location_first".

Decisions where the issue left room:
- "SZ", "BJ", "SH"... are Chinese city initials (Shenzhen, Beijing, Shanghai) when alone or beside "China";
  a lone "SZ" is far likelier Shenzhen than Eswatini on a developer's profile.
- Demonyms are not in the tables; "German" and "Indian" are still read as one typo from Germany and India,
  with the lower confidence every typo reading gets.
- Commit time zones (+08:00) are read as a country only where one country dominates the offset, at
  confidence 0.5 x its share: +08:00 alone reads CN at 0.4, never more (TW, HK, MO, SG, MY, PH and AU-WA
  share it). That reading says the offset is informative, not where the person is: a time zone is evidence
  of a UTC-offset region only, never of a country on its own, so `best` never picks it and the pipeline
  (sql/int_person_geography.sql) keeps only the region, e.g. UTC+08:00, with the country unknown.
- qq.com, 163.com and other national mail providers are CN (KR, JP...) evidence at 0.5; worldwide
  providers (gmail.com, outlook.com) and vanity ccTLDs (.io, .ai, .co, .me...) say nothing.
- A flag emoji counts like a country code, no more: flags are often shown in solidarity ("Berlin 🇺🇦").
- Regions outside China and the US come from geonames admin1 areas mapped to ISO 3166-2 (gazetteer.py);
  where no mapping is known the region is None rather than a guess.

The index is built once per process from the gazetteers (about 10 s) and cached on disk under
$OSS_MINER_CACHE_DIR or ~/.cache/oss-miner, keyed by a hash of its inputs; results are memoised.
"""

from oss_miner.geo.csvio import geocode_csv
from oss_miner.geo.evidence import locate_company, locate_email_domain, locate_timezone
from oss_miner.geo.locate import locate
from oss_miner.geo.result import NOWHERE, TIERS, GeoResult, best

__all__ = ["GeoResult", "NOWHERE", "TIERS", "best", "geocode_csv", "locate", "locate_company",
           "locate_email_domain", "locate_timezone"]
