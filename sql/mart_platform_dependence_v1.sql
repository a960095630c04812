-- DEPRECATED, kept for one release: mart_platform_dependence as it was before platforms became
-- configuration, with one column per platform of the three default instances (github, gitee, gitlab).
-- Read mart_platform_presence (one row per framework and platform) and mart_platform_dependence
-- instead; an instance of another name has no column here.
--
-- Columns:
--   pull_requests_github: pull requests on GitHub copies (all states)
--   pull_requests_gitee: pull requests on Gitee copies
--   pull_requests_gitlab: merge requests on GitLab copies
--   issues_github: issues on GitHub copies (all states)
--   issues_gitee: issues on Gitee copies
--   issues_gitlab: issues on GitLab copies
--   contributors_github: credited contributors on GitHub
--   contributors_gitee: credited contributors on Gitee
--   contributors_gitlab: credited contributors on GitLab
--   people_github: engaged persons present on GitHub
--   people_gitee: engaged persons present on Gitee
--   people_gitlab: engaged persons present on GitLab
--   people_share_github: people_github / people_total
--   people_share_gitee: people_gitee / people_total
--   people_share_gitlab: people_gitlab / people_total
--   stars_github: stars of GitHub copies
--   stars_gitee: stars of Gitee copies
--   stars_gitlab: stars of GitLab copies
--   forks_github: forks of GitHub copies
--   forks_gitee: forks of Gitee copies
--   forks_gitlab: forks of GitLab copies
--   dependents_github: dependents found by GitHub code search (a lower bound)
WITH wide AS (
    SELECT framework,
        max(pull_requests) FILTER (WHERE platform = 'github') AS pull_requests_github,
        max(pull_requests) FILTER (WHERE platform = 'gitee') AS pull_requests_gitee,
        max(pull_requests) FILTER (WHERE platform = 'gitlab') AS pull_requests_gitlab,
        max(issues) FILTER (WHERE platform = 'github') AS issues_github,
        max(issues) FILTER (WHERE platform = 'gitee') AS issues_gitee,
        max(issues) FILTER (WHERE platform = 'gitlab') AS issues_gitlab,
        coalesce(max(contributors) FILTER (WHERE platform = 'github'), 0) AS contributors_github,
        coalesce(max(contributors) FILTER (WHERE platform = 'gitee'), 0) AS contributors_gitee,
        coalesce(max(contributors) FILTER (WHERE platform = 'gitlab'), 0) AS contributors_gitlab,
        coalesce(max(people) FILTER (WHERE platform = 'github'), 0) AS people_github,
        coalesce(max(people) FILTER (WHERE platform = 'gitee'), 0) AS people_gitee,
        coalesce(max(people) FILTER (WHERE platform = 'gitlab'), 0) AS people_gitlab,
        max(people_share) FILTER (WHERE platform = 'github') AS people_share_github,
        max(people_share) FILTER (WHERE platform = 'gitee') AS people_share_gitee,
        max(people_share) FILTER (WHERE platform = 'gitlab') AS people_share_gitlab,
        coalesce(max(stars) FILTER (WHERE platform = 'github'), 0) AS stars_github,
        coalesce(max(stars) FILTER (WHERE platform = 'gitee'), 0) AS stars_gitee,
        coalesce(max(stars) FILTER (WHERE platform = 'gitlab'), 0) AS stars_gitlab,
        coalesce(max(forks) FILTER (WHERE platform = 'github'), 0) AS forks_github,
        coalesce(max(forks) FILTER (WHERE platform = 'gitee'), 0) AS forks_gitee,
        coalesce(max(forks) FILTER (WHERE platform = 'gitlab'), 0) AS forks_gitlab,
        coalesce(max(dependents) FILTER (WHERE platform = 'github'), 0) AS dependents_github
    FROM mart_platform_presence GROUP BY framework
)
SELECT
    d.framework, d.primary_platform, d.primary_repo, d.primary_flagged_as_mirror, d.mirrors, d.mirror_evidence,
    d.mirrors_confirmed, d.development_platform,
    w.pull_requests_github, w.pull_requests_gitee, w.pull_requests_gitlab,
    w.issues_github, w.issues_gitee, w.issues_gitlab, d.development_share_github,
    d.contributors_total, w.contributors_github, w.contributors_gitee, w.contributors_gitlab, d.contributor_share_github,
    d.people_total, w.people_github, w.people_gitee, w.people_gitlab,
    w.people_share_github, w.people_share_gitee, w.people_share_gitlab,
    d.people_only_github, d.people_only_github_share, d.people_on_several_platforms, d.overlap_share,
    d.stars_total, w.stars_github, w.stars_gitee, w.stars_gitlab, d.stars_share_github,
    d.forks_total, w.forks_github, w.forks_gitee, w.forks_gitlab, d.forks_share_github,
    w.dependents_github, d.github_dependence_index
FROM mart_platform_dependence AS d LEFT JOIN wide AS w USING (framework)
