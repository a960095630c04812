-- DEPRECATED, kept for one release: mart_downstream_adoption as it was before platforms became
-- configuration, with forks per month on each of the three default instances (github, gitee,
-- gitlab) as columns. Read mart_adoption_by_platform (one row per framework, platform and month)
-- instead; an instance of another name has no column here.
--
-- Columns:
--   new_forks_github: forks created on GitHub
--   new_forks_gitee: forks created on Gitee
--   new_forks_gitlab: forks created on GitLab
WITH wide AS (
    PIVOT (SELECT framework, month, platform, new_forks FROM mart_adoption_by_platform)
    ON platform IN ('github', 'gitee', 'gitlab') USING sum(new_forks) GROUP BY framework, month
)
SELECT
    a.* EXCLUDE (forks_to_date, active_forks_to_date, new_dependents, dependents_to_date, dependents_search_incomplete,
                 new_adopters, new_adopter_organisations, adopter_organisations, new_adopters_located, new_adopters_cn,
                 new_adopters_cn_share, adopter_countries),
    coalesce(w.github, 0)::BIGINT AS new_forks_github,
    coalesce(w.gitee, 0)::BIGINT AS new_forks_gitee,
    coalesce(w.gitlab, 0)::BIGINT AS new_forks_gitlab,
    a.forks_to_date, a.active_forks_to_date, a.new_dependents, a.dependents_to_date, a.dependents_search_incomplete,
    a.new_adopters, a.new_adopter_organisations, a.adopter_organisations, a.new_adopters_located, a.new_adopters_cn,
    a.new_adopters_cn_share, a.adopter_countries
FROM mart_downstream_adoption AS a LEFT JOIN wide AS w USING (framework, month)
