// The page in headless Chromium: serve www/ plus a mock CDR from one Node server on 127.0.0.1,
// check a valid and an invalid fixture, upload the valid one, and keep a screenshot to look at;
// a valid OPT's web template tree (against a better-web-template reference and the package's own
// output), AQL files and pasted queries with their parameters, carets and stored-query upload;
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
const WT_DIR = join(repoDir, 'tests/fixtures/web-template/better-web-template');
const VITAL_SIGNS = join(WT_DIR, 'templates/Vital Signs Pathfinder Demo.xml');
const MUST = join(WT_DIR, 'templates/Malnutrition universal screening tool.xml');
const FLAT_DIR = join(repoDir, 'tests/fixtures/flat');
const ISM_OPT = join(FLAT_DIR, 'templates/test-ism.vitagroup.de.v1.opt');
const ISM_WRONG = join(FLAT_DIR, 'flat/ism_wrong_current_state.json');
const ISM_VALID = join(FLAT_DIR, 'flat/ism_vaild_transition.json');
const IPS = join(repoDir, 'tests/fixtures/opt14/valid/ehrbase_openehr_sdk__operationaltemplate__ips.v0.opt');
/** The package's Node build, to compare the page's output with (bash pkg/build.sh makes both). */
const nodePackage = () => createRequire(import.meta.url)(join(repoDir, 'pkg/dist/node/openehr_definitions.js'));

/** A better-web-template reference: JSON after its licence comment. */
function reference(name) {
  const text = readFileSync(join(WT_DIR, 'web-templates', name), 'utf8');
  return JSON.parse(text.slice(text.indexOf('{')));
}

/** The node at `ids` (each a child's id) under `node`. */
function nodeAt(node, ...ids) {
  for (const id of ids) node = node.children.find((child) => child.id === id);
  return node;
}

/** A stored query with two parameters, CRLF line ends and non-ASCII text: sent byte for byte. */
const QUERY = Buffer.from(
  [
    'SELECT c/uid/value, o/data[at0001]/events[at0006]/data[at0003]/items[at0004]/value/magnitude AS systolic',
    'FROM EHR e[ehr_id/value=$ehr_id]',
    '  CONTAINS COMPOSITION c',
    '    CONTAINS OBSERVATION o[openEHR-EHR-OBSERVATION.blood_pressure.v2]',
    "WHERE c/context/start_time/value > $from AND c/name/value = 'Blutdruck – Übersicht'",
    'ORDER BY c/context/start_time/value DESC',
    '',
  ].join('\r\n'),
);

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

const received = []; // what the mock CDR got
const receivedQueries = []; // stored-query PUTs the mock CDR got

function serve(request, response) {
  const url = new URL(request.url, 'http://localhost');
  if (request.method === 'PUT' && url.pathname.startsWith('/v1/definition/query/')) {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      receivedQueries.push({ path: url.pathname, headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(200, { Location: `${url.pathname}/1.0.0` });
      response.end();
    });
    return;
  }
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

/** A new page on the test server that records uncaught errors in `page.errors`. */
async function openPage() {
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error));
  await page.goto(`${origin}/`);
  return page;
}

/** Rejects when `promise` takes longer than `ms`. */
function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

test('web template: the tree shows the root and a quantity leaf as the reference has them', async () => {
  const ref = reference('Vital Signs Pathfinder Demo.json');
  const page = await openPage();
  await page.setInputFiles('#file-input', VITAL_SIGNS);
  const card = page.locator('article.file', { hasText: 'Vital Signs Pathfinder Demo.xml' });
  await card.locator('.verdict.ok').waitFor();
  const tree = card.locator('.wt-tree');
  await tree.waitFor();

  const root = tree.locator(':scope > li > details');
  assert.equal(await root.getAttribute('open'), '');
  assert.equal(await root.locator(':scope > summary .wt-name').textContent(), ref.tree.localizedName);
  assert.equal(await root.locator(':scope > summary .wt-rm').textContent(), ref.tree.rmType);
  assert.equal(await root.locator(':scope > summary .wt-occ').textContent(), 'occurrences 1..1');

  // Blood pressure (level 1) is open; its event (level 2) is closed, and empty until opened.
  const bp = root.locator(':scope > ul > li[data-id="blood_pressure"] > details');
  const bpRef = nodeAt(ref.tree, 'blood_pressure');
  assert.equal(await bp.locator(':scope > summary .wt-name').textContent(), bpRef.localizedName);
  assert.equal(await bp.locator(':scope > summary .wt-occ').textContent(), 'occurrences 0..*');
  const event = bp.locator(':scope > ul > li[data-id="any_event"] > details');
  assert.equal(await event.getAttribute('open'), null);
  assert.equal(await event.locator('li').count(), 0);

  // Opened from the keyboard: the summary takes focus, Enter opens it and renders its children.
  const summary = event.locator(':scope > summary');
  await summary.focus();
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'SUMMARY');
  await page.keyboard.press('Enter');
  const systolic = event.locator(':scope > ul > li[data-id="systolic"]');
  await systolic.waitFor();

  const expected = nodeAt(bpRef, 'any_event', 'systolic');
  assert.equal(await systolic.locator('.wt-name').textContent(), expected.localizedName);
  assert.equal(await systolic.locator('.wt-rm').textContent(), expected.rmType);
  assert.equal(await systolic.locator('.wt-occ').textContent(), `occurrences ${expected.min}..${expected.max}`);
  const [magnitude, unit] = expected.inputs;
  const inputs = systolic.locator('.wt-input');
  assert.equal(await inputs.count(), expected.inputs.length);
  const range = (r) => `${r.minOp} ${r.min}, ${r.maxOp} ${r.max}`;
  assert.equal(await inputs.nth(0).locator('.wt-suffix').textContent(), `|${magnitude.suffix}`);
  assert.equal(await inputs.nth(0).locator('.wt-type').textContent(), magnitude.type);
  assert.equal(await inputs.nth(0).locator('.wt-range .wt-value').textContent(), range(magnitude.validation.range));
  assert.equal(magnitude.validation.precision.min, magnitude.validation.precision.max);
  assert.equal(await inputs.nth(0).locator('.wt-precision .wt-value').textContent(), `${magnitude.validation.precision.min}`);
  assert.equal(await inputs.nth(1).locator('.wt-suffix').textContent(), `|${unit.suffix}`);
  const units = inputs.nth(1).locator('.wt-option');
  assert.equal(await units.count(), unit.list.length);
  assert.equal(await units.nth(0).locator('.wt-label').textContent(), unit.list[0].label);
  assert.equal(await units.nth(0).locator('.wt-display').textContent(), `(${unit.list[0].localizedLabels.en})`);
  assert.equal(await units.nth(0).locator('.wt-range .wt-value').textContent(), range(unit.list[0].validation.range));
  assert.deepEqual(page.errors, []);
});

test('web template: ordinals and closed lists as the reference has them', async () => {
  const ref = reference('Malnutrition universal screening tool.json');
  const page = await openPage();
  await page.setInputFiles('#file-input', MUST);
  const tree = page.locator('article.file .wt-tree');
  await tree.waitFor();
  const must = tree.locator('li[data-id="malnutrition_universal_screening_tool_must"] > details');
  const bmiRef = nodeAt(ref.tree, 'malnutrition_universal_screening_tool_must', 'body_mass_index_score');
  const bmi = must.locator(':scope > ul > li[data-id="body_mass_index_score"]');
  assert.equal(await bmi.locator('.wt-name').textContent(), bmiRef.localizedName);
  assert.equal(await bmi.locator('.wt-rm').textContent(), 'DV_ORDINAL');
  const options = bmi.locator('.wt-option');
  assert.deepEqual(
    await options.allTextContents(),
    bmiRef.inputs[0].list.map((o) => `${o.ordinal}: ${o.label} ${o.value}`),
  );
  const periodRef = nodeAt(ref.tree, 'malnutrition_universal_screening_tool_must', 'evaluation_period');
  assert.equal(periodRef.inputs[0].listOpen, false);
  const period = must.locator(':scope > ul > li[data-id="evaluation_period"]');
  assert.equal(await period.locator('.wt-open').textContent(), 'closed list');
  assert.deepEqual(await period.locator('.wt-option .wt-label').allTextContents(), periodRef.inputs[0].list.map((o) => o.label));
  assert.deepEqual(page.errors, []);
});

test('web template: Download JSON gives the package\'s toWebTemplate output', async () => {
  const page = await openPage();
  await page.setInputFiles('#file-input', VITAL_SIGNS);
  const button = page.locator('article.file .wt-download');
  await button.waitFor();
  await page.evaluate(() => {
    const createObjectURL = URL.createObjectURL;
    window.blobTypes = [];
    URL.createObjectURL = (blob) => (window.blobTypes.push(blob.type), createObjectURL(blob));
  });
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  assert.equal(download.suggestedFilename(), 'Vital Signs Pathfinder Demo.wt.json');
  assert.deepEqual(await page.evaluate(() => window.blobTypes), ['application/openehr.wt+json']);
  const downloaded = JSON.parse(readFileSync(await download.path(), 'utf8'));
  const result = nodePackage().toWebTemplate(readFileSync(VITAL_SIGNS));
  assert.equal(result.valid, true);
  assert.deepEqual(downloaded, JSON.parse(JSON.stringify(result.web_template)));
  assert.deepEqual(page.errors, []);
});

test('web template: the IPS OPT renders its tree while the page keeps answering', { timeout: 180_000 }, async (t) => {
  const page = await openPage();
  const dataTransfer = await page.evaluateHandle(
    ([name, text]) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], name, { type: 'application/xml' }));
      return transfer;
    },
    ['ips.v0.opt', readFileSync(IPS, 'utf8')],
  );
  await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer });
  const card = page.locator('article.file', { hasText: 'ips.v0.opt' });
  const tree = card.locator('.wt-tree');
  // Reading, validating (1.9 MB) and building the web template happen off the main thread: the
  // page paints frames throughout.
  while (!(await tree.count())) {
    assert.equal(await card.locator('.verdict.bad').count(), 0, 'the IPS OPT is valid');
    await within(
      page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(true)))),
      15_000,
      'a frame during the IPS check',
    );
    await new Promise((done) => setTimeout(done, 50));
  }
  let nodes = 0;
  const count = (node) => {
    nodes += 1;
    (node.children ?? []).forEach(count);
  };
  count(nodePackage().toWebTemplate(readFileSync(IPS)).web_template.tree);
  assert.equal(await card.locator('.wt-count').textContent(), `${nodes} nodes`);
  // Only the open levels are in the DOM.
  const rendered = await tree.locator('li.wt-node').count();
  assert.ok(rendered > 1 && rendered < nodes, `${rendered} of ${nodes} nodes rendered`);
  assert.equal(await within(page.evaluate(() => 1 + 1), 15_000, 'an evaluate after the tree'), 2);
  t.diagnostic(`IPS: ${nodes} nodes, ${rendered} rendered, tree painted ${await card.locator('.web-template').getAttribute('data-render-ms')} ms after the web template was requested`);
  assert.deepEqual(page.errors, []);
});

test('web template: an invalid OPT shows no tree', async () => {
  const page = await openPage();
  await page.setInputFiles('#file-input', INVALID);
  const card = page.locator('article.file').first();
  await card.locator('.verdict.bad').waitFor();
  assert.equal(await card.locator('.web-template').isHidden(), true);
  assert.equal(await card.locator('.wt-tree').count(), 0);
  assert.equal(await card.locator('.wt-download').isVisible(), false);
  assert.deepEqual(page.errors, []);
});

test('AQL: a file shows its parameters and canonical form', async () => {
  const page = await openPage();
  await page.setInputFiles('#file-input', { name: 'blood_pressure.aql', mimeType: 'text/plain', buffer: QUERY });
  const card = page.locator('article.file', { hasText: 'blood_pressure.aql' });
  await card.locator('.verdict.ok').waitFor();
  assert.equal(await card.locator('.kind').textContent(), 'AQL');
  assert.deepEqual(await card.locator('.metadata .parameter').allTextContents(), ['$ehr_id', '$from']);
  const expected = nodePackage().validateAql(QUERY.toString('utf8'));
  assert.deepEqual(expected.parameters, ['ehr_id', 'from']);
  assert.equal(await card.locator('.metadata .canonical').textContent(), expected.canonical);
  assert.equal(await card.locator('.clean').textContent(), 'No problems found.');
  assert.equal(await card.locator('.web-template').isHidden(), true);
  // Uploading needs a query name first.
  assert.equal(await card.locator('.query-name').isVisible(), true);
  assert.equal(await card.locator('.upload-button').isDisabled(), true);
  assert.deepEqual(page.errors, []);
});

test('AQL: a broken pasted query shows the exact code and caret', async () => {
  const page = await openPage();
  await page.click('#paste-box summary');
  const text = 'SELECT c/uid/value\nFROM EHR e[ehr_id/value=$ehr_id]\n  CONTAINS COMPOSITION c\nWHERE c/context/start_time/value >> $from\n';
  await page.fill('#paste-text', text);
  await page.click('#paste-check');
  const card = page.locator('article.file', { hasText: 'pasted text' });
  await card.locator('.verdict.bad').waitFor();
  assert.equal(await card.locator('.kind').textContent(), 'AQL');
  const errors = card.locator('.group.error .diagnostic');
  assert.equal(await errors.count(), 1);
  assert.equal(await errors.locator('.position').textContent(), '4:35');
  assert.equal(await errors.locator('.code').textContent(), 'AQL001');
  assert.equal(await errors.locator('.source').textContent(), `WHERE c/context/start_time/value >> $from\n${' '.repeat(34)}^`);
  assert.equal(await card.locator('.canonical').count(), 0);
  // A good name does not make a broken query uploadable.
  await card.locator('.query-name').fill('org.example::broken');
  await card.locator('.query-name[aria-invalid="false"]').waitFor();
  assert.equal(await card.locator('.upload-button').isDisabled(), true);
  assert.deepEqual(page.errors, []);
});

test('AQL: Upload PUTs the query under its qualified name, byte for byte', async () => {
  const page = await openPage();
  await page.fill('#cdr-base', `${origin}/v1`);
  await page.setInputFiles('#file-input', { name: 'bp.aql', mimeType: 'text/plain', buffer: QUERY });
  const card = page.locator('article.file', { hasText: 'bp.aql' });
  await card.locator('.verdict.ok').waitFor();
  const name = card.locator('.query-name');
  const button = card.locator('.upload-button');

  await name.fill('aql'); // reserved
  await card.locator('.query-name[aria-invalid="true"]').waitFor();
  assert.match(await card.locator('.query-name-hint').textContent(), /^ID007 /);
  assert.equal(await button.isDisabled(), true);

  await name.fill('org.example::blood_pressure');
  await card.locator('.query-name[aria-invalid="false"]').waitFor();
  assert.equal(await button.isDisabled(), false);
  await button.click();
  await card.locator('.upload-result[data-status]').waitFor();
  const result = await card.locator('.upload-result').textContent();
  assert.match(result, /^Status: 200/);
  assert.match(result, /Location: \/v1\/definition\/query\/org\.example::blood_pressure\/1\.0\.0/);
  assert.equal(receivedQueries.length, 1);
  assert.equal(receivedQueries[0].path, '/v1/definition/query/org.example::blood_pressure');
  assert.equal(receivedQueries[0].headers['content-type'], 'text/plain');
  assert.ok(receivedQueries[0].body.equals(QUERY), 'the mock received the query unchanged');
  assert.deepEqual(page.errors, []);
});

test('FLAT: compositions dropped with their OPT are checked against it, with codes and carets', async () => {
  const page = await openPage();
  await page.setInputFiles('#file-input', [ISM_WRONG, ISM_OPT, ISM_VALID]);
  const card = page.locator('article.file', { hasText: 'test-ism.vitagroup.de.v1.opt' });
  await card.locator('.verdict.ok').waitFor();
  const wrong = card.locator('article.composition', { hasText: 'ism_wrong_current_state.json' });
  await wrong.locator('.verdict.bad').waitFor();
  const errors = wrong.locator('.group.error .diagnostic');
  assert.deepEqual(await errors.locator('.code').allTextContents(), ['FLAT040', 'FLAT041']);
  assert.deepEqual(await errors.locator('.position').allTextContents(), ['42:5', '45:5']);
  assert.equal(
    await errors.first().locator('.path').textContent(),
    'test-ism.vitagroup.de.v1/medication_management/ism_transition/current_state|code',
  );
  assert.match(await errors.first().locator('.source').textContent(), /^ {4}"test-ism[^\n]*current_state\|code": "245",\n {4}\^$/);
  const valid = card.locator('article.composition', { hasText: 'ism_vaild_transition.json' });
  await valid.locator('.verdict.ok').waitFor();
  assert.equal(await valid.locator('.clean').textContent(), 'No problems found.');
  // Compositions are not cards of their own, and every check is counted.
  assert.equal(await page.locator('#results > article.file').count(), 1);
  await page.locator('#status', { hasText: 'Checked 3 files: 2 valid, 1 invalid.' }).waitFor();
  assert.deepEqual(page.errors, []);
});

test('FLAT: the OPT card checks a composition chosen with its own picker', async () => {
  const page = await openPage();
  await page.setInputFiles('#file-input', ISM_OPT);
  const card = page.locator('article.file', { hasText: 'test-ism.vitagroup.de.v1.opt' });
  await card.locator('.compositions:not([hidden])').waitFor();
  const broken = Buffer.from('{\n  "test-ism.vitagroup.de.v1/category|code": "433",\n}');
  await card.locator('.comp-input').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: broken });
  const item = card.locator('article.composition', { hasText: 'broken.json' });
  await item.locator('.verdict.bad').waitFor();
  assert.equal(await item.locator('.diagnostic .code').textContent(), 'FLAT001');
  assert.equal(await item.locator('.diagnostic .position').textContent(), '3:1');
  assert.deepEqual(page.errors, []);
});

test('FLAT: a composition without its OPT says which OPT it needs', async () => {
  const page = await openPage();
  await page.setInputFiles('#file-input', ISM_VALID);
  const card = page.locator('article.file', { hasText: 'ism_vaild_transition.json' });
  await card.locator('.unroutable').waitFor();
  assert.equal(await card.locator('.verdict').textContent(), 'not checked');
  assert.match(await card.locator('.unroutable').textContent(), /tree id `test-ism\.vitagroup\.de\.v1`/);
  assert.deepEqual(page.errors, []);
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

test('the page served by openehr-defs stores a query in the real API, byte for byte', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openehr-defs-e2e-data-'));
  const { child, origin: real } = await startRealServer(dataDir);
  try {
    const page = await context.newPage();
    await page.goto(`${real}/`);
    await page.fill('#cdr-base', `${real}/v1`);
    await page.setInputFiles('#file-input', { name: 'bp.aql', mimeType: 'text/plain', buffer: QUERY });
    const card = page.locator('article.file', { hasText: 'bp.aql' });
    await card.locator('.verdict.ok').waitFor();
    await card.locator('.query-name').fill('org.example::blood_pressure');
    await card.locator('.query-name[aria-invalid="false"]').waitFor();
    await card.locator('.upload-button').click();
    await card.locator('.upload-result[data-status="200"]').waitFor();
    assert.match(await card.locator('.upload-result').textContent(), /Location: \S*\/definition\/query\/org\.example::blood_pressure\/1\.0\.0/);
    const stored = await (await fetch(`${real}/v1/definition/query/org.example::blood_pressure/1.0.0`)).json();
    assert.equal(stored.q, QUERY.toString('utf8'));
  } finally {
    child.kill();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

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
