"""A recording, in-memory stand-in for an Elasticsearch server, reached through the real
client (``elasticsearch.Elasticsearch`` with this node class): the code under test makes
its real calls, and the tests read which requests went out, in order, with their bodies.

It keeps indexes, aliases and documents, as much as the portal's calls need; a search
answers whatever the test put in ``search_response``. Nothing here analyses text: what
the analysers do is proven against a real server (``test_live.py``).
"""

import json
from datetime import datetime
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
        parts = [p for p in path.split("/") if p]
        parsed = self._parse(body, lines=parts == ["_bulk"])
        self.requests.append((method, path, parsed))
        if parts == ["_aliases"]:
            return self._update_aliases(parsed["actions"])
        if parts == ["_bulk"]:
            return self._bulk(parsed, params)
        if parts[0] == "_alias":
            names = set(parts[1].split(","))
            found = {
                i: {"aliases": {a: {} for a in self.aliases[i] & names}}
                for i in self._alias_targets(names)
            }
            missing = sorted(n for n in names if not self._alias_targets({n}))
            if not missing:
                return 200, found
            # As Elasticsearch does: one missing alias is a 404, with what was found.
            error = f"alias [{','.join(missing)}] missing"
            return 404, {"error": error, "status": 404, **found}
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

    def _parse(self, body, lines=False):
        if not body:
            return None
        text = body.decode()
        if lines:
            return [json.loads(line) for line in text.splitlines() if line.strip()]
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

    def _bulk(self, lines, params):
        require_alias = params.get("require_alias") == ["true"]
        items, lines = [], list(lines)
        while lines:
            ((verb, meta),) = lines.pop(0).items()
            source = None if verb == "delete" else lines.pop(0)
            name = meta["_index"]
            targets = self._alias_targets({name})
            if require_alias and not targets:
                # As Elasticsearch does: never an index of the write's own.
                items.append({verb: {"_id": meta["_id"], "status": 404}})
                continue
            if not targets and name not in self.indexes:
                # Created on the fly, with mappings guessed from the document.
                self.indexes[name], self.aliases[name] = {}, set()
            assert len(targets) <= 1, f"{name} has no single index to write to"
            docs = self.indexes[targets[0] if targets else name]
            if verb == "delete":
                status = 200 if docs.pop(meta["_id"], None) is not None else 404
            elif verb == "create" and meta["_id"] in docs:
                status = 409
            else:
                docs[meta["_id"]], status = source, 201
            items.append({verb: {"_id": meta["_id"], "status": status}})
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


def matches(clause: dict, doc: dict) -> bool:
    """Does ``doc`` pass the filter ``clause``? The subset of the query DSL that
    ``reader_filter`` sends, evaluated here as Elasticsearch does."""
    ((name, spec),) = clause.items()
    if name == "bool":
        required = [*spec.get("filter", []), *spec.get("must", [])]
        should = spec.get("should", [])
        least = spec.get("minimum_should_match", 0 if required else 1)
        return (
            all(matches(c, doc) for c in required)
            and not any(matches(c, doc) for c in spec.get("must_not", []))
            and (not should or sum(matches(c, doc) for c in should) >= least)
        )
    if name == "match_none":
        return False
    if name == "exists":
        return doc.get(spec["field"]) not in (None, "", [])
    ((field, value),) = spec.items()
    values = doc.get(field)
    values = values if isinstance(values, list) else [] if values is None else [values]
    if name == "terms":
        return bool(set(values) & set(value))
    if name == "term":
        return value in values
    if name == "range":
        bounds = {op: datetime.fromisoformat(b) for op, b in value.items()}
        assert set(bounds) == {"gt"}, "teach the evaluator this bound first"
        return any(v > bounds["gt"] for v in values)
    raise AssertionError(f"the evaluator does not know {name!r}: teach it first")
