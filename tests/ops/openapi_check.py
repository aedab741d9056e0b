#!/usr/bin/env python3
"""openapi_check.py -- docs/openapi.yaml against the server, both ways.

  openapi_check.py routes OPENAPI ROUTE_C
      every row of the route table in server/route.c is documented (its
      methods on its path) and every documented operation is a row
  openapi_check.py calls OPENAPI BASE TOKEN
      calls every documented operation, in the document's order, with the
      examples it gives (path parameters, query parameters, request body)
      and the admin token where it asks for a key; the route must answer
      (not 405, not 404 "no such endpoint") and the body must validate
      against the schema of the status (or of 4XX / default)

Prints one line per problem; exit status 1 when there is one.
"""
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

import yaml

METHODS = ["get", "post", "put", "patch", "delete"]


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def resolve(node, doc, depth=0):
    """The node with every local $ref replaced by what it points at."""
    if depth > 40:
        raise ValueError("$ref nesting too deep")
    if isinstance(node, dict):
        if "$ref" in node and isinstance(node["$ref"], str):
            target = doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return resolve(target, doc, depth + 1)
        return {k: resolve(v, doc, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v, doc, depth + 1) for v in node]
    return node


def routes_of(http_c):
    text = open(http_c, encoding="utf-8").read()
    table = text[text.index("static const srv_route routes[]"):]
    table = table[:table.index("};")]
    rows = re.findall(r'\{\s*((?:SRV_M_[A-Z]+\s*\|?\s*)+),\s*"([^"]+)"', table)
    out = set()
    for methods, path in rows:
        for m in re.findall(r"SRV_M_([A-Z]+)", methods):
            out.add((m.lower(), path))
    return out


def check_routes(doc, http_c):
    problems = []
    served = routes_of(http_c)
    documented = {(m, p) for p, item in doc["paths"].items() for m in item if m in METHODS}
    for m, p in sorted(served - documented):
        problems.append("route %s %s (server/route.c) is not in docs/openapi.yaml" % (m.upper(), p))
    for m, p in sorted(documented - served):
        problems.append("docs/openapi.yaml documents %s %s, which server/route.c does not route" % (m.upper(), p))
    if not served:
        problems.append("no route found in %s" % http_c)
    return problems


def validator_for(schema):
    import jsonschema
    cls = getattr(jsonschema, "Draft202012Validator", None) or jsonschema.Draft7Validator
    return cls(schema)


def call(doc, base, token, path, method, op):
    params = [resolve(x, doc) for x in op.get("parameters", [])]
    url_path = path
    query = {}
    for prm in params:
        if "example" not in prm:
            continue
        if prm["in"] == "path":
            url_path = url_path.replace("{%s}" % prm["name"], urllib.parse.quote(str(prm["example"]), safe=""))
        elif prm["in"] == "query":
            query[prm["name"]] = str(prm["example"])
    if "{" in url_path:
        return None, None, None, "%s %s: a path parameter has no example" % (method.upper(), path)
    url = base + url_path + ("?" + urllib.parse.urlencode(query) if query else "")
    data = None
    headers = {}
    body = resolve(op.get("requestBody", {}), doc)
    if body:
        media = body["content"].get("application/json", {})
        if "example" not in media:
            return None, None, None, "%s %s: the JSON request body has no example" % (method.upper(), path)
        data = json.dumps(media["example"]).encode()
        headers["Content-Type"] = "application/json"
    if any(req for req in op.get("security", doc.get("security", [])) if req):
        headers["Authorization"] = "Bearer " + token
    rq = urllib.request.Request(url, data=data, method=method.upper(), headers=headers)
    try:
        with urllib.request.urlopen(rq, timeout=30) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read(), None
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read(), None


def check_calls(doc, base, token):
    problems = []
    n = 0
    for path, item in doc["paths"].items():
        for method in [m for m in item if m in METHODS]:
            op = item[method]
            status, ctype, raw, why = call(doc, base, token, path, method, op)
            where = "%s %s" % (method.upper(), path)
            if why:
                problems.append(why)
                continue
            n += 1
            text = raw.decode("utf-8", "replace")
            if status == 405 or (status == 404 and "no such endpoint" in text):
                problems.append("%s: the server does not serve it (%d %s)" % (where, status, text[:120]))
                continue
            responses = op.get("responses", {})
            resp = responses.get(str(status)) or responses.get("%dXX" % (status // 100)) or responses.get("default")
            if not resp:
                problems.append("%s: status %d is not documented" % (where, status))
                continue
            resp = resolve(resp, doc)
            media = ctype.split(";")[0].strip()
            content = resp.get("content", {})
            if media not in content:
                problems.append("%s: %d answered %s, documented %s" % (where, status, media, sorted(content)))
                continue
            schema = content[media].get("schema")
            if media == "application/json" and schema:
                try:
                    value = json.loads(text)
                except ValueError as e:
                    problems.append("%s: %d body is not JSON (%s)" % (where, status, e))
                    continue
                for err in validator_for(schema).iter_errors(value):
                    problems.append("%s: %d body does not match its schema at %s: %s" % (
                        where, status, "/".join(str(x) for x in err.absolute_path), err.message))
            print("%s -> %d %s" % (where, status, media))
    if n == 0:
        problems.append("no operation was called")
    return problems


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("routes", "calls"):
        sys.exit(__doc__)
    doc = load(sys.argv[2])
    if sys.argv[1] == "routes":
        problems = check_routes(doc, sys.argv[3])
    else:
        problems = check_calls(doc, sys.argv[3], sys.argv[4])
    for p in problems:
        print("PROBLEM: " + p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
