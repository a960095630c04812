-- Where each person was in each calendar year they authored a framework commit, "by current location":
-- profiles are today's applied to past years, except that where the run history holds several
-- observations of a profile location (raw_accounts keeps every run's), the observation nearest to the
-- year is used (ties: the later one). Only located observations count (a profile emptied later is no
-- evidence of a move). A person without any located profile keeps their place of int_person_geography
-- (company or email domain; time zones never name a country). Deqing is a county of Huzhou: a person
-- placed in Huzhou by a location that names Deqing (Deqing, 德清) is flagged in_deqing.
--
-- Columns:
--   person_key: the person (int_identities.person_key)
--   year: calendar year (UTC) of the person's commits
--   country_iso2: ISO 3166-1 alpha-2 country code of the place used for the year
--   region: ISO 3166-2 subdivision code where known
--   city: city where known (profile locations only)
--   tier: evidence tier of the place: 1 profile location, 2 company, 3 email domain
--   observed_at: when the profile location used was observed (NULL for tiers 2 and 3)
--   in_deqing: the location used names Deqing County (the city is then Huzhou)
WITH years AS (
    SELECT DISTINCT i.person_key, year(c.authored_at) AS year
    FROM int_framework_commits AS c
    JOIN int_identities AS i ON i.identity = 'email:' || c.author_key
    WHERE c.on_default_branch AND NOT c.is_bot AND NOT i.is_bot AND c.authored_at IS NOT NULL
),
observed AS (
    SELECT DISTINCT i.person_key, r.observed_at, r.location, g.country_iso2, g.region, g.city, g.confidence
    FROM int_identities AS i
    JOIN raw_accounts AS r ON r.platform = i.platform AND r.account_id = i.account_id
    JOIN geo_locations AS g ON g.location = r.location
    WHERE i.kind = 'account' AND g.country_iso2 IS NOT NULL
),
by_profile AS (
    SELECT y.person_key, y.year, o.country_iso2, o.region, o.city, 1 AS tier, o.observed_at,
           coalesce(regexp_matches(o.location, '(?i)deqing|德清'), false) AS in_deqing
    FROM years AS y JOIN observed AS o USING (person_key)
    QUALIFY row_number() OVER (
        PARTITION BY y.person_key, y.year
        ORDER BY abs(year(o.observed_at) - y.year), o.observed_at DESC, o.confidence DESC, o.location) = 1
),
by_other_evidence AS (
    SELECT y.person_key, y.year, g.country_iso2, g.region, g.city, g.tier, NULL::TIMESTAMPTZ AS observed_at,
           false AS in_deqing
    FROM years AS y
    JOIN int_person_geography AS g USING (person_key)
    ANTI JOIN by_profile AS p USING (person_key, year)
    WHERE g.country_iso2 IS NOT NULL AND g.tier <= 3
)
SELECT * FROM by_profile
UNION ALL
SELECT * FROM by_other_evidence
