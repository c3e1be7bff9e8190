// The package as a user gets it: `npm pack`, installed offline into an empty project, imported
// from Node by name; and the generated .d.ts checked by tsc against test/consumer.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fixturesDir, pkgDir } from './support.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'openehr-definitions-pack-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

test('npm pack ships the three builds and installs offline', () => {
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', scratch], pkgDir));
  const files = packed.files.map((f) => f.path).sort();
  for (const dir of ['web', 'node', 'bundler']) {
    assert.ok(files.includes(`dist/${dir}/openehr_definitions_bg.wasm`), `${dir} wasm in ${files}`);
    assert.ok(files.includes(`dist/${dir}/openehr_definitions.d.ts`), `${dir} types`);
  }
  assert.ok(files.includes('README.md') && files.includes('package.json'));
  assert.ok(!files.some((f) => f.startsWith('test/') || f.startsWith('src/') || f.startsWith('node_modules/')), files);

  const project = join(scratch, 'consumer');
  run('mkdir', ['-p', project]);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(scratch, packed.filename)], project);

  const fixture = join(fixturesDir, 'opt14/valid/ehrbase_integration_test__opt__minimal_action.opt');
  const script = `
    import { readFileSync } from 'node:fs';
    import { validate, checkQueryName } from 'openehr-definitions';
    const report = validate(readFileSync(${JSON.stringify(fixture)}));
    console.log(JSON.stringify([report.kind, report.valid, report.metadata.template_id, checkQueryName('aql').diagnostic.code]));
  `;
  const output = run('node', ['--input-type=module', '-e', script], project);
  assert.deepEqual(JSON.parse(output), ['opt14', true, 'minimal_action.en.v1_{{randomize}}', 'ID007']);
});

test('the generated .d.ts types a TypeScript consumer (tsc --noEmit)', () => {
  run(join(pkgDir, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', join('test', 'tsconfig.json')], pkgDir);
  assert.match(readFileSync(join(pkgDir, 'dist/node/openehr_definitions.d.ts'), 'utf8'), /export function validate\(input: string \| Uint8Array\): Report;/);
});
