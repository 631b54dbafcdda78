"""The adapter for Jira (Cloud and Data Center): tracking issues over its REST API v2, over httpx."""
