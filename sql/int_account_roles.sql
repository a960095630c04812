-- What each account does for each framework: one row per framework, account and role. An account is
-- a contributor when a contributor list of the framework names it or its person is credited with
-- the framework's commits; a fork owner, stargazer or dependent owner when it owns a current fork,
-- stars a tracked repository or owns a repository found to depend on the framework.
--
-- Columns:
--   framework: framework
--   platform: platform of the account
--   account_id: account id on the platform, as text
--   role: contributor, fork_owner, stargazer or dependent_owner
SELECT DISTINCT framework, platform, account_id, role
FROM (
    SELECT framework, platform, account_id, 'contributor' AS role
    FROM int_contributors WHERE account_id IS NOT NULL
    UNION ALL
    SELECT p.framework, i.platform, i.account_id, 'contributor'
    FROM int_framework_people AS p JOIN int_identities AS i USING (person_key)
    WHERE i.kind = 'account'
    UNION ALL
    SELECT framework, platform, owner_id, 'fork_owner' FROM int_forks
    UNION ALL
    SELECT framework, platform, account_id, 'stargazer' FROM int_stargazers
    UNION ALL
    SELECT framework, platform, owner_id, 'dependent_owner' FROM stg_dependents
)
WHERE framework IS NOT NULL AND account_id IS NOT NULL
