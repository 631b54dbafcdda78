"""The GitHub adapters' own exceptions: what stays inside them, below the gate's own (gate.core.errors)."""

from __future__ import annotations

import yaml


class RefusedYaml(yaml.MarkedYAMLError):
    """Valid YAML that no policy file is: an alias, a tag beyond YAML's own types, a key that is no name, depth.

    A `MarkedYAMLError`, so PyYAML's mark says where; gate.github.policy turns it into a PolicyError.
    """
