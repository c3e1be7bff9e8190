// `npx openehr-definitions check` (bin/openehr-definitions.cjs) against the native
// `openehr-defs check`: byte-identical text (without colours) and JSON over the whole fixture
// corpus, the same exit statuses, and the usage errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cliBinary, fixturesDir, pkgDir } from './support.mjs';

const bin = join(pkgDir, 'bin', 'openehr-definitions.cjs');
const native = cliBinary();
const VALID = join(fixturesDir, 'opt14/valid/ehrbase_integration_test__opt__minimal_action.opt');
const INVALID = join(
  fixturesDir,
  'opt14/invalid/ehrbase_integration_test__removed_mandatory_elements__minimal_action_removed_concept.opt',
);

function run(command, args) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
const npx = (...args) => run(process.execPath, [bin, ...args]);
const cli = (...args) => run(native, args);

describe('the same output as the native CLI', () => {
  for (const args of [
    ['check', fixturesDir],
    ['check', '--quiet', fixturesDir],
    ['check', '--json', fixturesDir],
    ['check', VALID],
    ['check', '--json', VALID, INVALID, VALID],
    ['check', join(fixturesDir, 'opt14', 'valid'), join(fixturesDir, 'does-not-exist.opt')],
  ]) {
    test(args.map((a) => a.replace(`${fixturesDir}/`, '').replace(fixturesDir, 'fixtures')).join(' '), () => {
      const expected = cli(...args);
      const actual = npx(...args);
      assert.equal(actual.status, expected.status);
      assert.equal(actual.stdout, expected.stdout);
      assert.equal(actual.stderr, expected.stderr);
    });
  }

  test('the corpus run really covers invalid files, warnings and snippets', () => {
    const { status, stdout } = npx('check', fixturesDir);
    assert.equal(status, 1);
    assert.match(stdout, /^checked \d+ files: \d+ valid, [1-9]\d* invalid \([1-9]\d* errors, \d+ warnings\)$/m);
    assert.match(stdout, /\.aql:\d+:\d+: warning\[AQL020\]: /);
    assert.match(stdout, /: warning\[OPT020\]: /);
    assert.match(stdout, /^\d+ \| .+\n +\| +\^$/m);
  });
});

describe('exit statuses and usage', () => {
  test('0 when every file is valid, 1 when one is invalid', () => {
    assert.equal(npx('check', VALID).status, 0);
    assert.equal(npx('check', VALID, INVALID).status, 1);
  });

  test('2 for a path that cannot be read, with the error on stderr', () => {
    const { status, stdout, stderr } = npx('check', '/nonexistent/x.opt');
    assert.equal(status, 2);
    assert.match(stderr, /^error: cannot read `\/nonexistent\/x\.opt`: /);
    assert.equal(stdout, 'checked 0 files: 0 valid, 0 invalid (0 errors, 0 warnings); 1 path could not be read\n');
  });

  test('2 for wrong arguments', () => {
    for (const args of [[], ['check'], ['lint', VALID], ['check', '--nope', VALID]]) {
      const { status, stdout, stderr } = npx(...args);
      if (args.length === 0) {
        assert.equal(status, 0, 'no arguments prints the help');
        assert.match(stdout, /^Usage: openehr-definitions check/m);
        continue;
      }
      assert.equal(status, 2, args.join(' '));
      assert.match(stderr, /^error: .+\n\nUsage: openehr-definitions check/, args.join(' '));
    }
  });

  test('--help and --version', () => {
    assert.match(npx('--help').stdout, /Exit status: 0 every file is valid, 1 some file is invalid, 2 a path could not be read/);
    assert.match(npx('--version').stdout, /^openehr-definitions \d+\.\d+\.\d+\n$/);
  });
});
