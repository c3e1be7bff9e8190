// Every fixture through the node build's `validate` must give exactly what the native CLI's
// `check --json` prints for the same file: kind, valid, metadata, and every diagnostic with its
// code, severity, message, line, column and path. One CLI run covers all files.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { cliCheckJson, fixtureFiles, loadNodeBuild } from './support.mjs';

const wasm = await loadNodeBuild();
const files = fixtureFiles();
const nativeReports = cliCheckJson(files.map((f) => f.path));
const native = new Map(nativeReports.map((report) => [report.path, report]));

test('the corpus is complete and the CLI reported every file once', () => {
  assert.equal(files.filter((f) => f.group === 'opt14/valid').length, 177);
  assert.equal(files.filter((f) => f.group === 'opt14/invalid').length, 22);
  assert.equal(files.filter((f) => f.group === 'adl2').length, 9);
  assert.deepEqual(
    nativeReports.map((r) => r.path).sort(),
    files.map((f) => f.path).sort(),
  );
});

for (const group of ['opt14/valid', 'opt14/invalid', 'adl2']) {
  describe(group, () => {
    for (const file of files.filter((f) => f.group === group)) {
      test(file.name, () => {
        const { path, ...expected } = native.get(file.path) ?? assert.fail('the CLI did not report this file');
        assert.equal(path, file.path);
        const actual = wasm.validate(readFileSync(file.path));
        assert.deepEqual(actual, expected);
      });
    }
  });
}

test('the fixture verdicts are the expected ones', () => {
  for (const file of files) {
    const report = native.get(file.path);
    if (file.group === 'opt14/valid') assert.equal(report.valid, true, file.name);
    // Unknown (alien) elements are OPT020 warnings by design: ignored, so that file stays valid.
    if (file.name.includes('__alien_tags__')) {
      assert.ok(report.diagnostics.some((d) => d.code === 'OPT020'), file.name);
    } else if (file.group === 'opt14/invalid') {
      assert.equal(report.valid, false, file.name);
    }
    if (file.group === 'adl2') assert.equal(report.kind, 'adl2', file.name);
  }
});

test('a string gives the same report as its UTF-8 bytes', () => {
  for (const file of files) {
    const bytes = readFileSync(file.path);
    const text = bytes.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(bytes)) continue; // not UTF-8: a JS string cannot hold it
    assert.deepEqual(wasm.validate(text), wasm.validate(bytes), file.name);
  }
});
