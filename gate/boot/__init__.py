"""Configuration and wiring: the only reader of the environment, and the one place a run is put together."""
