"""The moto fixtures (tests/support/fixtures.py) for the end-to-end tests."""

from tests.support.fixtures import deployment, moto_aws, org, runner  # noqa: F401 - fixtures
