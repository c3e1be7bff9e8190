// The package as a web developer gets it, in every setup the README promises, with zero
// configuration: `npm pack`, installed into the fixture projects under pkg/setups/ (their tools
// come from setups/package-lock.json, installed by scripts/setup.sh or here), then
// - Node ESM and CommonJS import it and validate with no init call, in the machine's Node and in
//   Node 18, Node 22 and Deno (binaries from the npm registry, installed into setups/runtimes/);
// - `npx openehr-definitions check` runs from the installed package;
// - tsc (TypeScript 5.9 and 7; moduleResolution bundler, node16, nodenext) checks a strict consumer;
// - Vite (dev server and build), webpack 5.113 and 5.90, Rollup, esbuild and a plain page
//   without a bundler load it in headless Chromium, where one valid and one invalid real OPT
//   are validated after `await init()`.
// The bundlers get no configuration beyond where to read and write; Rollup gets its standard
// node-resolve plugin, without which it resolves no package at all.
// The projects sit beside test/, not in it, because `node --test pkg/test/` (Node 20) runs every
// .js file below a `test/` directory as a test file (only node_modules is skipped).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { fixturesDir, pkgDir } from './support.mjs';

const setupsDir = join(pkgDir, 'setups');
const VALID = join(fixturesDir, 'opt14/valid/ehrbase_integration_test__opt__minimal_action.opt');
const INVALID = join(
  fixturesDir,
  'opt14/invalid/ehrbase_integration_test__removed_mandatory_elements__minimal_action_removed_concept.opt',
);
/** What shared/check.js reports for the two files in every browser setup. */
const EXPECTED = {
  valid: { kind: 'opt14', valid: true, template_id: 'minimal_action.en.v1_{{randomize}}', errors: [] },
  invalid: { kind: 'opt14', valid: false, template_id: 'minimal_action_rm_concept.en.v1', errors: ['OPT010 3:1 /template'] },
};
/** What node-esm/main.mjs and node-cjs/main.cjs print. */
const EXPECTED_NODE = ['opt14', true, 'minimal_action.en.v1_{{randomize}}', false, ['OPT010']];
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: setupsDir, ...options });
  const status = options.status ?? 0;
  assert.equal(result.status, status, `${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

const scratch = mkdtempSync(join(tmpdir(), 'openehr-definitions-setups-'));
let browser;
let tools;

before(async () => {
  // The tools: skipped when node_modules is newer than the lock (scripts/setup.sh does the same).
  const hidden = join(setupsDir, 'node_modules', '.package-lock.json');
  if (!existsSync(hidden) || statSync(hidden).mtimeMs < statSync(join(setupsDir, 'package-lock.json')).mtimeMs) {
    run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']);
  }
  // The package, exactly as published: packed, then installed from the tarball (offline: it has no dependencies).
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: pkgDir }));
  run('npm', ['install', '--no-save', '--offline', '--no-audit', '--no-fund', '--loglevel=error', join(scratch, packed.filename)]);
  // The other runtimes, in a project of their own so that their `node` never shadows the machine's.
  const runtimes = join(setupsDir, 'runtimes');
  const runtimesLock = join(runtimes, 'node_modules', '.package-lock.json');
  if (!existsSync(runtimesLock) || statSync(runtimesLock).mtimeMs < statSync(join(runtimes, 'package-lock.json')).mtimeMs) {
    run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: runtimes });
  }
  tools = await import(join(setupsDir, 'tools.mjs'));
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_FLAGS });
});

after(async () => {
  await browser?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('Node (no init call)', () => {
  test('ESM import', () => {
    assert.deepEqual(JSON.parse(run('node', ['node-esm/main.mjs', VALID, INVALID])), EXPECTED_NODE);
  });

  test('CommonJS require', () => {
    assert.deepEqual(JSON.parse(run('node', ['node-cjs/main.cjs', VALID, INVALID])), EXPECTED_NODE);
  });

  test('npx openehr-definitions check', () => {
    const out = run('npx', ['--no-install', 'openehr-definitions', 'check', '--quiet', VALID, INVALID], {
      status: 1,
      env: { ...process.env, NO_COLOR: '1' },
    });
    assert.equal(
      out,
      `${INVALID}:3:1: error[OPT010]: \`template\` is missing its required \`concept\` element (at /template)\n` +
        'checked 2 files: 1 valid, 1 invalid (1 error, 0 warnings)\n',
    );
    run('npx', ['--no-install', 'openehr-definitions', 'check', VALID]);
  });
});

/**
 * The other runtimes a package user may have, as binaries from the npm registry (setups/runtimes/).
 * Their packages are optional dependencies: on a platform without a binary the case is skipped.
 */
const RUNTIMES = {
  'Node 18': { bin: join(setupsDir, 'runtimes', 'node_modules', 'node-18', 'bin', 'node'), args: [] },
  'Node 22': { bin: join(setupsDir, 'runtimes', 'node_modules', 'node-22', 'bin', 'node'), args: [] },
  // Deno resolves `openehr-definitions` from setups/node_modules because setups/ has a package.json.
  Deno: { bin: join(setupsDir, 'runtimes', 'node_modules', '.bin', 'deno'), args: ['run', '--quiet', '--allow-read', '--allow-env'] },
};

describe('other runtimes (no init call)', () => {
  for (const [runtime, { bin, args }] of Object.entries(RUNTIMES)) {
    for (const [flavour, main] of [['ESM import', 'node-esm/main.mjs'], ['CommonJS require', 'node-cjs/main.cjs']]) {
      test(`${runtime}, ${flavour}`, (t) => {
        if (!existsSync(bin)) {
          t.skip(`${runtime} has no binary for this platform in the npm registry`);
          return;
        }
        const env = { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' };
        assert.deepEqual(JSON.parse(run(bin, [...args, main, VALID, INVALID], { env })), EXPECTED_NODE);
      });
    }
  }
});

describe('TypeScript (strict consumer, tsc --noEmit)', () => {
  const compilers = {
    'TypeScript 5.9': join(pkgDir, 'node_modules', 'typescript', 'bin', 'tsc'),
    'TypeScript 7': join(setupsDir, 'node_modules', '.bin', 'tsc'),
  };
  for (const [compiler, tsc] of Object.entries(compilers)) {
    for (const resolution of ['bundler', 'node16', 'nodenext']) {
      test(`${compiler}, moduleResolution ${resolution}`, () => {
        run(tsc, ['--noEmit', '-p', join('typescript', `tsconfig.${resolution}.json`)]);
      });
    }
  }
});

/** A static server for `dir`: any path ending in valid.opt or invalid.opt is the fixture. */
async function serve(dir, pages = {}) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    if (pages[path]) {
      response.writeHead(200, { 'content-type': 'text/html' }).end(pages[path]);
      return;
    }
    const asked = path.endsWith('/') ? `${path}index.html` : path;
    const file = asked.endsWith('/invalid.opt') ? INVALID : asked.endsWith('/valid.opt') ? VALID : join(dir, normalize(asked));
    if (!file.startsWith(dir) && file !== VALID && file !== INVALID) {
      response.writeHead(403).end();
      return;
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

/**
 * Opens `url` in Chromium and returns what the page published as `window.setupResult`, failing on
 * page errors; `loaded` collects the URLs of every response.
 */
async function resultOf(url, loaded = []) {
  const page = await browser.newPage();
  const problems = [];
  page.on('response', (response) => loaded.push(response.url()));
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && problems.push(`console: ${message.text()}`));
  page.on('response', (response) => response.status() >= 400 && problems.push(`HTTP ${response.status()} ${response.url()}`));
  try {
    await page.goto(url);
    await page.waitForFunction(() => window.setupResult !== undefined, null, { timeout: 30_000 });
    const result = await page.evaluate(() => window.setupResult);
    assert.deepEqual(problems, []);
    return result;
  } finally {
    await page.close();
  }
}

const SCRIPT_PAGE = '<!doctype html><link rel="icon" href="data:,"><script src="/main.js"></script>';
const MODULE_PAGE = '<!doctype html><link rel="icon" href="data:,"><script type="module" src="/main.js"></script>';

describe('browsers and bundlers (Chromium, no configuration)', () => {
  test('Vite dev server (dependency pre-bundling on)', async () => {
    const root = join(setupsDir, 'vite');
    mkdirSync(join(root, 'public'), { recursive: true });
    copyFileSync(VALID, join(root, 'public', 'valid.opt'));
    copyFileSync(INVALID, join(root, 'public', 'invalid.opt'));
    const server = await tools.viteServer({ root, configFile: false, logLevel: 'error', server: { port: 0, host: '127.0.0.1' } });
    await server.listen();
    try {
      const loaded = [];
      assert.deepEqual(await resultOf(server.resolvedUrls.local[0], loaded), EXPECTED);
      // The package really went through Vite's dependency optimizer (the case that used to break).
      assert.ok(loaded.some((url) => url.includes('/node_modules/.vite/deps/openehr-definitions.js')), loaded.join('\n'));
    } finally {
      await server.close();
    }
  });

  test('Vite build', async () => {
    const root = join(setupsDir, 'vite');
    await tools.viteBuild({ root, configFile: false, logLevel: 'error' });
    const server = await serve(join(root, 'dist'));
    try {
      assert.deepEqual(await resultOf(`${server.url}/`), EXPECTED);
    } finally {
      await server.close();
    }
  });

  for (const [label, key] of [
    ['webpack 5.113', 'webpack'],
    ['webpack 5.90', 'webpack590'],
  ]) {
    test(label, async () => {
      const outDir = join(setupsDir, 'webpack', 'dist', key);
      const stats = await new Promise((resolve, reject) =>
        tools[key]({ context: join(setupsDir, 'webpack'), mode: 'production', output: { path: outDir } }, (error, result) =>
          error ? reject(error) : resolve(result),
        ),
      );
      assert.deepEqual(stats.toJson({ all: false, errors: true }).errors, []);
      const server = await serve(outDir, { '/': SCRIPT_PAGE });
      try {
        assert.deepEqual(await resultOf(`${server.url}/`), EXPECTED);
      } finally {
        await server.close();
      }
    });
  }

  test('Rollup (with @rollup/plugin-node-resolve)', async () => {
    const outDir = join(setupsDir, 'rollup', 'dist');
    const bundle = await tools.rollup({ input: join(setupsDir, 'rollup', 'main.js'), plugins: [tools.nodeResolve({ browser: true })] });
    await bundle.write({ dir: outDir, format: 'es' });
    await bundle.close();
    const server = await serve(outDir, { '/': MODULE_PAGE });
    try {
      assert.deepEqual(await resultOf(`${server.url}/`), EXPECTED);
    } finally {
      await server.close();
    }
  });

  test('esbuild', async () => {
    const outDir = join(setupsDir, 'esbuild', 'dist');
    await tools.esbuild({ entryPoints: [join(setupsDir, 'esbuild', 'main.js')], bundle: true, format: 'esm', outdir: outDir, logLevel: 'error' });
    const server = await serve(outDir, { '/': MODULE_PAGE });
    try {
      assert.deepEqual(await resultOf(`${server.url}/`), EXPECTED);
    } finally {
      await server.close();
    }
  });

  test('plain <script type="module"> page: the default entry by import map (with and without init), /web by URL', async () => {
    const server = await serve(setupsDir);
    try {
      assert.deepEqual(await resultOf(`${server.url}/plain/index.html`), EXPECTED);
      assert.deepEqual(await resultOf(`${server.url}/plain/web.html`), EXPECTED);
      // Without init(): synchronous instantiation on first call.
      assert.deepEqual(await resultOf(`${server.url}/plain/no-init.html`), { kind: 'opt14', reserved: 'ID007' });
    } finally {
      await server.close();
    }
  });
});

test('the installed package has what the tarball ships', () => {
  const installed = join(setupsDir, 'node_modules', 'openehr-definitions');
  for (const file of ['dist/browser/index.js', 'dist/node/openehr_definitions.js', 'bin/openehr-definitions.cjs', 'LICENSE', 'CODES.md']) {
    assert.ok(existsSync(join(installed, file)), file);
  }
});
