"""A request as moto received it, read back into botocore's input shape (the service's signing name, the
region, the operation and its parameters), with moto's own protocol parsers: what iam_requests.py reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from moto.core.parse import PROTOCOL_PARSERS
from moto.core.request import determine_request_protocol
from moto.core.responses import BaseResponse
from moto.core.utils import get_service_model


@dataclass(frozen=True)
class MotoRequest:
    service: str  # the SigV4 signing name
    region: str
    operation: str
    params: Mapping[str, Any] = field(default_factory=dict)
    readable: bool = True  # False: the parameters could not be parsed (the caller is denied, never waved through)


def _parameters(response: BaseResponse, operation: str) -> Mapping[str, Any]:
    if response.automated_parameter_parsing and isinstance(getattr(response, "params", None), Mapping):
        return dict(response.params)
    model = get_service_model(response.boto3_service_name)
    request = response.normalized_request
    parser = PROTOCOL_PARSERS[determine_request_protocol(model, request.content_type)](
        model.operation_model(operation), map_type=dict
    )
    parsed = parser.parse(
        {
            "method": request.method,
            "values": request.values,
            "headers": request.headers,
            "body": request.data,
            "url_path": request.path,
            "url_params": response.uri_match,
        }
    )
    return dict(parsed)


def parsed_request(response: BaseResponse) -> MotoRequest:
    model = get_service_model(response.boto3_service_name)
    service = str(model.signing_name or model.endpoint_prefix)
    operation = str(response._get_action())
    try:
        return MotoRequest(service, str(response.region), operation, _parameters(response, operation))
    except Exception:  # noqa: BLE001 - unreadable parameters deny below, with the reason
        return MotoRequest(service, str(response.region), operation, readable=False)
