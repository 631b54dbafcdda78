"""aikido-gate: gate pull requests on an Aikido Security feature-branch scan."""

__version__ = "1.0.0"
