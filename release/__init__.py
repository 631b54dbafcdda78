"""Release tooling: run by `.github/workflows/release.yml`, unit-tested like the gate."""
