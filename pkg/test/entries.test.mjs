// The generated entry points (build-dist.mjs) against each other: the browser entry exports the
// same API as the Node build (wrappers are generated from the glue, so a new function in
// src/lib.rs appears everywhere), gives the same results, instantiates synchronously on a call
// before init(), and throws a typed E_INIT error where synchronous compilation is refused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { fixturesDir, loadNodeBuild, pkgDir } from './support.mjs';

const browserEntry = pathToFileURL(join(pkgDir, 'dist', 'browser', 'index.js')).href;
const MINIMAL = join(fixturesDir, 'opt14/valid/ehrbase_integration_test__opt__minimal_action.opt');

test('the browser entry exports exactly the API of the Node build', async () => {
  const node = await loadNodeBuild();
  const browser = await import(browserEntry);
  const api = (module) => Object.keys(module).filter((name) => name !== 'default').sort();
  assert.deepEqual(api(browser), api(node));
  assert.ok(api(browser).includes('init') && api(browser).includes('validate'), api(browser));
  assert.ok(!api(browser).includes('initSync'));
});

test('the browser entry gives the same reports, before and after init()', async () => {
  const node = await loadNodeBuild();
  const browser = await import(browserEntry);
  const bytes = readFileSync(MINIMAL);
  assert.deepEqual(browser.validate(bytes), node.validate(bytes)); // before init: synchronous instantiation
  assert.equal(await browser.init(), undefined);
  assert.equal(browser.init(), browser.init(), 'one promise');
  assert.deepEqual(browser.validate(bytes.toString('utf8')), node.validate(bytes));
  assert.throws(() => browser.validate(1), (error) => error.code === 'E_ARG' && browser.isDefinitionsError(error));
});

test('where synchronous compilation is refused, a call before init() throws E_INIT, and init() then works', () => {
  const script = `
    WebAssembly.Module = function Module() { throw new RangeError('WebAssembly.Module(): Buffer size exceeds the limit'); };
    const m = await import(${JSON.stringify(browserEntry)});
    let error;
    try { m.checkQueryName('aql'); } catch (e) { error = e; }
    const before = [error.code, error.message, error.cause.message, m.isDefinitionsError(error)];
    await m.init();
    console.log(JSON.stringify([before, m.checkQueryName('aql').diagnostic.code]));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), [
    [
      'E_INIT',
      'openehr-definitions: `await init()` once before calling a function (this engine cannot compile WebAssembly synchronously here)',
      'WebAssembly.Module(): Buffer size exceeds the limit',
      true,
    ],
    'ID007',
  ]);
});
