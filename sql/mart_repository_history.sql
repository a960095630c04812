-- Every observation of every tracked repository, one row per repository and run, for trend charts:
-- what the platform reported (stars, forks, watchers, open issues, last push) and what the run
-- listed or counted (contributor entries, releases, pull requests and issues, new forks, stars and
-- commits landed). Each run adds a row per repository it observed.
--
-- Columns:
--   framework: framework of the repository (NULL when no longer configured)
--   role: configured role (primary or mirror)
--   platform: github, gitee or gitlab
--   repo: repository path as configured
--   run_id: the run that observed it
--   observed_at: when the run fetched the repository
--   run_started_at: when that run started (runs.started_at)
--   full_name: name the platform gave at the time (differs from repo after a rename)
--   stars: stargazers count reported
--   forks: forks count reported
--   watchers: watchers count reported
--   open_issues: open issues count reported
--   pushed_at: last push reported
--   contributors_listed: entries of the contributors list in this run (NULL: not listed)
--   releases_listed: releases listed in this run (NULL: not listed)
--   pull_requests: pull/merge requests in every state counted in this run
--   issues: issues in every state counted in this run
--   forks_landed: forks landed by this run (all of them for a full listing, the new ones for an incremental one)
--   stargazers_landed: stargazers landed by this run (likewise)
--   commits_landed: commits landed by this run (all of them on a first clone, the new ones afterwards)
WITH observed AS (
    SELECT platform, repo, run_id, observed_at, full_name, stars, forks, watchers, open_issues, pushed_at
    FROM raw_repositories
    QUALIFY row_number() OVER (PARTITION BY platform, repo, run_id ORDER BY observed_at DESC) = 1
),
contributors AS (
    SELECT platform, repo, run_id, count(*) AS contributors_listed FROM raw_contributors GROUP BY ALL
),
releases AS (
    SELECT platform, repo, run_id, count(DISTINCT coalesce(release_id::VARCHAR, tag_name)) AS releases_listed
    FROM raw_releases GROUP BY ALL
),
forks AS (
    SELECT platform, repo, run_id, count(DISTINCT fork_id) AS forks_landed FROM raw_forks GROUP BY ALL
),
stargazers AS (
    SELECT platform, repo, run_id, count(DISTINCT account_id) AS stargazers_landed FROM raw_stargazers GROUP BY ALL
),
commits AS (
    SELECT platform, repo, run_id, count(DISTINCT sha) AS commits_landed FROM raw_commits GROUP BY ALL
)
SELECT
    c.framework, c.role, o.platform, o.repo, o.run_id, o.observed_at, r.started_at AS run_started_at,
    o.full_name, o.stars, o.forks, o.watchers, o.open_issues, o.pushed_at,
    k.contributors_listed, l.releases_listed, a.pull_requests, a.issues,
    coalesce(f.forks_landed, 0) AS forks_landed,
    coalesce(s.stargazers_landed, 0) AS stargazers_landed,
    coalesce(m.commits_landed, 0) AS commits_landed
FROM observed AS o
LEFT JOIN catalogue_repositories AS c USING (platform, repo)
LEFT JOIN runs AS r USING (run_id)
LEFT JOIN contributors AS k USING (platform, repo, run_id)
LEFT JOIN releases AS l USING (platform, repo, run_id)
LEFT JOIN int_activity_by_run AS a USING (platform, repo, run_id)
LEFT JOIN forks AS f USING (platform, repo, run_id)
LEFT JOIN stargazers AS s USING (platform, repo, run_id)
LEFT JOIN commits AS m USING (platform, repo, run_id)
