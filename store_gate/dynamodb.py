"""DynamoDB's vocabulary and limits, in one place: the operations, the key condition operators,
and the quotas the rules check. The manifest's validation, the rules and the importers read them
from here.

Sources: the DynamoDB API reference and "Service, account, and table quotas in Amazon DynamoDB".
"""

from __future__ import annotations

DATA_OPERATIONS = (
    "GetItem",
    "BatchGetItem",
    "TransactGetItems",
    "Query",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "TransactWriteItems",
    "Scan",
    "ExecuteStatement",
    "BatchExecuteStatement",
    "ExecuteTransaction",
)
# The control plane: declared as such, never a data path (no key, no index, no cost per call).
CONTROL_PLANE_OPERATIONS = (
    "CreateTable",
    "DescribeTable",
    "UpdateTable",
    "DeleteTable",
    "ListTables",
    "UpdateTimeToLive",
    "DescribeTimeToLive",
    "DescribeContinuousBackups",
    "UpdateContinuousBackups",
    "CreateBackup",
    "TagResource",
)
NO_OPERATION = "none"  # a method that touches no data (`op = "none"` with a reason)
OPERATIONS = (*DATA_OPERATIONS, *CONTROL_PLANE_OPERATIONS, NO_OPERATION)
CONTROL_PLANE = frozenset(CONTROL_PLANE_OPERATIONS)

# Operations made of several items, and the operation each item may be.
ITEM_OPERATIONS: dict[str, tuple[str, ...]] = {
    "TransactWriteItems": ("PutItem", "UpdateItem", "DeleteItem", "ConditionCheck"),
    "TransactGetItems": ("GetItem",),
    "BatchWriteItem": ("PutItem", "DeleteItem"),
    "BatchGetItem": ("GetItem",),
}
# An item that is no request of its own: `op` of an item of a TransactWriteItems, never of a method.
ITEM_ONLY_OPERATIONS = ("ConditionCheck",)
# How many items one request may hold (the quotas of TransactWriteItems, BatchWriteItem, ...).
MAX_ITEMS = {"TransactWriteItems": 100, "TransactGetItems": 100, "BatchWriteItem": 25, "BatchGetItem": 100}
MAX_KEY_ATTRIBUTES = 4  # multi-attribute GSI keys: up to 4 partition and 4 sort attributes
# Operations that address items by their full primary key, on the base table only.
SINGLE_ITEM_OPERATIONS = frozenset(
    {
        "ConditionCheck",  # an item of TransactWriteItems
        "GetItem",
        "BatchGetItem",
        "TransactGetItems",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactWriteItems",
    }
)
# Operations with no key condition the gate can prove: a Scan, or a PartiQL statement.
UNBOUNDED_OPERATIONS = frozenset({"Scan", "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"})
# Item operations inside a transaction or batch (an item of TransactWriteItems may be a
# ConditionCheck): each addresses one item by its full primary key.
ITEM_LEVEL_OPERATIONS = frozenset({"GetItem", "PutItem", "UpdateItem", "DeleteItem", "ConditionCheck"})
PARTIQL_OPERATIONS = frozenset({"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"})

# Item writes (each consumes write units on the item's size), and the transactions (which cost double).
ITEM_WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem"})
TRANSACTION_OPERATIONS = frozenset({"TransactWriteItems", "TransactGetItems"})

# Sort-key operators of a KeyConditionExpression, by their manifest spelling, and their symbols.
KEY_OPERATORS = ("eq", "lt", "le", "gt", "ge", "between", "begins_with")
OPERATOR_ALIASES = {"=": "eq", "==": "eq", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
OPERATOR_SYMBOLS = {"eq": "=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "between": "BETWEEN"}

KEY_TYPES = ("S", "N", "B")
PROJECTIONS = ("ALL", "KEYS_ONLY", "INCLUDE")

# Quotas per table.
MAX_GSIS = 20  # default quota; AWS raises it on request
MAX_LSIS = 5  # fixed

# The gate's own bound on one page of a Query (DynamoDB's is 1 MB of items): a larger `limit` is a
# bulk read, whatever its cursor.
MAX_PAGE_ITEMS = 1_000

# Capacity: what one request unit covers, and what one partition serves per second.
READ_UNIT_KB = 4.0  # strongly consistent; an eventually consistent read costs half
WRITE_UNIT_KB = 1.0
PAGE_KB = 1024.0  # a Query returns at most 1 MB per call
PARTITION_RCU = 3000.0  # per partition per second
PARTITION_WCU = 1000.0
ITEM_COLLECTION_KB = 10 * 1024 * 1024.0  # 10 GB, on a table with LSIs
