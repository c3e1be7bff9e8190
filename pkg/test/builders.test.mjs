// The builders of the node build against the reference outputs: every Better web template pair
// LENIENT-equal (every expected field present and equal, extra fields allowed, arrays equal as
// multisets), example compositions in each format, and AQL checks with exact codes and positions.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fixturesDir, loadNodeBuild } from './support.mjs';

const wasm = await loadNodeBuild();
const better = join(fixturesDir, 'web-template', 'better-web-template');
const MINIMAL = readFileSync(join(fixturesDir, 'opt14/valid/ehrbase_integration_test__opt__minimal_action.opt'));
const INVALID = readFileSync(
  join(fixturesDir, 'opt14/invalid/ehrbase_integration_test__removed_mandatory_elements__minimal_action_removed_concept.opt'),
);

/** Better's reference JSON starts with `//` licence lines. */
const readReference = (file) =>
  JSON.parse(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((line, i, lines) => !lines.slice(0, i + 1).every((l) => l.trimStart().startsWith('//')))
      .join('\n'),
  );

/** The first path where `actual` does not LENIENT-match `expected`, or null. */
function lenientDiff(expected, actual, path = '$') {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return `${path}: array length`;
    const unused = [...actual];
    for (const [i, item] of expected.entries()) {
      const at = unused.findIndex((candidate) => lenientDiff(item, candidate) === null);
      if (at < 0) return `${path}[${i}] (${JSON.stringify(item.id ?? item.suffix ?? item.value ?? item).slice(0, 80)})`;
      unused.splice(at, 1);
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return `${path}: not an object`;
    for (const [key, value] of Object.entries(expected)) {
      if (!(key in actual)) return `${path}.${key}: missing`;
      const diff = lenientDiff(value, actual[key], `${path}.${key}`);
      if (diff) return diff;
    }
    return null;
  }
  return Object.is(expected, actual) || expected === actual ? null : `${path}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`;
}

describe('toWebTemplate against Better\'s reference builder', () => {
  for (const file of readdirSync(join(better, 'templates')).sort()) {
    const name = file.replace(/\.xml$/, '');
    test(name, () => {
      const result = wasm.toWebTemplate(readFileSync(join(better, 'templates', file)), {
        defaultLanguage: 'en',
        languages: ['en'],
      });
      assert.equal(result.valid, true);
      assert.deepEqual(result.diagnostics, []);
      const expected = readReference(join(better, 'web-templates', `${name}.json`));
      assert.equal(lenientDiff(expected, result.web_template), null);
    });
  }
});

describe('toWebTemplate', () => {
  test('an invalid OPT: no web template, the validator\'s diagnostics', () => {
    const result = wasm.toWebTemplate(INVALID);
    assert.equal(result.valid, false);
    assert.equal(result.web_template, null);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.code, d.line, d.column, d.path]),
      [['OPT010', 3, 1, '/template']],
    );
  });

  test('options default to the template\'s language', () => {
    const result = wasm.toWebTemplate(MINIMAL);
    assert.equal(result.web_template.defaultLanguage, 'en');
    assert.equal(result.web_template.version, '2.3');
    assert.equal(result.web_template.templateId, 'minimal_action.en.v1_{{randomize}}');
  });

  test('an unknown option or a wrong option type throws E_ARG', () => {
    for (const options of [{ language: 'en' }, { languages: 'en' }, 'en']) {
      assert.throws(() => wasm.toWebTemplate(MINIMAL, options), (error) => error.code === 'E_ARG');
    }
  });
});

describe('exampleComposition', () => {
  test('FLAT by default: JSON whose keys start at the template tree\'s id', () => {
    const result = wasm.exampleComposition(MINIMAL);
    assert.equal(result.valid, true);
    assert.equal(result.media_type, 'application/openehr.wt.flat+json');
    const flat = JSON.parse(result.example);
    const root = wasm.toWebTemplate(MINIMAL).web_template.tree.id;
    assert.ok(Object.keys(flat).length > 0);
    for (const key of Object.keys(flat)) assert.ok(key.startsWith(`${root}/`) || key.startsWith('ctx/'), key);
  });

  test('each format has its media type, and XML is a composition document', () => {
    const types = {
      flat: 'application/openehr.wt.flat+json',
      structured: 'application/openehr.wt.structured+json',
      canonical: 'application/json',
      xml: 'application/xml',
    };
    for (const [format, mediaType] of Object.entries(types)) {
      const result = wasm.exampleComposition(MINIMAL, format, { detail: 'complete' });
      assert.equal(result.media_type, mediaType, format);
      if (format === 'xml') assert.match(result.example, /<composition\b/);
      else assert.equal(typeof JSON.parse(result.example), 'object', format);
    }
    assert.equal(JSON.parse(wasm.exampleComposition(MINIMAL, 'canonical').example)._type, 'COMPOSITION');
  });

  test('the same input gives the same bytes', () => {
    const a = wasm.exampleComposition(MINIMAL, 'flat', { kind: 'output', detail: 'medium' });
    const b = wasm.exampleComposition(MINIMAL, 'flat', { kind: 'output', detail: 'medium' });
    assert.equal(a.example, b.example);
  });

  test('an invalid OPT gives diagnostics; an unknown format throws E_ARG', () => {
    const result = wasm.exampleComposition(INVALID);
    assert.equal(result.valid, false);
    assert.equal(result.example, null);
    assert.equal(result.diagnostics[0].code, 'OPT010');
    assert.throws(() => wasm.exampleComposition(MINIMAL, 'csv'), (error) => error.code === 'E_ARG');
  });
});

describe('AQL', () => {
  test('validateAql lists the parameters and the canonical form', () => {
    const result = wasm.validateAql("select e/ehr_id/value from EHR e where e/ehr_id/value = $ehr_id");
    assert.equal(result.valid, true);
    assert.deepEqual(result.parameters, ['ehr_id']);
    assert.deepEqual(result.diagnostics, []);
    assert.equal(typeof result.canonical, 'string');
    assert.equal(wasm.validateAql(result.canonical).canonical, result.canonical);
  });

  test('a query without FROM: AQL006 at the end of the SELECT list', () => {
    const result = wasm.validateAql('SELECT e/ehr_id/value');
    assert.equal(result.valid, false);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.code, d.line, d.column, d.path]),
      [['AQL006', 1, 22, '/select']],
    );
  });

  test('parseAql gives the syntax tree', () => {
    const result = wasm.parseAql('SELECT c FROM COMPOSITION c LIMIT 10');
    assert.equal(result.valid, true);
    assert.equal(result.query.limit, 10);
  });
});
