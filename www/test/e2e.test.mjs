// The page in headless Chromium: serve www/ plus a mock CDR from one Node server on 127.0.0.1,
// check a valid and an invalid fixture, upload the valid one, and keep a screenshot to look at;
// then the page as `openehr-defs serve` serves it, uploading into the real API (the binary from
// $OPENEHR_DEFS_BIN, else $CARGO_TARGET_DIR/debug or target/debug).
// Needs the web build in www/pkg (`bash pkg/build.sh`) and Chromium at /usr/bin/chromium
// (or $CHROMIUM_PATH); run with `node --test www/test/` (playwright-core comes from pkg/node_modules).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const wwwDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = resolve(wwwDir, '..');
const { chromium } = createRequire(join(repoDir, 'pkg', 'package.json'))('playwright-core');

const VALID = join(repoDir, 'tests/fixtures/opt14/valid/ehrbase_integration_test__opt__minimal_action.opt');
const INVALID = join(
  repoDir,
  'tests/fixtures/opt14/invalid/ehrbase_integration_test__removed_mandatory_elements__minimal_action_removed_concept.opt',
);
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

const received = []; // what the mock CDR got

function serve(request, response) {
  const url = new URL(request.url, 'http://localhost');
  if (request.method === 'POST' && url.pathname === '/v1/definition/template/adl1.4') {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(201, { Location: '/v1/definition/template/adl1.4/minimal_action.en.v1_%7B%7Brandomize%7D%7D' });
      response.end();
    });
    return;
  }
  const file = normalize(join(wwwDir, url.pathname === '/' ? 'index.html' : url.pathname));
  if (request.method !== 'GET' || !file.startsWith(wwwDir) || !existsSync(file)) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
  response.end(readFileSync(file));
}

let server;
let origin;
let context;
let profileDir;

before(async () => {
  assert.ok(existsSync(join(wwwDir, 'pkg', 'openehr_definitions.js')), 'www/pkg is missing: run bash pkg/build.sh');
  server = createServer(serve);
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  origin = `http://127.0.0.1:${server.address().port}`;
  profileDir = mkdtempSync(join(tmpdir(), 'openehr-defs-e2e-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1100, height: 1400 },
  });
});

after(async () => {
  await context?.close();
  await new Promise((done) => (server ? server.close(done) : done()));
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

test('check, show diagnostics, upload the valid file', async () => {
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error));
  await page.goto(`${origin}/`);
  await page.fill('#cdr-base', `${origin}/v1`);
  await page.fill('#cdr-token', 'secret-token');

  // The valid file through the file picker.
  await page.setInputFiles('#file-input', VALID);
  const valid = page.locator('article.file', { hasText: 'minimal_action.opt' }).first();
  await valid.locator('.verdict.ok').waitFor();
  assert.equal(await valid.locator('.kind').textContent(), 'OPT 1.4');
  assert.match(await valid.locator('.metadata').textContent(), /Template idminimal_action\.en\.v1_\{\{randomize\}\}/);

  // The invalid file through a real drop event on the drop zone.
  const dataTransfer = await page.evaluateHandle(
    ([name, text]) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], name, { type: 'application/xml' }));
      return transfer;
    },
    ['removed_concept.opt', readFileSync(INVALID, 'utf8')],
  );
  await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer });
  const invalid = page.locator('article.file', { hasText: 'removed_concept.opt' });
  await invalid.locator('.verdict.bad').waitFor();
  const errors = invalid.locator('.group.error .diagnostic');
  assert.equal(await errors.count(), 1);
  assert.equal(await errors.locator('.position').textContent(), '3:1');
  assert.equal(await errors.locator('.code').textContent(), 'OPT010');
  assert.match(await errors.locator('.source').textContent(), /^<template xmlns/);
  assert.equal(await invalid.locator('.upload-button').isDisabled(), true);

  // Upload the valid one to the mock CDR.
  assert.equal(await valid.locator('.upload-button').isDisabled(), false);
  await valid.locator('.upload-button').click();
  await valid.locator('.upload-result[data-status]').waitFor();
  const result = await valid.locator('.upload-result').textContent();
  assert.match(result, /^Status: 201/);
  assert.match(result, /Location: \/v1\/definition\/template\/adl1\.4\/minimal_action\.en\.v1_%7B%7Brandomize%7D%7D/);
  assert.equal(received.length, 1);
  assert.equal(received[0].headers['content-type'], 'application/xml');
  assert.equal(received[0].headers.authorization, 'Bearer secret-token');
  assert.ok(received[0].body.equals(readFileSync(VALID)), 'the mock received the file unchanged');

  assert.match(await page.locator('#status').textContent(), /Checked 2 files: 1 valid, 1 invalid\./);
  await page.screenshot({ path: join(wwwDir, 'test', 'screenshot.png'), fullPage: true });
  assert.deepEqual(pageErrors, []);
});

/** Starts `openehr-defs serve` on a free port with an empty data directory; resolves to its origin. */
async function startRealServer(dataDir) {
  const bin =
    process.env.OPENEHR_DEFS_BIN ??
    join(process.env.CARGO_TARGET_DIR ?? join(repoDir, 'target'), 'debug', 'openehr-defs');
  assert.ok(existsSync(bin), `${bin} is missing: cargo build -p openehr-defs (or set OPENEHR_DEFS_BIN)`);
  const child = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--data', dataDir, '--www', wwwDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const origin = await new Promise((resolveOrigin, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/listening on (http:\/\/\S+)/);
      if (match) resolveOrigin(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`openehr-defs serve exited with ${code}`)));
  });
  return { child, origin };
}

test('the page served by openehr-defs uploads into the real API: 201, then 409', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openehr-defs-e2e-data-'));
  const { child, origin: real } = await startRealServer(dataDir);
  try {
    const page = await context.newPage();
    await page.goto(`${real}/`);
    await page.fill('#cdr-base', `${real}/v1`);
    await page.setInputFiles('#file-input', VALID);
    const card = page.locator('article.file', { hasText: 'minimal_action.opt' }).first();
    await card.locator('.verdict.ok').waitFor();

    await card.locator('.upload-button').click();
    await card.locator('.upload-result[data-status="201"]').waitFor();
    assert.match(await card.locator('.upload-result').textContent(), /Location: \/v1\/definition\/template\/adl1\.4\//);

    // The API now lists it and serves the same bytes.
    const list = await (await fetch(`${real}/v1/definition/template/adl1.4`)).json();
    assert.deepEqual(list.map((t) => t.template_id), ['minimal_action.en.v1_{{randomize}}']);
    const stored = await fetch(`${real}/v1/definition/template/adl1.4/minimal_action.en.v1_%7B%7Brandomize%7D%7D`);
    assert.ok(Buffer.from(await stored.arrayBuffer()).equals(readFileSync(VALID)));

    // Uploading it again: the server's 409 and its JSON message are shown.
    await card.locator('.upload-button').click();
    await card.locator('.upload-result[data-status="409"]').waitFor();
    assert.match(await card.locator('.upload-result').textContent(), /409/);
  } finally {
    child.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
