"""aikido-gate: gate pull requests on an Aikido Security feature-branch scan."""

# Not a release: what 1.0.0 will be. The release workflow stamps the real version (release/version.py).
__version__ = "1.0.0.dev0"

HOME = "https://github.com/aikido-gate/aikido-gate"
# The README, whose sections the fatal messages link to (`DOCS + "#troubleshooting"`).
DOCS = HOME
ISSUES = f"{HOME}/issues"
USER_AGENT = f"aikido-gate/{__version__} (+{HOME})"
