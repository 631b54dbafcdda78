"""The transport the API adapters share: retries within the deadline, a wall-clock limit, TLS, proxies."""
