"""A recording, in-memory stand-in for an Elasticsearch server, reached through the real
client (``elasticsearch.Elasticsearch`` with this node class): the code under test makes
its real calls, and the tests read which requests went out, in order, with their bodies.

It keeps indexes, aliases and documents, as much as the portal's calls need; a search
answers whatever the test put in ``search_response``. Nothing here analyses text: what
the analysers do is proven against a real server (``test_live.py``).
"""

import json
from urllib.parse import parse_qs, urlsplit

from elastic_transport import ApiResponseMeta, BaseNode, ConnectionError, HttpHeaders
from elastic_transport._node import NodeApiResponse
from elasticsearch import Elasticsearch


class FakeServer:
    def __init__(self):
        self.requests: list[tuple[str, str, object]] = []
        #: index → {id: source}
        self.indexes: dict[str, dict[str, dict]] = {}
        #: index → set of its aliases
        self.aliases: dict[str, set[str]] = {}
        self.search_response: dict = {"hits": {"total": {"value": 0}, "hits": []}}
        self.down = False

    def client(self) -> Elasticsearch:
        server = self

        class Node(FakeNode):
            fake = server

        return Elasticsearch("http://fake-elasticsearch:9200", node_class=Node, max_retries=0)

    # What the tests read.
    def calls(self) -> list[str]:
        """ "METHOD /path" of each request, in order."""
        return [f"{method} {path}" for method, path, _body in self.requests]

    def bodies(self, method: str, path: str) -> list:
        return [body for m, p, body in self.requests if (m, p) == (method, path)]

    def behind(self, alias: str) -> set[str]:
        return {index for index, aliases in self.aliases.items() if alias in aliases}

    # The server.
    def handle(self, method: str, target: str, body: bytes | None):
        url = urlsplit(target)
        path, params = url.path, parse_qs(url.query)
        parsed = self._parse(body)
        self.requests.append((method, path, parsed))
        parts = [p for p in path.split("/") if p]
        if parts == ["_aliases"]:
            return self._update_aliases(parsed["actions"])
        if parts == ["_bulk"]:
            return self._bulk(parsed)
        if parts[0] == "_alias":
            names = set(parts[1].split(","))
            found = {
                i: {"aliases": {a: {} for a in self.aliases[i] & names}}
                for i in self._alias_targets(names)
            }
            return (200, found) if found else (404, {"error": "alias missing", "status": 404})
        index = parts[0]
        if len(parts) == 1:
            return self._index_level(method, index, params)
        if parts[1] == "_doc":
            return self._document(method, index, parts[2], parsed)
        if parts[1] == "_refresh":
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        if parts[1] == "_search":
            return 200, self.search_response
        raise AssertionError(f"the fake has no answer for {method} {target}")

    def _parse(self, body):
        if not body:
            return None
        text = body.decode()
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return [json.loads(line) for line in text.splitlines() if line.strip()]

    def _alias_targets(self, names):
        return sorted(i for i, aliases in self.aliases.items() if aliases & names)

    def _resolve(self, name):
        return [name] if name in self.indexes else self._alias_targets({name})

    def _index_level(self, method, index, params):
        if method == "HEAD":
            return (200, None) if self._resolve(index) else (404, None)
        if method == "PUT":
            self.indexes[index] = {}
            self.aliases[index] = set()
            return 200, {"acknowledged": True, "index": index}
        if method == "DELETE":
            del self.indexes[index]
            del self.aliases[index]
            return 200, {"acknowledged": True}
        if method == "GET":
            prefix = index.rstrip("*")
            found = {i: {} for i in self.indexes if i.startswith(prefix)}
            return 200, found
        raise AssertionError(method)

    def _document(self, method, index, doc_id, source):
        docs = self.indexes[index]
        if method == "PUT":
            docs[doc_id] = source
            return 200, {"_index": index, "_id": doc_id, "result": "updated"}
        if method == "DELETE":
            if docs.pop(doc_id, None) is None:
                return 404, {"_index": index, "_id": doc_id, "result": "not_found"}
            return 200, {"_index": index, "_id": doc_id, "result": "deleted"}
        raise AssertionError(method)

    def _update_aliases(self, actions):
        for action in actions:
            ((verb, spec),) = action.items()
            if verb == "add":
                self.aliases[spec["index"]].add(spec["alias"])
            else:
                self.aliases[spec["index"]].discard(spec["alias"])
        return 200, {"acknowledged": True}

    def _bulk(self, lines):
        items = []
        for action, source in zip(lines[::2], lines[1::2], strict=True):
            ((verb, meta),) = action.items()
            docs = self.indexes[meta["_index"]]
            if verb == "create" and meta["_id"] in docs:
                items.append({verb: {"_id": meta["_id"], "status": 409}})
                continue
            docs[meta["_id"]] = source
            items.append({verb: {"_id": meta["_id"], "status": 201}})
        errors = any(next(iter(i.values()))["status"] >= 300 for i in items)
        return 200, {"took": 1, "errors": errors, "items": items}


class FakeNode(BaseNode):
    fake: FakeServer

    def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
        if self.fake.down:
            raise ConnectionError("connection refused (the fake server is down)")
        status, payload = self.fake.handle(method, target, body)
        raw = b"" if payload is None else json.dumps(payload).encode()
        meta = ApiResponseMeta(
            status=status,
            http_version="1.1",
            headers=HttpHeaders(
                {"x-elastic-product": "Elasticsearch", "content-type": "application/json"}
            ),
            duration=0.0,
            node=self.config,
        )
        return NodeApiResponse(meta, raw)
