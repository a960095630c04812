-- Evidence that two identities (platform accounts, email identities) belong to one person, one row
-- per linked pair and kind of evidence. Bots are never linked. Kinds:
--   profile_email: an account's public profile email has the same keyed hash as an email identity;
--   noreply_commit: a commit's ID+login@users.noreply.github.com address names the GitHub account;
--   same_login_and_name: accounts on two platforms share the login and the (hashed) display name, and
--     the pair is distinctive: no other known account has that name, or the login carries digits
--     (logins spelt from a common name, such as weiwang, belong to different people on each forge);
--   name_in_contributor_list: an email identity of a framework's commits or contributor lists has the
--     (hashed) name of exactly one account in that framework's contributor lists, and at most one other
--     email identity uses that name (a person's work and private addresses; more is namesakes).
-- An email identity linked to more than three accounts (a shared or team address) links nothing.
-- (Two entries with the same keyed email hash, in commits or contributor lists of any platform, are
-- one identity to begin with: email:<author_key>.)
--
-- Columns:
--   identity_a: one identity (platform:account_id or email:<author_key>)
--   identity_b: the other identity
--   evidence: profile_email, noreply_commit, same_login_and_name or name_in_contributor_list
--   framework: framework whose contributor lists gave the evidence (name_in_contributor_list only)
WITH people AS (
    SELECT platform || ':' || account_id AS identity, platform, lower(login) AS login, name_key, email_key
    FROM int_accounts
    WHERE NOT is_bot AND coalesce(type, 'User') = 'User'
),
human_emails AS (
    SELECT author_key, name_key FROM int_commit_authors WHERE NOT is_bot
),
account_names AS (
    SELECT name_key, count(*) AS accounts FROM people WHERE name_key IS NOT NULL GROUP BY name_key
),
framework_emails AS (
    SELECT DISTINCT c.framework, c.author_key, h.name_key
    FROM int_framework_commits AS c JOIN human_emails AS h USING (author_key)
    WHERE NOT c.is_bot
    UNION
    SELECT DISTINCT framework, author_key, name_key FROM int_contributors
    WHERE kind <> 'account' AND author_key IS NOT NULL AND name_key IS NOT NULL AND framework IS NOT NULL
),
email_names AS (
    SELECT name_key, count(DISTINCT author_key) AS emails FROM framework_emails GROUP BY name_key
),
listed_accounts AS (
    SELECT c.framework, p.name_key, min(p.identity) AS identity
    FROM int_contributors AS c
    JOIN people AS p ON p.identity = c.identity
    WHERE c.kind = 'account' AND p.name_key IS NOT NULL
    GROUP BY c.framework, p.name_key
    HAVING count(DISTINCT p.identity) = 1
),
edges AS (
    SELECT identity AS identity_a, 'email:' || email_key AS identity_b, 'profile_email' AS evidence, NULL AS framework
    FROM people WHERE email_key IS NOT NULL
    UNION ALL
    SELECT 'github:' || noreply_account_id, 'email:' || author_key, 'noreply_commit', NULL
    FROM int_commit_authors WHERE noreply_account_id IS NOT NULL AND NOT is_bot
    UNION ALL
    SELECT a.identity, b.identity, 'same_login_and_name', NULL
    FROM people AS a
    JOIN people AS b ON a.login = b.login AND a.name_key = b.name_key AND a.platform < b.platform
    JOIN account_names AS n ON n.name_key = a.name_key
    WHERE n.accounts = 2 OR regexp_matches(a.login, '[0-9]')
    UNION ALL
    SELECT l.identity, 'email:' || e.author_key, 'name_in_contributor_list', l.framework
    FROM framework_emails AS e
    JOIN listed_accounts AS l USING (framework, name_key)
    JOIN email_names AS n USING (name_key)
    WHERE n.emails <= 2
),
shared_emails AS (
    SELECT identity_b FROM edges
    WHERE identity_b LIKE 'email:%' AND identity_a NOT LIKE 'email:%'
    GROUP BY identity_b HAVING count(DISTINCT identity_a) > 3
),
bot_emails AS (
    SELECT 'email:' || author_key AS identity_b FROM int_commit_authors WHERE is_bot
)
SELECT DISTINCT identity_a, identity_b, evidence, framework
FROM edges
ANTI JOIN shared_emails USING (identity_b)
ANTI JOIN bot_emails USING (identity_b)
