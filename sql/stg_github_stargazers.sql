-- GitHub stargazers of tracked repositories, current list (int_listed_stargazers), with starred_at
-- (GitHub gives it with the star+json media type and in GraphQL).
SELECT * FROM int_listed_stargazers WHERE platform = 'github'
