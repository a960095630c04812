-- Each located person's place, from the strongest evidence tier any of their identities offers:
-- 1 profile location > 2 company > 3 email domain (profile or commit address) > 4 commit time zones;
-- within a tier the most confident attribution wins. A place is never inferred from a name. Persons
-- without any located evidence have no row (they are the unknown share of the marts).
--
-- Columns:
--   person_key: the person (int_identities.person_key)
--   country_iso2: ISO 3166-1 alpha-2 country code (HK, MO and TW are their own)
--   region: ISO 3166-2 subdivision code where known, e.g. CN-ZJ
--   city: city name where known
--   confidence: the geolocator's confidence in the chosen attribution, 0..1
--   method: location, location_first, company, email_domain or timezone (the geolocator's method)
--   tier: evidence tier of the chosen attribution: 1 location, 2 company, 3 email domain, 4 time zone
--   candidates: located attributions the person's identities offered (all tiers)
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
    SELECT a.person_key, 1 AS tier, g.* EXCLUDE (location) FROM accounts AS a JOIN geo_locations AS g USING (location)
    UNION ALL
    SELECT a.person_key, 2, g.* EXCLUDE (company) FROM accounts AS a JOIN geo_companies AS g USING (company)
    UNION ALL
    SELECT a.person_key, 3, g.* EXCLUDE (email_domain) FROM accounts AS a JOIN geo_email_domains AS g USING (email_domain)
    UNION ALL
    SELECT e.person_key, 3, g.* EXCLUDE (email_domain) FROM emails AS e JOIN geo_email_domains AS g USING (email_domain)
    UNION ALL
    SELECT e.person_key, 4, g.country_iso2, g.region, g.city, g.confidence, g.method
    FROM emails AS e JOIN geo_author_timezones AS g USING (author_key)
)
SELECT person_key, country_iso2, region, city, confidence, method, tier,
       count(*) OVER (PARTITION BY person_key) AS candidates
FROM candidates
WHERE country_iso2 IS NOT NULL
QUALIFY row_number() OVER (
    PARTITION BY person_key
    ORDER BY tier, confidence DESC, country_iso2, region NULLS LAST, city NULLS LAST) = 1
