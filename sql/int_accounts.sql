-- Every account seen on any platform, keyed by (platform, account_id): profiled accounts with their
-- latest profile, plus accounts only referenced by a contributor list, fork, star or dependent (no
-- profile yet, or deleted). Adds the bot flag and the organisation named in the company field.
--
-- Columns:
--   platform: platform instance NAME (catalogue_platforms)
--   account_id: id on the platform as text (numeric ids keep their decimal text; accounts are keyed by platform and id, never by login)
--   login: latest login seen (profile, else the latest reference)
--   type: User, Organization or Bot
--   has_profile: a profile was fetched (else only the id and login are known)
--   is_bot: a bot: typed Bot, or the login matches a configured bot pattern (catalogue_bot_patterns)
--   organisation: the company field normalised to an organisation handle: "@baidu" and
--     "@Baidu, Inc." give baidu; other text is lower-cased with spaces collapsed
WITH profiles AS (
    SELECT *, true AS has_profile FROM stg_accounts
),
referenced AS (
    SELECT platform, account_id, login, NULL AS owner_type, observed_at FROM int_contributors WHERE account_id IS NOT NULL
    UNION ALL SELECT platform, owner_id, owner_login, owner_type, observed_at FROM int_forks
    UNION ALL SELECT platform, account_id, login, NULL, observed_at FROM int_stargazers
    UNION ALL SELECT platform, owner_id, owner_login, owner_type, observed_at FROM stg_dependents
),
referenced_only AS (
    SELECT platform, account_id, arg_max(login, observed_at) AS login,
           arg_max(owner_type, observed_at) AS type, max(observed_at) AS observed_at, false AS has_profile
    FROM referenced ANTI JOIN profiles USING (platform, account_id)
    WHERE account_id IS NOT NULL
    GROUP BY platform, account_id
),
accounts AS (
    SELECT * FROM profiles
    UNION ALL BY NAME SELECT * FROM referenced_only
)
SELECT
    *,
    coalesce(type = 'Bot', false) OR coalesce(regexp_matches(login, getvariable('bot_pattern'), 'i'), false) AS is_bot,
    CASE
        WHEN trim(company) LIKE '@%' THEN nullif(lower(regexp_extract(trim(company), '^@+([^\s,;/@()]+)', 1)), '')
        ELSE nullif(lower(trim(regexp_replace(company, '\s+', ' ', 'g'))), '')
    END AS organisation
FROM accounts
