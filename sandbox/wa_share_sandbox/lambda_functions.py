"""template.yaml's functions in the simulated automation account, as Lambda holds their configuration.

moto runs no function (the runner calls the handlers in-process); what it holds is what Lambda's
GetFunctionConfiguration answers: name, role, handler, and the environment the template gives each
function. The CLI reads its settings there, as it does from a real deployment.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from wa_share_sandbox.organization import SimulatedOrganization
from wa_share_sandbox.resolver import Resolver

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

# Lambda sets these itself and refuses them in a function's environment.
RESERVED_VARIABLES = frozenset({"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"})


def create_functions(
    org: SimulatedOrganization,
    template: dict[str, Any],
    resolver: Resolver,
    environments: Mapping[str, dict[str, str]],
) -> None:
    """One function per logical ID of `environments` (logical ID -> its environment) whose condition holds."""
    client: LambdaClient = org.client(org.automation, "lambda")
    runtime = str(template["Globals"]["Function"]["Runtime"])
    package = _empty_package()
    for logical_id, environment in environments.items():
        resource = template["Resources"][logical_id]
        if "Condition" in resource and not resolver.condition(resource["Condition"]):
            continue
        properties = resource["Properties"]
        name = str(resolver.value(properties["FunctionName"]))
        arn = client.create_function(
            FunctionName=name,
            Runtime=runtime,  # type: ignore[arg-type]
            Role=str(resolver.value(properties["Role"])),
            Handler=str(properties["Handler"]),
            Code={"ZipFile": package},
            Timeout=int(properties["Timeout"]),
            MemorySize=int(properties["MemorySize"]),
            Environment={
                "Variables": {key: value for key, value in environment.items() if key not in RESERVED_VARIABLES}
            },
        )["FunctionArn"]
        resolver.define(logical_id, ref=name, arn=arn)


def _empty_package() -> bytes:
    # The code never runs here: a package Lambda accepts, not the build (`sam build` makes that).
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README", "the sandbox runs the handlers in-process\n")
    return buffer.getvalue()
