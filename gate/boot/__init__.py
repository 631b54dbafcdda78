"""Start-up and configuration: what is prepared before the imports, and the only reader of the environment."""
