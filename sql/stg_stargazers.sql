-- Stargazers of tracked repositories on every platform, current list (int_listed_stargazers), with
-- the star time where the platform gives it (GitHub's starred_at, Gitee's star_at, GitLab's
-- starred_since).
SELECT * FROM int_listed_stargazers
