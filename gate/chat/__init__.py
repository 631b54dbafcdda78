"""The adapter for chat webhooks (Slack, Teams, Mattermost, Google Chat): one message posted over httpx."""
