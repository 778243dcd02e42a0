#!/usr/bin/env python3
"""Reads a /metrics page with the Prometheus client's own text-format parser and prints every
sample as one JSON object per line: {"name": ..., "labels": {...}, "value": ...}. Exits 1 when
the page does not parse."""
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

text = urllib.request.urlopen(sys.argv[1], timeout=10).read().decode("utf-8")
try:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            print(json.dumps({"name": sample.name, "labels": sample.labels, "value": sample.value, "type": family.type}))
except Exception as error:  # the parser raises ValueError and friends on bad text
    print(f"does not parse: {error}", file=sys.stderr)
    sys.exit(1)
