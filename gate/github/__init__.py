"""The adapters for GitHub's API: the look-ups over httpx, the pull request's comments over PyGithub."""
