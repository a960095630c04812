-- Each person's place, from the strongest evidence tier any of their identities offers:
-- 1 profile location > 2 company > 3 email domain (profile or commit address) > 4 commit time zones;
-- within a tier the most confident attribution wins. A place is never inferred from a name. A commit
-- time zone is never evidence of a country on its own (+08:00 also covers TW, HK, MO, SG, MY, PH and
-- Western Australia): it names a UTC-offset region only, so a person whom only time zones place has a
-- row with country_iso2 NULL and utc_offset_region set (tier 4), and counts as unknown in every mart.
-- Where independent evidence (tiers 1-3) names a country, that evidence places the person. Persons
-- without any evidence have no row (they, too, are the unknown share of the marts).
--
-- Columns:
--   person_key: the person (int_identities.person_key)
--   country_iso2: ISO 3166-1 alpha-2 country code (HK, MO and TW are their own); NULL when only time zones place the person
--   region: ISO 3166-2 subdivision code where known, e.g. CN-ZJ
--   city: city name where known
--   utc_offset_region: for tier 4, the UTC offset most of the person's commits carry, e.g. UTC+08:00: the
--     region their time zones name (NULL otherwise)
--   confidence: the geolocator's confidence in the chosen attribution, 0..1
--   method: location, location_first, company, email_domain or timezone (the geolocator's method)
--   tier: evidence tier of the chosen attribution: 1 location, 2 company, 3 email domain, 4 time zone
--   candidates: attributions the person's identities offered (all tiers, time-zone regions included)
WITH accounts AS (
    SELECT i.person_key, a.location, a.company, a.email_domain
    FROM int_identities AS i
    JOIN int_accounts AS a ON a.platform = i.platform AND a.account_id = i.account_id
    WHERE i.kind = 'account'
),
emails AS (
    SELECT person_key, author_key, email_domain FROM int_identities WHERE kind = 'email'
),
candidates AS (
    SELECT a.person_key, 1 AS tier, g.* EXCLUDE (location), NULL AS utc_offset_region
    FROM accounts AS a JOIN geo_locations AS g USING (location)
    UNION ALL
    SELECT a.person_key, 2, g.* EXCLUDE (company), NULL FROM accounts AS a JOIN geo_companies AS g USING (company)
    UNION ALL
    SELECT a.person_key, 3, g.* EXCLUDE (email_domain), NULL
    FROM accounts AS a JOIN geo_email_domains AS g USING (email_domain)
    UNION ALL
    SELECT e.person_key, 3, g.* EXCLUDE (email_domain), NULL FROM emails AS e JOIN geo_email_domains AS g USING (email_domain)
    UNION ALL
    -- the geolocator's reading of the offsets (a country) says only that the offset is one that few
    -- countries share; the row keeps the offset, not the country
    SELECT e.person_key, 4, NULL, NULL, NULL, g.confidence, g.method,
           'UTC' || CASE WHEN g.main_offset_minutes < 0 THEN '-' ELSE '+' END
               || lpad((abs(g.main_offset_minutes) // 60)::VARCHAR, 2, '0') || ':'
               || lpad((abs(g.main_offset_minutes) % 60)::VARCHAR, 2, '0')
    FROM emails AS e JOIN geo_author_timezones AS g USING (author_key)
    WHERE g.country_iso2 IS NOT NULL
)
SELECT person_key, country_iso2, region, city, utc_offset_region, confidence, method, tier,
       count(*) OVER (PARTITION BY person_key) AS candidates
FROM candidates
WHERE country_iso2 IS NOT NULL OR tier = 4
QUALIFY row_number() OVER (
    PARTITION BY person_key
    ORDER BY tier, confidence DESC, country_iso2, region NULLS LAST, city NULLS LAST, utc_offset_region) = 1
