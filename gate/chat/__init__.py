"""The adapter for chat webhooks (Slack, Mattermost, Google Chat): one line posted over httpx."""
