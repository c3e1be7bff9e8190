// A strict TypeScript consumer of the installed package, checked by `tsc --noEmit` with
// moduleResolution bundler, node16 and nodenext (tsconfig.*.json), under TypeScript 5.9 and 7:
// every parameter and result is typed (no `any`), `Report` narrows on `kind`, `code` is the
// union of the known codes, thrown errors have a typed `code`; misuse fails to compile.
import {
  checkAdl2Id,
  checkQueryName,
  checkTemplateId,
  detectKind,
  exampleComposition,
  flatToStructured,
  isDefinitionFileName,
  init,
  isDefinitionsError,
  nextQueryVersion,
  parseAdl2Header,
  parseAql,
  parseOptMetadata,
  resolveVersion,
  structuredToFlat,
  toWebTemplate,
  validate,
  validateAql,
  validateFile,
  validateFlat,
  validateOpt,
  type Adl2Header,
  type Adl2Report,
  type AqlCheck,
  type AqlMetadata,
  type AqlParse,
  type Code,
  type ConversionResult,
  type Diagnostic,
  type ErrorCode,
  type ExampleResult,
  type FlatCheck,
  type HridCheck,
  type Kind,
  type OptMetadata,
  type OptReport,
  type QueryNameCheck,
  type Report,
  type Severity,
  type StringCheck,
  type WebTemplate,
  type WebTemplateResult,
} from 'openehr-definitions';

export async function main(file: ArrayBuffer): Promise<string[]> {
  await init();
  const report: Report = validate(file);
  const out: string[] = [];
  // The discriminant narrows the metadata.
  if (report.kind === 'opt14') {
    const metadata: OptMetadata = report.metadata;
    out.push(metadata.template_id ?? '', ...metadata.archetypes);
  } else if (report.kind === 'adl2') {
    const header: Adl2Header = report.metadata;
    out.push(header.artefact_kind ?? '', header.hrid?.rm_class ?? '');
  } else if (report.kind === 'aql') {
    const aqlMetadata: AqlMetadata = report.metadata;
    out.push(...aqlMetadata.parameters);
  } else {
    const none: null = report.metadata;
    const invalid: false = report.valid;
    out.push(String(none), String(invalid));
  }
  for (const d of report.diagnostics) {
    const code: Code = d.code;
    const severity: Severity = d.severity;
    if (d.code === 'OPT010') out.push(`${d.line}:${d.column} ${severity} ${code} ${d.message} ${d.path}`);
  }
  return out;
}

const bytes: Uint8Array = new TextEncoder().encode('<template/>');
const kind: Kind = validate(bytes).kind;
const fromText: Report = validate('<template/>');
const opt: OptReport = validateOpt(new ArrayBuffer(0));
const authors: Record<string, string> = opt.metadata.original_author;
const quick: OptReport = parseOptMetadata(bytes);
const adl: Adl2Report = parseAdl2Header('archetype (adl_version=2.0.6)');
const artefact: 'archetype' | 'template' | 'template_overlay' | 'operational_template' | null = adl.header.artefact_kind;
const detected: Kind = detectKind('archetype');
const id: StringCheck = checkTemplateId('Vital signs');
const hrid: HridCheck = checkAdl2Id('openEHR-EHR-OBSERVATION.bp.v1.0.0');
const rmClass: string | undefined = hrid.value?.rm_class;
const query: QueryNameCheck = checkQueryName('org.openehr::q');
const resolved: string | null = resolveVersion('1', ['1.0.0']).value;
const next: StringCheck = nextQueryVersion('1', []);
const first: Diagnostic | null = id.diagnostic;

const aql: AqlCheck = validateAql('SELECT e FROM EHR e[ehr_id/value=$ehr_id]');
const parameters: string[] = aql.parameters;
const canonical: string | null = aql.canonical;
const parsed: AqlParse = parseAql('SELECT e FROM EHR e');
const limit: number | null | undefined = parsed.query?.limit;

const flatCheck: FlatCheck = validateFlat(bytes, '{"t/category|code": "433"}');
const flatCodes: Code[] = [...flatCheck.diagnostics, ...flatCheck.template_diagnostics].map((d) => d.code);
const structured: ConversionResult = flatToStructured('{"t/a": 1}');
const structuredText: string | null = structured.composition;
const flatAgain: ConversionResult = structuredToFlat(bytes, structuredText ?? '{}');
const fileReport: Report = validateFile('query.aql', 'SELECT e FROM EHR e');
const walked: boolean = isDefinitionFileName('query.aql');

const built: WebTemplateResult = toWebTemplate(bytes, { defaultLanguage: 'en', languages: ['en'] });
const wt: WebTemplate | null = built.web_template;
const rootId: string | undefined = wt?.tree.id;
// Empty lists and maps are left out of the JSON, so the types say they may be absent.
const max: number | undefined = wt?.tree.children?.[0]?.max;
// A web template built once checks many compositions and builds examples.
const againstWebTemplate: FlatCheck | null = wt && validateFlat(wt, '{"t/category|code": "433"}');
const exampleOfWebTemplate: ExampleResult | null = wt && exampleComposition(wt, 'flat');
const defaults: WebTemplateResult = toWebTemplate(bytes);

try {
  validate(bytes);
} catch (error) {
  if (isDefinitionsError(error)) {
    const code: ErrorCode = error.code;
    const message: string = error.message;
    // @ts-expect-error: the thrown codes are a closed union
    const wrong: typeof code = 'E_OTHER';
    console.log(code, message, wrong);
  }
}

// @ts-expect-error: numbers are not accepted as input
validate(42);
// @ts-expect-error: a query is text, not bytes
validateAql(bytes);
// @ts-expect-error: a FLAT composition needs its OPT
validateFlat('{}');
// @ts-expect-error: the template is an OPT or a web template, not a number
validateFlat(42, '{}');
// @ts-expect-error: languages are a list
toWebTemplate(bytes, { languages: 'en' });
// @ts-expect-error: versions must be strings
resolveVersion('1', [1]);
// @ts-expect-error: not a diagnostic code
const unknownCode: Code = 'OPT999';
// @ts-expect-error: the OPT metadata is not there before narrowing on kind
const unnarrowed: OptMetadata = fromText.metadata;
// @ts-expect-error: an ADL 2 report has no OPT metadata
if (fromText.kind === 'adl2') console.log(fromText.metadata.template_id);
// @ts-expect-error: wasm-bindgen internals are not part of the API
import('openehr-definitions').then((m) => m.initSync);

export const used = [
  kind, authors, quick, artefact, detected, rmClass, query, resolved, next, first, unknownCode, unnarrowed,
  parameters, canonical, limit, rootId, max, defaults, flatCodes, flatAgain, fileReport, walked,
  againstWebTemplate, exampleOfWebTemplate,
];
