-- Repositories that declare a framework's PyPI package, found by code search (GitHub's; the platforms
-- whose API can search code) in the latest run that searched for the framework there: one row per
-- platform, framework and dependent repository. A lower bound (search caps results at 1,000 and
-- indexes only some files); `incomplete` is true when any of the framework's searches in that run was
-- incomplete.
--
-- Columns:
--   files: files that matched (requirements.txt, setup.py, pyproject.toml)
--   packages: the framework's packages it declares
--   incomplete: some search for this framework in that run reported incomplete results or hit the 1,000 cap
WITH latest AS (
    SELECT * FROM raw_dependents
    QUALIFY run_id = max_by(run_id, observed_at) OVER (PARTITION BY platform, framework)
)
SELECT
    platform, framework, repo_id,
    arg_max(full_name, observed_at) AS full_name,
    arg_max(owner_id, observed_at) AS owner_id,
    arg_max(owner_login, observed_at) AS owner_login,
    arg_max(owner_type, observed_at) AS owner_type,
    list_sort(list_distinct(list(file_name))) AS files,
    list_sort(list_distinct(list(package))) AS packages,
    bool_or(bool_or(coalesce(incomplete, false))) OVER (PARTITION BY platform, framework) AS incomplete,
    any_value(run_id) AS run_id,
    min(observed_at) AS observed_at
FROM latest
GROUP BY platform, framework, repo_id
