// What `npm pack` ships: the three builds, the CLI, LICENSE, CODES.md and package metadata; and
// the generated declarations: `Code` lists every code of the core's table, `Report` is
// discriminated on `kind`, and no wasm-bindgen internal is exposed. (test/setups.test.mjs
// installs the tarball into real projects and type-checks a consumer.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pkgDir, repoDir } from './support.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'openehr-definitions-pack-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const DTS = ['dist/browser/index.d.ts', 'dist/node/openehr_definitions.d.ts', 'dist/web/openehr_definitions.d.ts'];

test('npm pack ships exactly the builds, the CLI, LICENSE and CODES.md', () => {
  const result = spawnSync('npm', ['pack', '--dry-run', '--json'], { cwd: pkgDir, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const [packed] = JSON.parse(result.stdout);
  assert.deepEqual(packed.files.map((f) => f.path).sort(), [
    'CODES.md',
    'LICENSE',
    'README.md',
    'bin/openehr-definitions.cjs',
    'dist/browser/index.d.ts',
    'dist/browser/index.js',
    'dist/browser/openehr_definitions.js',
    'dist/browser/openehr_definitions_wasm.js',
    'dist/node/openehr_definitions.d.ts',
    'dist/node/openehr_definitions.js',
    'dist/node/openehr_definitions_bg.wasm',
    'dist/node/package.json',
    'dist/web/openehr_definitions.d.ts',
    'dist/web/openehr_definitions.js',
    'dist/web/openehr_definitions_bg.wasm',
    'package.json',
  ]);
  const bin = packed.files.find((f) => f.path === 'bin/openehr-definitions.cjs');
  assert.equal(bin.mode & 0o111, 0o111, 'the CLI is executable');
});

test('package.json has the metadata a registry page needs', () => {
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  assert.equal(manifest.license, 'Apache-2.0');
  assert.deepEqual(manifest.bin, { 'openehr-definitions': 'bin/openehr-definitions.cjs' });
  assert.equal(manifest.repository.directory, 'pkg');
  assert.match(manifest.homepage, /^https:\/\//);
  assert.ok(manifest.keywords.includes('openehr'));
  assert.equal(readFileSync(join(pkgDir, 'LICENSE'), 'utf8'), readFileSync(join(repoDir, 'LICENSE'), 'utf8'));
  assert.match(readFileSync(join(pkgDir, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
  assert.match(readFileSync(join(pkgDir, 'README.md'), 'utf8'), /\]\(CODES\.md\)/, 'the README links the shipped code table');
});

test('the Code type lists every code of the table, in order, in every build', () => {
  const codes = [...readFileSync(join(repoDir, 'docs', 'codes.md'), 'utf8').matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
  assert.ok(codes.length >= 37 && codes[0] === 'FMT001', codes);
  assert.ok(readFileSync(join(pkgDir, 'CODES.md'), 'utf8').includes(`| \`${codes.at(-1)}\` |`));
  for (const file of DTS) {
    const dts = readFileSync(join(pkgDir, file), 'utf8');
    const union = dts.match(/^export type Code =\n((?: *\| "\w+"\n?)+);/m) ?? assert.fail(`no Code union in ${file}`);
    assert.deepEqual([...union[1].matchAll(/"(\w+)"/g)].map((m) => m[1]), codes, file);
    assert.match(dts, /^ {4}code: Code;$/m, file);
  }
});

test('the declarations: Report discriminated on kind, typed errors, no wasm-bindgen internals', () => {
  for (const file of DTS) {
    const dts = readFileSync(join(pkgDir, file), 'utf8');
    assert.ok(
      dts.includes(
        'export type Report =\n' +
          '| { kind: "opt14"; valid: boolean; metadata: OptMetadata; diagnostics: Diagnostic[] }\n' +
          '| { kind: "adl2"; valid: boolean; metadata: Adl2Header; diagnostics: Diagnostic[] }\n' +
          '| { kind: "aql"; valid: boolean; metadata: AqlMetadata; diagnostics: Diagnostic[] }\n' +
          '| { kind: "unknown"; valid: false; metadata: null; diagnostics: Diagnostic[] };',
      ),
      file,
    );
    assert.match(dts, /^export function validate\(input: string \| Uint8Array \| ArrayBuffer\): Report;$/m, file);
    assert.match(dts, /^export type ErrorCode = "E_ARG" \| "E_INIT" \| "E_INTERNAL";$/m, file);
    assert.match(dts, /^export function isDefinitionsError\(error: unknown\): error is DefinitionsError;$/m, file);
    assert.doesNotMatch(dts, /InitInput|InitOutput|SyncInitInput|initSync|__wbg|__wbindgen|[:<(,|] *any\b/, file);
    const init = file.includes('/web/')
      ? /^export default function init\(/m
      : /^export function init\(\): Promise<void>;$/m;
    assert.match(dts, init, file);
  }
});
