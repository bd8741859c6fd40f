"""The error shapes of the sandbox WA service; moto serialises extra members (ResourceId, QuotaCode…) too."""

from __future__ import annotations

from moto.core.exceptions import ServiceException


class WellArchitectedError(ServiceException):
    """An error shape of the WA model; extra members (ResourceId, QuotaCode…) are serialised too."""

    def __init__(self, message: str, **members: str) -> None:
        super().__init__(message)
        for name, value in members.items():
            setattr(self, name, value)


class ValidationException(WellArchitectedError):
    code = "ValidationException"


class AccessDeniedException(WellArchitectedError):
    code = "AccessDeniedException"


class _ResourceError(WellArchitectedError):
    def __init__(self, message: str, resource_id: str, resource_type: str = "WORKLOAD") -> None:
        super().__init__(message, ResourceId=resource_id, ResourceType=resource_type)


class ConflictException(_ResourceError):
    code = "ConflictException"


class ResourceNotFoundException(_ResourceError):
    code = "ResourceNotFoundException"


class ServiceQuotaExceededException(WellArchitectedError):
    code = "ServiceQuotaExceededException"

    def __init__(self, resource_type: str, resource_id: str) -> None:
        codes = {"QuotaCode": f"{resource_type}_QUOTA", "ServiceCode": "wellarchitected"}
        super().__init__(f"{resource_type} quota reached", ResourceId=resource_id, ResourceType=resource_type, **codes)


class ThrottlingException(WellArchitectedError):
    code = "ThrottlingException"  # HTTP 429 in the WA model
