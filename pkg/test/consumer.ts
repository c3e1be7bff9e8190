// A TypeScript consumer of the package, type-checked by `tsc --noEmit -p test/tsconfig.json`:
// proves the generated .d.ts types every parameter and result (no `any`).
import {
  checkAdl2Id,
  checkQueryName,
  checkTemplateId,
  detectKind,
  nextQueryVersion,
  parseAdl2Header,
  parseAql,
  parseOptMetadata,
  resolveVersion,
  validate,
  validateAql,
  validateOpt,
  type Adl2Report,
  type AqlCheck,
  type AqlParse,
  type AqlQuery,
  type Diagnostic,
  type HridCheck,
  type Kind,
  type OptReport,
  type QueryNameCheck,
  type Report,
  type StringCheck,
} from 'openehr-definitions';

const bytes: Uint8Array = new TextEncoder().encode('<template/>');
const report: Report = validate(bytes);
const kind: Kind = report.kind;
const valid: boolean = report.valid;
const first: Diagnostic | undefined = report.diagnostics[0];
const position: string = first ? `${first.line}:${first.column} ${first.code} ${first.severity}` : '';
const templateId: string | null | undefined =
  report.metadata && 'template_id' in report.metadata ? report.metadata.template_id : undefined;

const opt: OptReport = validateOpt('<template/>');
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

const aql: AqlCheck = validateAql('SELECT e FROM EHR e[ehr_id/value=$ehr_id]');
const parameters: string[] = aql.parameters;
const canonical: string | null = aql.canonical;
const parsed: AqlParse = parseAql('SELECT e FROM EHR e');
const tree: AqlQuery | null = parsed.query;
const limit: number | null | undefined = tree?.limit;
const firstClass: string | undefined = tree && 'class' in tree.from ? tree.from.class.class.class : undefined;

// @ts-expect-error: numbers are not accepted as input
validate(42);
// @ts-expect-error: a query is text, not bytes
validateAql(bytes);
// @ts-expect-error: versions must be strings
resolveVersion('1', [1]);

export const used = [
  kind, valid, position, templateId, authors, quick, artefact, detected, id, rmClass, query, resolved, next,
  parameters, canonical, limit, firstClass,
];
