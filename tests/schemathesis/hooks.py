"""Schemathesis hooks for the Definitions API (loaded through SCHEMATHESIS_HOOKS by scripts/schemathesis.sh).

Schemathesis generates requests from the official OpenAPI documents; on its own it would send random strings as
templates and queries, which the API rightly refuses with 400. These hooks make the positive cases real:

- ADL 1.4 uploads carry a real OPT from tests/fixtures/opt14/valid under a fresh template_id;
- ADL 2 uploads carry a real ADL 2 template from tests/fixtures/adl2 under a fresh version (the deprecated
  `version` query parameter, when generated, names that same version);
- stored-query PUTs carry real AQL, and every second one a well-formed, fresh qualified_query_name;
- every second GET of one template or query names one that exists (uploaded once before the first request).

Negative cases (schema-violating data) are left as generated. `filter_failure` drops exactly the failures that
docs/spec-deviations.md lists, each tested by its own predicate here; everything else fails the run.
"""

import atexit
import itertools
import pathlib
import re
import threading
import uuid

import requests
import schemathesis
from schemathesis import GenerationMode

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"

# Small real OPTs of different kinds (the largest fixtures would only slow the run down).
OPT_FILES = [
    "ehrbase_integration_test__minimal__minimal_admin.opt",
    "ehrbase_integration_test__minimal__minimal_observation.opt",
    "ehrbase_integration_test__minimal__minimal_instruction.opt",
    "ehrbase_integration_test__time_series__time_series.opt",
    "ehrbase_integration_test__alternative_types__alternative_types.opt",
    "ehrbase_integration_test__all_types__my_spanish_template_v0.opt",
]
ADL2_FILES = [
    "openehr_archie__flattener__openEHR-EHR-COMPOSITION.blood_pressure.v1.0.0.adlt",
    "openehr_archie__flattener__openEHR-EHR-COMPOSITION.blood_pressure_with_synopsis.v1.0.0.adlt",
    "openehr_archie__flattener__openEHR-EHR-COMPOSITION.length.v1.0.0.adlt",
]
AQL = [
    "SELECT c FROM EHR e CONTAINS COMPOSITION c",
    "SELECT e/ehr_id/value, c/uid/value FROM EHR e CONTAINS COMPOSITION c[openEHR-EHR-COMPOSITION.encounter.v1]",
    "SELECT o/data[at0001]/events[at0006]/data[at0003]/items[at0004]/value/magnitude AS systolic "
    "FROM EHR e CONTAINS COMPOSITION c CONTAINS OBSERVATION o[openEHR-EHR-OBSERVATION.blood_pressure.v1] "
    "WHERE o/data[at0001]/events[at0006]/data[at0003]/items[at0004]/value/magnitude >= $systolic_bp",
]

OPTS = [(FIXTURES / "opt14" / "valid" / name).read_text(encoding="utf-8") for name in OPT_FILES]
ADL2S = [(FIXTURES / "adl2" / name).read_text(encoding="utf-8") for name in ADL2_FILES]
HRID = re.compile(r"^(\s*)([A-Za-z][\w-]*-[\w-]+-[\w]+\.[\w-]+)\.v(\d+\.\d+\.\d+)\s*$", re.MULTILINE)

RUN = uuid.uuid4().hex[:8]  # two runs against one server never collide
counter = itertools.count(1)
lock = threading.Lock()
seeded = {}  # what exists on the server: set once, before the first request


def fresh() -> int:
    with lock:
        return next(counter)


def is_positive(case) -> bool:
    meta = case.meta
    return meta is not None and meta.generation.mode == GenerationMode.POSITIVE


def opt_with_template_id(xml: str, template_id: str) -> str:
    escaped = template_id.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(
        r"(<template_id>\s*<value>)[^<]*(</value>)", lambda m: m.group(1) + escaped + m.group(2), xml, count=1
    )


def adl2_with_version(text: str, version: str) -> tuple[str, str]:
    """The template with its HRID's version replaced; returns (text, id without version)."""
    match = HRID.search(text)
    if match is None:
        raise ValueError("ADL 2 fixture without an HRID line")
    start, end = match.span(3)
    return text[:start] + version + text[end:], match.group(2)


def seed(base_url: str) -> None:
    """Uploads one template of each kind and one query, so that GETs can name existing ones."""
    with lock:
        if seeded:
            return
        template_id = f"schemathesis seed {RUN}"
        body = opt_with_template_id(OPTS[0], template_id).encode()
        r = requests.post(f"{base_url}/definition/template/adl1.4", data=body,
                          headers={"Content-Type": "application/xml"}, timeout=30)
        assert r.status_code == 201, (r.status_code, r.text)
        text, adl2_id = adl2_with_version(ADL2S[0], f"1.0.{int(RUN, 16)}")
        r = requests.post(f"{base_url}/definition/template/adl2", data=text.encode(),
                          headers={"Content-Type": "text/plain"}, timeout=30)
        assert r.status_code == 201, (r.status_code, r.text)
        query = f"org.schemathesis.seed::q{RUN}"
        r = requests.put(f"{base_url}/definition/query/{query}/1.0.0", data=AQL[0].encode(),
                         headers={"Content-Type": "text/plain"}, timeout=30)
        assert r.status_code == 200, (r.status_code, r.text)
        seeded.update(opt=template_id, adl2=adl2_id, adl2_version=f"1.0.{int(RUN, 16)}", query=query)


@schemathesis.hook
def before_call(context, case, kwargs):
    seed((case.operation.base_url or case.operation.schema.get_base_url()).rstrip("/"))
    if not is_positive(case):
        return
    path, method = case.path, case.method.upper()
    if case.headers is None:
        case.headers = {}
    n = fresh()
    if method == "POST" and path == "/definition/template/adl1.4":
        # Bytes: a string would be serialized as XML (`<data>&lt;template…`).
        case.body = opt_with_template_id(OPTS[n % len(OPTS)], f"schemathesis {RUN} {n}").encode()
        case.headers["Content-Type"] = "application/xml"
    elif method == "POST" and path == "/definition/template/adl2":
        version = f"{n}.0.0"
        case.body, _ = adl2_with_version(ADL2S[n % len(ADL2S)], version)
        case.headers["Content-Type"] = "text/plain"
        if "version" in (case.query or {}):
            case.query["version"] = version
    elif method == "PUT" and path.startswith("/definition/query/"):
        case.body = AQL[n % len(AQL)]
        case.headers["Content-Type"] = "text/plain"
        if n % 2 == 0:
            case.path_parameters["qualified_query_name"] = f"org.schemathesis::q{RUN}.{n}"
            if "version" in case.path_parameters:
                case.path_parameters["version"] = f"1.0.{n}"
    elif method == "GET" and n % 2 == 0 and seeded:
        params = case.path_parameters
        if path.startswith("/definition/template/adl1.4/"):
            params["template_id"] = seeded["opt"]
        elif path.startswith("/definition/template/adl2/"):
            params["template_id"] = seeded["adl2"]
            if "version" in params:
                params["version"] = seeded["adl2_version"]
        elif path.startswith("/definition/query/"):
            params["qualified_query_name"] = seeded["query"]
            if "version" in params:
                params["version"] = "1.0.0"


# ---------------------------------------------------------------- the deviations of docs/spec-deviations.md

def header(headers, name: str):
    """A header's first value from a requests or a schemathesis header mapping (lists of values), or None."""
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value[0] if isinstance(value, list) else value
    return None


def essence(media_type) -> str:
    return (media_type or "").split(";")[0].strip().lower()


def produces(path: str) -> list[str]:
    """What a GET of this operation answers with (api/src/router.rs `Route::produces`)."""
    if path == "/definition/template/adl1.4/{template_id}":
        # The OPT, or its web template (as application/openehr.wt+json, or the same JSON as application/json).
        return ["application/xml", "text/xml", "application/openehr.wt+json", "application/json"]
    if path == "/definition/template/adl1.4/{template_id}/example":
        return EXAMPLE_TYPES
    if path.startswith("/definition/template/adl2/{template_id}"):
        return ["text/plain"]
    return ["application/json"]


# What the ADL 1.4 example GET answers with (api/src/example.rs `REPRESENTATIONS`), by Accept.
EXAMPLE_TYPES = [
    "application/json",
    "application/xml",
    "application/openehr.wt.flat+json",
    "application/openehr.wt.structured+json",
]


def consumes(path: str) -> list[str]:
    """What a write of this operation reads (api/src/router.rs `Route::consumes`)."""
    if path == "/definition/template/adl1.4":
        return ["application/xml", "text/xml"]
    if path == "/definition/template/adl2":
        return ["text/plain"]
    return ["text/plain", "application/json"]


def accepts(accept, offered: list[str]) -> bool:
    """api/src/negotiate.rs `accepts`: no Accept, or a range with q > 0 matching an offered type."""
    if accept is None:
        return True
    for media_range in accept.split(","):
        media, *params = [p.strip() for p in media_range.split(";")]
        media = media.lower()
        if any(p.lower().startswith("q=") and p[2:].strip() in ("0", "0.0", "0.00", "0.000") for p in params):
            continue
        for o in offered:
            if media in ("*/*", o) or (media.endswith("/*") and media[:-2] == o.split("/")[0]):
                return True
    return False


def diagnostic_codes(response) -> list[str]:
    try:
        return [d["code"] for d in response.json()["diagnostics"]]
    except Exception:
        return []


def web_template_top_level_holds(response) -> bool:
    """The spec's WebTemplate schema at its top level: templateId, version, defaultLanguage (strings),
    languages (strings), tree (an object)."""
    try:
        wt = response.json()
    except Exception:
        return False
    strings = all(isinstance(wt.get(k), str) for k in ("templateId", "version", "defaultLanguage"))
    languages = isinstance(wt.get("languages"), list) and all(isinstance(l, str) for l in wt["languages"])
    return strings and languages and isinstance(wt.get("tree"), dict)


def canonical_composition_top_level_holds(response) -> bool:
    """A canonical RM COMPOSITION at its top level: `_type`, the mandatory RM attributes (name,
    archetype_node_id, archetype_details with a template_id, language, territory, category, composer)."""
    try:
        composition = response.json()
    except Exception:
        return False
    if not isinstance(composition, dict) or composition.get("_type") != "COMPOSITION":
        return False
    mandatory = ("name", "archetype_node_id", "archetype_details", "language", "territory", "category", "composer")
    if not all(key in composition for key in mandatory):
        return False
    details = composition["archetype_details"]
    return isinstance(details, dict) and isinstance(details.get("template_id"), dict)


def deviation(failure, case, response):
    """The name of the documented deviation this failure is, or None."""
    request = response.request.headers
    status = response.status_code
    if failure.code == "ST103" and status == 406 and case.method.upper() == "GET":
        if not accepts(header(request, "Accept"), produces(case.path)):
            return "406 for an Accept that excludes every representation served"
    if failure.code == "ST103" and status == 415 and case.method.upper() in ("POST", "PUT"):
        if essence(header(request, "Content-Type")) not in consumes(case.path):
            return "415 for a body in a media type the route does not read"
    if failure.code == "ST103" and status == 400 and case.method.upper() == "GET":
        codes = diagnostic_codes(response)
        if codes and all(c.startswith(("ID", "VER")) for c in codes):
            return "400 for a malformed name, template_id or version pattern"
    if failure.code == "ST108" and getattr(failure, "instance", None) is not None:
        value = failure.instance
        if isinstance(value, str) and value.lower().startswith("text/plain;") and essence(value) == "text/plain":
            if essence(header(response.headers, "Content-Type")) == "text/plain":
                return "text/plain with charset=utf-8"
    if failure.code == "ST104" and status == 201 and not response.content:
        return "201 without a body (return=minimal) has no Content-Type"
    if failure.code == "ST105" and status == 200 and case.method.upper() == "GET":
        if case.path == "/definition/template/adl1.4/{template_id}" and essence(
            header(response.headers, "Content-Type")
        ) == "application/json" and accepts(header(request, "Accept"), ["application/json"]):
            return "the web template as application/json for Accept: application/json"
    if failure.code == "ST105" and status == 200 and case.method.upper() == "GET":
        media = essence(header(response.headers, "Content-Type"))
        if case.path == "/definition/template/adl1.4/{template_id}/example" and media in EXAMPLE_TYPES[1:] and accepts(
            header(request, "Accept"), [media]
        ):
            return "the example in the format Accept asks for"
    if failure.code == "ST108" and status == 200 and case.method.upper() == "GET":
        media = essence(header(response.headers, "Content-Type"))
        if case.path == "/definition/template/adl1.4/{template_id}" and media in (
            "application/openehr.wt+json",
            "application/json",
        ) and web_template_top_level_holds(response):
            return "web template nodes in Better's format, not the example-derived Tree schema"
    if failure.code == "ST108" and status == 200 and case.method.upper() == "GET":
        if case.path == "/definition/template/adl1.4/{template_id}/example" and essence(
            header(response.headers, "Content-Type")
        ) == "application/json" and canonical_composition_top_level_holds(response):
            return "canonical RM JSON, not master's stricter Composition schema"
    if failure.code == "ST105" and status == 201:
        prefer = (header(request, "Prefer") or "").lower()
        if "return=identifier" in prefer and essence(header(response.headers, "Content-Type")) == "application/json":
            return "return=identifier answers a JSON identifier"
    return None


dropped = {}


@schemathesis.hook
def filter_failure(context, failure, case, response):
    name = deviation(failure, case, response)
    if name is None:
        return True
    with lock:
        dropped[name] = dropped.get(name, 0) + 1
    return False


@atexit.register
def report_dropped():
    for name, count in sorted(dropped.items()):
        print(f"deviation (docs/spec-deviations.md): {name}: {count} failure(s) dropped")
