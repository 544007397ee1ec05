"""store-gate: every method of a storage trait must declare a legal DynamoDB access pattern."""

__version__ = "0.2.0"
