"""Python gql, as a policy analyst uses it: the schema fetched from the server (its own
introspection query), a query validated against it, and a field error read from the answer."""

import os
import sys

from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.requests import RequestsHTTPTransport

url = os.environ["QINGDAN_URL"]
client = Client(transport=RequestsHTTPTransport(url=url, retries=0), fetch_schema_from_transport=True)
with client as session:
    result = session.execute(gql('{ tasks(filter: {departmentName: "市政务服务办", role: LEAD, coLed: true}) { totalCount } }'))
    assert result["tasks"]["totalCount"] > 0, result
    assert client.schema is not None and client.schema.get_type("Task") is not None
    try:
        session.execute(gql("{ task(number: 29) { number reports { revision } } }"))
        sys.exit("a field error must be raised")
    except TransportQueryError as e:
        assert e.data == {"task": None}, e.data
        assert e.errors[0]["path"] == ["task", "reports"], e.errors
print("gql: schema fetched from the transport, queries validated, the field error read with its data")
