-- Where each framework's people are: one row per framework, platform and non-bot person engaged with
-- the framework there. A person is present on a platform when credited with the framework's work
-- there (int_framework_people: a mirror is never credited with its primary's contributors) or when
-- their account stars, forks or depends on the framework there (organisations excluded).
--
-- Columns:
--   framework: framework
--   platform: platform the person is present on
--   person_key: the person (int_identities.person_key)
--   credited: credited with the framework's work on the platform
--   contributions: contributions credited there (int_framework_people), 0 when only engaged
SELECT framework, platform, person_key, bool_or(credited) AS credited, sum(contributions)::BIGINT AS contributions
FROM (
    SELECT framework, platform, person_key, true AS credited, contributions FROM int_framework_people
    UNION ALL
    SELECT r.framework, r.platform, i.person_key, false, 0
    FROM int_account_roles AS r
    JOIN int_accounts AS a USING (platform, account_id)
    JOIN int_identities AS i ON i.kind = 'account' AND i.platform = r.platform AND i.account_id = r.account_id
    WHERE r.role <> 'contributor' AND NOT a.is_bot AND coalesce(a.type, 'User') = 'User'
)
GROUP BY framework, platform, person_key
