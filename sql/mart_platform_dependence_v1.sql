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
    PIVOT (SELECT framework, platform, pull_requests, issues, contributors, people, people_share, stars, forks, dependents
           FROM mart_platform_presence)
    ON platform IN ('github', 'gitee', 'gitlab')
    USING max(pull_requests) AS pull_requests, max(issues) AS issues, max(contributors) AS contributors,
          max(people) AS people, max(people_share) AS people_share, max(stars) AS stars, max(forks) AS forks,
          max(dependents) AS dependents
    GROUP BY framework
)
SELECT
    d.framework, d.primary_platform, d.primary_repo, d.primary_flagged_as_mirror, d.mirrors, d.mirror_evidence,
    d.mirrors_confirmed, d.development_platform,
    w.github_pull_requests AS pull_requests_github, w.gitee_pull_requests AS pull_requests_gitee,
    w.gitlab_pull_requests AS pull_requests_gitlab, w.github_issues AS issues_github, w.gitee_issues AS issues_gitee,
    w.gitlab_issues AS issues_gitlab, d.development_share_github, d.contributors_total,
    coalesce(w.github_contributors, 0) AS contributors_github, coalesce(w.gitee_contributors, 0) AS contributors_gitee,
    coalesce(w.gitlab_contributors, 0) AS contributors_gitlab, d.contributor_share_github, d.people_total,
    coalesce(w.github_people, 0) AS people_github, coalesce(w.gitee_people, 0) AS people_gitee,
    coalesce(w.gitlab_people, 0) AS people_gitlab, w.github_people_share AS people_share_github,
    w.gitee_people_share AS people_share_gitee, w.gitlab_people_share AS people_share_gitlab,
    d.people_only_github, d.people_only_github_share, d.people_on_several_platforms, d.overlap_share,
    d.stars_total, coalesce(w.github_stars, 0) AS stars_github, coalesce(w.gitee_stars, 0) AS stars_gitee,
    coalesce(w.gitlab_stars, 0) AS stars_gitlab, d.stars_share_github,
    d.forks_total, coalesce(w.github_forks, 0) AS forks_github, coalesce(w.gitee_forks, 0) AS forks_gitee,
    coalesce(w.gitlab_forks, 0) AS forks_gitlab, d.forks_share_github,
    coalesce(w.github_dependents, 0) AS dependents_github, d.github_dependence_index
FROM mart_platform_dependence AS d LEFT JOIN wide AS w USING (framework)
