"""A local emulator of Aikido's CI API, for the tests and for trying the action out (stdlib only)."""
