-- GitLab starrers of tracked projects, current list (int_listed_stargazers); GitLab gives the star
-- time as starred_since.
SELECT * FROM int_listed_stargazers WHERE platform = 'gitlab'
