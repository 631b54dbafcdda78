"""gate.github.errors: the adapters' own exceptions stay inside them, each turned into one of the gate's."""

from __future__ import annotations

import pytest
import yaml

from gate.core.errors import PolicyError
from gate.github.errors import RefusedYaml
from gate.github.policy import parse_policy


class TestRefusedYaml:
    """RefusedYaml: valid YAML no policy file is, told apart from YAML that is not valid"""

    def test_it_carries_pyyaml_s_mark(self) -> None:
        assert issubclass(RefusedYaml, yaml.MarkedYAMLError)

    def test_the_parser_says_refused_where_the_yaml_is_valid(self) -> None:
        with pytest.raises(PolicyError) as refused:
            parse_policy("a: &x 1\nb: *x\n", "p.yml")
        assert (
            str(refused.value) == "p.yml is refused: line 2, column 4: an alias (*name) is not allowed in a policy file"
        )
        with pytest.raises(PolicyError) as invalid:
            parse_policy("a: 1\na: 2\n", "p.yml")
        assert str(invalid.value) == "p.yml is not valid YAML: line 2, column 1: a is given twice (first on line 1)"
