// validateFlat, flatToStructured and structuredToFlat in Node: every real FLAT and STRUCTURED
// composition of tests/fixtures/flat (MANIFEST.tsv pairs each with its OPT) gives exactly what the
// native CLI gives (`check-flat --json`, `flat-to-structured`, `structured-to-flat`), plus the
// shapes a caller relies on: positions in the JSON text, an unusable OPT's own diagnostics.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cliBinary, fixturesDir, loadNodeBuild } from './support.mjs';

const wasm = await loadNodeBuild();
const flatDir = join(fixturesDir, 'flat');
const native = cliBinary();

/** `{composition, template}` paths of every manifest row, in manifest order. */
const rows = readFileSync(join(flatDir, 'MANIFEST.tsv'), 'utf8')
  .split('\n')
  .slice(1)
  .filter((line) => line.trim() !== '')
  .map((line) => line.split('\t'))
  .map(([composition, template]) => ({ composition, template }));

function cli(...args) {
  const run = spawnSync(native, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  assert.ok(run.status === 0 || run.status === 1, `openehr-defs ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return run;
}

const read = (relative) => readFileSync(join(flatDir, relative));
const where = (d) => [d.code, d.line, d.column, d.path];

describe('validateFlat gives what check-flat --json gives', () => {
  for (const { composition, template } of rows) {
    test(composition, () => {
      const { path, ...expected } = JSON.parse(cli('check-flat', '--json', join(flatDir, template), join(flatDir, composition)).stdout);
      assert.equal(path, join(flatDir, composition));
      assert.deepEqual(wasm.validateFlat(read(template), read(composition)), { ...expected, template_diagnostics: [] });
    });
  }

  test('the corpus really holds valid and invalid compositions', () => {
    const verdicts = rows.map(({ composition, template }) => wasm.validateFlat(read(template), read(composition)).valid);
    assert.ok(verdicts.includes(true) && verdicts.includes(false), JSON.stringify(verdicts));
  });
});

describe('validateFlat', () => {
  const ism = 'templates/test-ism.vitagroup.de.v1.opt';

  test('a wrong ISM state is an error at its value in the JSON text', () => {
    const check = wasm.validateFlat(read(ism), read('flat/ism_wrong_current_state.json'));
    assert.equal(check.valid, false);
    assert.ok(check.diagnostics.some((d) => d.severity === 'error' && d.code.startsWith('FLAT') && d.line > 1), JSON.stringify(check));
  });

  test('malformed JSON is FLAT001 where it breaks', () => {
    const check = wasm.validateFlat(read(ism), '{\n  "a": 1,\n  }');
    assert.deepEqual(check.diagnostics.map(where), [['FLAT001', 3, 3, '']]);
    assert.equal(check.valid, false);
  });

  test('an unusable OPT answers with its own diagnostics, not the composition\'s', () => {
    const check = wasm.validateFlat('<template xmlns="http://schemas.openehr.org/v1"/>', '{}');
    assert.equal(check.valid, false);
    assert.deepEqual(check.diagnostics, []);
    assert.ok(check.template_diagnostics.length > 0);
    assert.ok(check.template_diagnostics.every((d) => d.code.startsWith('OPT') || d.code.startsWith('FMT')), JSON.stringify(check));
  });

  test('wrong argument types throw E_ARG', () => {
    assert.throws(() => wasm.validateFlat(read(ism), 7), (e) => e.code === 'E_ARG' && /`composition` .* got number/.test(e.message));
    assert.throws(() => wasm.validateFlat(undefined, '{}'), (e) => e.code === 'E_ARG' && /`template` .* got undefined/.test(e.message));
  });
});

describe('flatToStructured and structuredToFlat give what the CLI gives', () => {
  for (const { composition, template } of rows.filter((row) => row.composition.startsWith('flat/'))) {
    test(`flat-to-structured ${composition}`, () => {
      const run = cli('flat-to-structured', join(flatDir, template), join(flatDir, composition));
      const result = wasm.flatToStructured(read(composition).toString('utf8'));
      if (run.status === 0) {
        assert.deepEqual(result, { valid: true, composition: run.stdout.trimEnd(), diagnostics: [], template_diagnostics: [] });
      } else {
        assert.equal(result.valid, false);
        assert.equal(result.composition, null);
      }
    });
  }

  for (const { composition, template } of rows.filter((row) => row.composition.startsWith('structured/'))) {
    test(`structured-to-flat ${composition}`, () => {
      const run = cli('structured-to-flat', join(flatDir, template), join(flatDir, composition));
      assert.equal(run.status, 0, run.stderr);
      const result = wasm.structuredToFlat(read(template), read(composition).toString('utf8'));
      assert.deepEqual(result, { valid: true, composition: run.stdout.trimEnd(), diagnostics: [], template_diagnostics: [] });
    });
  }

  test('FLAT → STRUCTURED → FLAT keeps every path and value', () => {
    const template = 'templates/corona_anamnese.opt';
    const flat = JSON.parse(read('flat/corona.json'));
    const structured = wasm.flatToStructured(JSON.stringify(flat));
    assert.equal(structured.valid, true);
    const back = wasm.structuredToFlat(read(template), structured.composition);
    assert.equal(back.valid, true, JSON.stringify(back.diagnostics));
    assert.deepEqual(JSON.parse(back.composition), flat);
  });

  test('text that is not JSON is FLAT001 with its position', () => {
    const result = wasm.flatToStructured('{"a/b": }');
    assert.equal(result.valid, false);
    assert.equal(result.composition, null);
    assert.deepEqual(result.diagnostics.map((d) => d.code), ['FLAT001']);
  });
});

/** Better's reference web templates (JSON after `//` licence lines), by file name. */
const referenceDir = join(fixturesDir, 'web-template', 'better-web-template');
const referenceWebTemplate = (name) =>
  readFileSync(join(referenceDir, 'web-templates', name), 'utf8')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('//'))
    .join('\n');

describe('a web template in place of the OPT (built once, used for many compositions)', () => {
  const built = new Map();
  const webTemplateOf = (template) => {
    if (!built.has(template)) built.set(template, wasm.toWebTemplate(read(template), { defaultLanguage: 'en' }).web_template);
    return built.get(template);
  };

  for (const { composition, template } of rows) {
    test(`validateFlat ${composition}: the web template object and its JSON text answer as the OPT does`, () => {
      const expected = wasm.validateFlat(read(template), read(composition));
      const wt = webTemplateOf(template);
      assert.notEqual(wt, null);
      assert.deepEqual(wasm.validateFlat(wt, read(composition)), expected);
      assert.deepEqual(wasm.validateFlat(JSON.stringify(wt), read(composition)), expected);
    });
  }

  test('structuredToFlat and exampleComposition take the web template too', () => {
    const structured = rows.find((row) => row.composition.startsWith('structured/'));
    const wt = webTemplateOf(structured.template);
    const text = read(structured.composition).toString('utf8');
    assert.deepEqual(wasm.structuredToFlat(wt, text), wasm.structuredToFlat(read(structured.template), text));
    for (const format of ['flat', 'structured', 'canonical', 'xml']) {
      assert.deepEqual(wasm.exampleComposition(wt, format), wasm.exampleComposition(read(structured.template), format), format);
    }
  });

  // Better's reference files come from a builder version that lists no children under some
  // ISM_TRANSITIONs (Colposcopy), so an example filling the careflow step there meets keys that
  // reference does not know (FLAT010); every value still satisfies the reference's inputs.
  test('the examples of every Better OPT satisfy Better\'s own reference web template', () => {
    const names = readdirSync(join(referenceDir, 'web-templates')).filter((name) => name.endsWith('.json'));
    assert.equal(names.length, 20);
    for (const name of names) {
      const opt = readFileSync(join(referenceDir, 'templates', name.replace(/\.json$/, '.xml')));
      const reference = referenceWebTemplate(name);
      const required = wasm.exampleComposition(opt, 'flat', { detail: 'required' });
      assert.deepEqual(wasm.validateFlat(reference, required.example).diagnostics.filter((d) => d.severity === 'error'), [], name);
      const medium = wasm.exampleComposition(opt, 'flat', { detail: 'medium' });
      const errors = wasm.validateFlat(reference, medium.example).diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(errors.filter((d) => d.code !== 'FLAT010'), [], name);
    }
  });

  test('JSON that is not a web template, and other types, throw E_ARG', () => {
    assert.throws(
      () => wasm.validateFlat({ templateId: 'x' }, '{}'),
      (e) => e.code === 'E_ARG' && /^`template` is not a web template: missing field `version`/.test(e.message),
    );
    assert.throws(() => wasm.validateFlat('{"tree": 1}', '{}'), (e) => e.code === 'E_ARG' && /^`template` is not a web template/.test(e.message));
    assert.throws(
      () => wasm.exampleComposition(42),
      (e) => e.code === 'E_ARG' && e.message === '`template` must be an OPT (a string, a Uint8Array or an ArrayBuffer) or a web template object, got number',
    );
    assert.throws(() => wasm.structuredToFlat([], '{}'), (e) => e.code === 'E_ARG' && /`template` must be .* got object/.test(e.message));
  });
});
