"""Each declaration compiled to the request the SDK would send (`store-gate requests`), checked
offline against botocore's DynamoDB service model, and run against a real endpoint
(`store-gate verify`). botocore comes with the `verify` extra; nothing here is imported by
`check`.
"""

from __future__ import annotations

from store_gate.errors import UsageError

INSTALL_HINT = "pip install 'store-gate[verify]'"


def require_botocore(command: str) -> None:
    """botocore is importable, else a usage error (exit 2) that says how to install it."""
    try:
        import botocore.session  # noqa: F401
    except ImportError:
        raise UsageError(
            f"{command} needs botocore, which the verify extra installs: {INSTALL_HINT} (or pip install boto3)"
        ) from None
