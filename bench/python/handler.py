"""The peer many teams deploy instead: a Python handler doing the same DynamoDB read
(the caller's profile, strongly consistent) with boto3, under awslambdaric."""
import json
import os

import boto3

_table = boto3.resource(
    "dynamodb", endpoint_url=os.environ.get("AWS_ENDPOINT_URL_DYNAMODB")
).Table(os.environ["TABLE_NAME"])


def handler(event, context):
    key = {"PK": "USER#" + os.environ["USER_ID"], "SK": "PROFILE"}
    item = _table.get_item(Key=key, ConsistentRead=True).get("Item")
    body = {"user_id": item["user_id"], "email": item["email"]} if item else {}
    return {"statusCode": 200 if item else 404, "body": json.dumps(body)}
