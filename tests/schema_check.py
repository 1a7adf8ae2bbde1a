"""Validates JSON Lines files against docs/wirestate.schema.json.

    python3 tests/schema_check.py SCHEMA FILE...

Every line must be a JSON object valid under the schema; the last line of
each file must be the summary; conn ids (the number of each connection's
first packet) are unique and within the capture's packets, and every
connection of the summary has its record (but with --anomalies-only, where
each record has an anomaly). Lines of other types ("event", "anomaly",
"status", "open") may come between the records.
Exits 77 (skipped) when the jsonschema module is not installed.
"""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("SKIP: python3-jsonschema is not installed")
    sys.exit(77)


def main(argv):
    with open(argv[1]) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    # Per record type too, for a precise message when a record is invalid.
    by_type = {
        t: jsonschema.Draft202012Validator({"$defs": schema["$defs"], "$ref": f"#/$defs/{t}"})
        for t in ("conn", "open", "event", "anomaly_event", "status", "summary")
    }
    def_of = {"anomaly": "anomaly_event"}
    checked = 0
    for path in argv[2:]:
        with open(path) as f:
            lines = f.read().splitlines()
        if not lines:
            sys.exit(f"{path}: empty")
        ids = set()
        for n, line in enumerate(lines, 1):
            obj = json.loads(line)
            if not validator.is_valid(obj):
                t = obj.get("type")
                sub = by_type.get(def_of.get(t, t), validator)
                err = jsonschema.exceptions.best_match(sub.iter_errors(obj))
                where = "/".join(str(p) for p in err.absolute_path) if err else ""
                sys.exit(f"{path}:{n}: {where}: {err.message if err else 'invalid record'}")
            last = n == len(lines)
            if (obj["type"] == "summary") != last:
                sys.exit(f"{path}:{n}: the summary must be the last line, and only there")
            if obj["type"] == "summary":
                if any(i > obj["packets"]["total"] for i in ids):
                    sys.exit(f"{path}:{n}: a conn id beyond the capture's {obj['packets']['total']} packets")
                if "anomalies-only" not in path and len(ids) != obj["connections"]:
                    sys.exit(f"{path}:{n}: {len(ids)} conn records for {obj['connections']} connections")
            if obj["type"] == "conn":
                if obj["id"] in ids:
                    sys.exit(f"{path}:{n}: id {obj['id']} twice")
                ids.add(obj["id"])
                if "anomalies-only" in path and not obj["anomalies"]:
                    sys.exit(f"{path}:{n}: id {obj['id']} without anomalies")
                tl = obj.get("timeline", [])
                if any(b["ts"] < a["ts"] for a, b in zip(tl, tl[1:])):
                    sys.exit(f"{path}:{n}: timeline not in time order")
            checked += 1
    print(f"{checked} records in {len(argv) - 2} files valid")


if __name__ == "__main__":
    main(sys.argv)
