"""The adapter for Aikido's CI API over httpx."""
