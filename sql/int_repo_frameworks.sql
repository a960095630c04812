-- Which framework each repository with commits belongs to, and its role: the configured
-- repositories, plus each repository mined from a git URL or path (platform git), which stands as a
-- framework of its own named by that URL or path.
--
-- Columns:
--   framework: framework name (for git: sources, the URL or path as given)
--   platform: github, gitee, gitlab or git
--   repo: repository path as configured, or the git URL or path
--   role: primary or mirror (git: sources are primary)
SELECT framework, platform, repo, role FROM catalogue_repositories
UNION
SELECT DISTINCT repo, platform, repo, 'primary' FROM stg_commits WHERE platform = 'git'
