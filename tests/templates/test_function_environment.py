"""Each function's environment in template.yaml against the settings model its entry module reads.

Two sources that must agree, compared both ways: a variable the template gives but no model reads is dead
configuration; one a model reads but the template does not give is a cold-start failure in AWS.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from wa_share.settings import FunctionSettings
from wa_share_sandbox.cfn_templates import load_template, repo_root

TEMPLATE = load_template(repo_root() / "template.yaml")
FUNCTIONS = {
    name: resource["Properties"]
    for name, resource in TEMPLATE["Resources"].items()
    if resource["Type"] == "AWS::Serverless::Function"
}
SET_BY_LAMBDA = frozenset({"AWS_REGION"})
POWERTOOLS_PREFIX = "POWERTOOLS_"  # read by Powertools itself (service name, namespace, log level)


def settings_model(function: dict[str, Any]) -> type[FunctionSettings]:
    """The model the function's entry module loads (its `Handler` names the module)."""
    module = importlib.import_module(function["Handler"].rsplit(".", 1)[0])
    model: type[FunctionSettings] = module.SETTINGS
    return model


def variables_given(function: dict[str, Any]) -> set[str]:
    shared = TEMPLATE["Globals"]["Function"].get("Environment", {}).get("Variables", {})
    own = function.get("Environment", {}).get("Variables", {})
    return {name for name in shared | own if not name.startswith(POWERTOOLS_PREFIX)}


def test_every_function_of_the_template_is_checked() -> None:
    assert {function["Handler"] for function in FUNCTIONS.values()} == {
        "share_function.handler",
        "sweep_planner.handler",
        "sweep_worker.handler",
        "probe_function.handler",
    }


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_a_function_is_given_exactly_the_variables_its_settings_read(logical_id: str) -> None:
    function = FUNCTIONS[logical_id]
    read = settings_model(function).variables()
    given = variables_given(function)
    assert not SET_BY_LAMBDA & given, "Lambda sets these itself; the template may not"
    assert sorted(given - read) == [], "given but never read"
    assert sorted(read - SET_BY_LAMBDA - given) == [], "read but not given"


def test_the_models_differ_where_the_functions_do() -> None:
    """Each function reads its own model: no two entry modules load the same one."""
    models = [settings_model(function) for function in FUNCTIONS.values()]
    assert len(set(models)) == len(models)
