#!/bin/sh
# Seeds fuzz/corpus/<target>/ from the test fixtures (run from anywhere; idempotent).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../tests/fixtures"
mkdir -p "$here/corpus/opt" "$here/corpus/adl2" "$here/corpus/ident" "$here/corpus/web_template" "$here/corpus/aql" "$here/corpus/flat"
cp "$fixtures"/opt14/valid/* "$fixtures"/opt14/invalid/* "$here/corpus/opt/"
cp "$fixtures"/adl2/* "$here/corpus/adl2/"
# The web template builder: the smaller valid OPTs (large ones slow every libFuzzer iteration).
find "$fixtures/opt14/valid" -name '*.opt' -size -64k -exec cp {} "$here/corpus/web_template/" \;
cp "$fixtures"/adl2/* "$here/corpus/opt/"
cp "$fixtures"/aql/valid/* "$here/corpus/aql/"
# FLAT validation: the compositions of the two templates the target validates against, and the
# STRUCTURED ones (their keys do not match those templates: they exercise the conversions).
cp "$fixtures"/flat/flat/duration_validation.json "$fixtures"/flat/flat/ism_*.json "$fixtures"/flat/structured/*.json \
  "$here/corpus/flat/"
# A web template as JSON, then after a NUL byte a composition: the smaller reference web templates,
# each with a FLAT composition.
mkdir -p "$here/corpus/web_template_json"
find "$fixtures/web-template" -name '*.json' -size -32k | while read -r wt; do
  name=$(basename "$wt" .json | tr -c 'A-Za-z0-9_\n-' '_')
  { cat "$wt"; printf '\000'; cat "$fixtures/flat/flat/duration_validation.json"; } >"$here/corpus/web_template_json/$name"
done
n=0
for id in "openEHR-EHR-OBSERVATION.blood_pressure.v1" "openEHR-EHR-CLUSTER.device-ventilator.v0" \
    "org.openehr::openEHR-EHR-OBSERVATION.ovl-bp-001.v1.0.0-rc.2" "openEHR-EHR-COMPOSITION.report-result.v1" \
    "Stationärer Versorgungsfall" "IDCR - Adverse Reaction List.v1" "minimal_action.en.v1_{{randomize}}" \
    "org.openehr::my_compositions" "ehr::all_influenza_vacc_candidates" "aql" \
    "1" "1.0" "1.0.1-beta.2+build.5" "1,1.0.0,1.2.0,2.0.0-rc.1" "1.2,1.2.3,1.2.4" ",3.0.0,1.0.0"; do
  n=$((n + 1))
  printf '%s' "$id" > "$here/corpus/ident/seed-$n"
done
