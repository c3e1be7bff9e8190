// The pre-upload check page: reads files (drop, picker or paste), validates them in a Web Worker
// with the npm package's web build, shows every diagnostic with its source line, shows a valid
// OPT's web template as a tree and an AQL query's parameters, and uploads a valid file to a CDR's
// Definitions API only when the user asks for it.
import { download, downloadName, renderTree } from './web-template.js';

const $ = (selector, root = document) => root.querySelector(selector);

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const pending = new Map(); // validation id -> resolve
let nextId = 1;

worker.onmessage = ({ data }) => {
  const resolve = pending.get(data.id);
  pending.delete(data.id);
  resolve?.(data);
};

/** Runs `op` in the worker (see worker.js); resolves with its answer or `{error}`. */
function inWorker(op, message, transfer = []) {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    worker.postMessage({ id, op, ...message }, transfer);
  });
}

/** Validates a file's bytes in the worker (its name decides for `*.aql`); resolves with `{report}`
 * or `{error}`. The buffer is transferred. */
const validateInWorker = (name, bytes) => inWorker('validate', { name, bytes: bytes.buffer }, [bytes.buffer]);

/** Reads a File with progress events, so large files show how far reading got. */
function readWithProgress(file, onProgress) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onprogress = (event) => event.lengthComputable && onProgress((event.loaded / event.total) * 100);
    reader.onload = () => resolve(new Uint8Array(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsArrayBuffer(file);
  });
}

const METADATA_FIELDS = {
  opt14: [
    ['template_id', 'Template id'],
    ['concept', 'Concept'],
    ['archetype_id', 'Root archetype'],
    ['rm_type_name', 'RM type'],
    ['language', 'Language'],
    ['lifecycle_state', 'Lifecycle'],
  ],
  adl2: [
    ['artefact_kind', 'Artefact'],
    ['id', 'Id'],
    ['parent', 'Specialises'],
    ['adl_version', 'ADL version'],
    ['rm_release', 'RM release'],
    ['original_language', 'Language'],
  ],
};

const KIND_LABEL = { opt14: 'OPT 1.4', adl2: 'ADL 2', aql: 'AQL', unknown: 'Unknown format' };

/** Where each kind is uploaded, how and with which media type (Definitions API). A stored query
 * goes under its qualified name, which the user types into the card. */
const UPLOAD = {
  opt14: { method: 'POST', path: () => '/definition/template/adl1.4', type: 'application/xml' },
  adl2: { method: 'POST', path: () => '/definition/template/adl2', type: 'text/plain' },
  aql: { method: 'PUT', path: (card) => `/definition/query/${queryName(card)}`, type: 'text/plain' },
};

const queryName = (card) => $('.query-name', card).value.trim();

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderMetadata(list, report) {
  list.replaceChildren();
  const fields = METADATA_FIELDS[report.kind] ?? [];
  const metadata = report.metadata ?? {};
  const rows = fields.filter(([key]) => metadata[key] != null && metadata[key] !== '');
  if (report.kind === 'adl2' && metadata.hrid?.version) rows.push(['__version', 'Version']);
  if (report.kind === 'opt14' && metadata.archetypes?.length) rows.push(['__archetypes', 'Archetypes used']);
  for (const [key, label] of rows) {
    let value = metadata[key];
    if (key === '__version') value = metadata.hrid.version;
    if (key === '__archetypes') value = `${metadata.archetypes.length}`;
    list.append(element('dt', '', label), element('dd', '', String(value)));
  }
  if (report.kind === 'aql') {
    const parameters = element('dd', 'parameters');
    if (!metadata.parameters?.length) parameters.textContent = 'none';
    metadata.parameters?.forEach((name, index) => {
      if (index) parameters.append(', ');
      parameters.append(element('code', 'parameter', `$${name}`));
    });
    list.append(element('dt', '', 'Parameters'), parameters);
    if (report.valid && report.canonical) {
      const canonical = element('dd', 'canonical');
      const pre = element('pre', 'source');
      pre.append(element('code', '', report.canonical));
      canonical.append(pre);
      list.append(element('dt', '', 'Canonical form'), canonical);
    }
  }
}

/** The source line a diagnostic points at, with a caret under its column. */
function sourceExcerpt(lines, diagnostic) {
  const line = lines[diagnostic.line - 1];
  if (line === undefined) return null;
  const chars = Array.from(line.replace(/\r$/, ''));
  const column = Math.max(1, diagnostic.column);
  // Long lines (minified XML) are cut to a window around the column.
  const start = Math.max(0, column - 60);
  const shown = chars.slice(start, start + 120).join('').replace(/\t/g, ' ');
  const caret = ' '.repeat(column - 1 - start) + '^';
  const pre = element('pre', 'source');
  pre.append(element('code', '', `${shown}\n${caret}`));
  return pre;
}

function renderDiagnostics(container, report, lines) {
  container.replaceChildren();
  const groups = [
    ['error', 'Errors'],
    ['warning', 'Warnings'],
  ];
  for (const [severity, title] of groups) {
    const found = report.diagnostics.filter((d) => d.severity === severity);
    if (!found.length) continue;
    const section = element('section', `group ${severity}`);
    section.append(element('h4', '', `${title} (${found.length})`));
    const list = element('ol', 'diagnostic-list');
    for (const d of found) {
      const item = element('li', `diagnostic ${severity}`);
      const head = element('p', 'diagnostic-head');
      head.append(
        element('span', 'position', `${d.line}:${d.column}`),
        ' ',
        element('span', 'code', d.code),
        ' ',
        element('span', 'message', d.message),
      );
      item.append(head);
      if (d.path) item.append(element('p', 'path', d.path));
      const excerpt = sourceExcerpt(lines, d);
      if (excerpt) item.append(excerpt);
      list.append(item);
    }
    section.append(list);
    container.append(section);
  }
  if (!report.diagnostics.length) container.append(element('p', 'clean', 'No problems found.'));
}

async function upload(card, report, bytes) {
  const output = $('.upload-result', card);
  const base = $('#cdr-base').value.trim().replace(/\/+$/, '');
  if (!base) {
    output.textContent = 'Enter the CDR base URL above first.';
    return;
  }
  const target = UPLOAD[report.kind];
  const headers = { 'Content-Type': target.type };
  const token = $('#cdr-token').value.trim();
  if (token) headers.Authorization = `Bearer ${token}`;
  output.textContent = 'Uploading…';
  try {
    const response = await fetch(base + target.path(card), { method: target.method, headers, body: bytes });
    const lines = [`Status: ${response.status} ${response.statusText}`.trim()];
    const location = response.headers.get('Location');
    if (location) lines.push(`Location: ${location}`);
    if (!response.ok) {
      const text = await response.text();
      try {
        const body = JSON.parse(text);
        if (body.message) lines.push(`Message: ${body.message}`);
        for (const error of body.validationErrors ?? []) lines.push(`• ${typeof error === 'string' ? error : JSON.stringify(error)}`);
      } catch {
        if (text) lines.push(text.slice(0, 2000));
      }
    }
    output.textContent = lines.join('\n');
    output.dataset.status = String(response.status);
  } catch (error) {
    output.textContent = `Upload failed: ${error.message} (is the URL right, and does the server allow this page's origin?)`;
  }
}

async function checkOne(name, getBytes) {
  const card = $('#file-template').content.firstElementChild.cloneNode(true);
  $('.file-name', card).textContent = name;
  $('.verdict', card).textContent = 'reading…';
  const progress = $('.progress', card);
  progress.setAttribute('aria-label', `Progress of ${name}`);
  $('#results').append(card);

  let bytes;
  try {
    bytes = await getBytes((percent) => (progress.value = percent * 0.5));
  } catch (error) {
    $('.verdict', card).textContent = `cannot read: ${error.message}`;
    progress.remove();
    return;
  }
  $('.verdict', card).textContent = 'validating…';
  progress.removeAttribute('value'); // indeterminate while the worker runs
  const copy = bytes.slice(); // the worker takes ownership of the buffer it is sent
  const { report, error } = await validateInWorker(name, bytes);
  progress.remove();
  if (error) {
    $('.verdict', card).textContent = `validator failed: ${error}`;
    return;
  }
  const lines = new TextDecoder().decode(copy).split('\n');
  card.classList.add(report.valid ? 'is-valid' : 'is-invalid');
  $('.kind', card).textContent = KIND_LABEL[report.kind] ?? report.kind;
  const verdict = $('.verdict', card);
  verdict.textContent = report.valid ? 'valid' : 'invalid';
  verdict.classList.add(report.valid ? 'ok' : 'bad');
  renderMetadata($('.metadata', card), report);
  renderDiagnostics($('.diagnostics', card), report, lines);
  const button = $('.upload-button', card);
  const uploadable = report.valid && report.kind in UPLOAD;
  button.disabled = !uploadable;
  button.title = uploadable ? '' : 'Only valid files can be uploaded';
  button.addEventListener('click', () => upload(card, report, copy));
  if (report.kind === 'aql') setUpQueryName(card, report);
  if (report.kind === 'opt14' && report.valid) track(showWebTemplate(card, copy));
  return report;
}

let nextCardId = 1;

/** A stored query needs a qualified name: the card's name field, checked by the package as the user
 * types; Upload is enabled only for a valid query with a valid name. */
function setUpQueryName(card, report) {
  const field = $('.query-name-field', card);
  const input = $('.query-name', field);
  const hint = $('.query-name-hint', field);
  const cardId = nextCardId++;
  input.id = `query-name-${cardId}`;
  hint.id = `query-name-hint-${cardId}`;
  $('label', field).htmlFor = input.id;
  input.setAttribute('aria-describedby', hint.id);
  field.hidden = false;
  const button = $('.upload-button', card);
  const why = report.valid ? 'Enter a valid query name first' : 'Only valid queries can be uploaded';
  button.disabled = true;
  button.title = why;
  let latest = 0;
  input.addEventListener('input', async () => {
    const asked = ++latest;
    const name = input.value.trim();
    if (!name) {
      hint.textContent = 'namespace::name, e.g. org.example::my_query';
      input.removeAttribute('aria-invalid');
      button.disabled = true;
      return;
    }
    const { check, error } = await inWorker('queryName', { name });
    if (asked !== latest) return; // the user typed on meanwhile
    const valid = Boolean(check?.valid);
    hint.textContent = valid ? '' : (check?.diagnostic ? `${check.diagnostic.code} ${check.diagnostic.message}` : error);
    input.setAttribute('aria-invalid', String(!valid));
    button.disabled = !(report.valid && valid);
    button.title = button.disabled ? why : '';
  });
}

/** Builds a valid OPT's web template in the worker and shows it as a tree with a download button. */
async function showWebTemplate(card, bytes) {
  const section = $('.web-template', card);
  const status = $('.wt-status', section);
  section.hidden = false;
  status.textContent = 'Building the web template…';
  const copy = bytes.slice();
  const started = performance.now();
  const { result, json, nodes, error } = await inWorker('webTemplate', { bytes: copy.buffer }, [copy.buffer]);
  if (error || !result?.valid) {
    const first = result?.diagnostics?.find((d) => d.severity === 'error');
    const why = error ?? (first ? `${first.code} ${first.message}` : 'unknown reason');
    status.textContent = `No web template: ${why}`;
    return;
  }
  const template = result.web_template;
  const entry = { treeId: template.tree.id, templateId: template.templateId, card, bytes };
  templates.push(entry);
  setUpCompositions(entry);
  $('.wt-count', section).textContent = `${nodes} node${nodes === 1 ? '' : 's'}`;
  const button = $('.wt-download', section);
  const fileName = downloadName(template.templateId);
  button.hidden = false;
  button.title = `Save as ${fileName}`;
  button.addEventListener('click', () => download(json, fileName));
  try {
    $('.wt-body', section).replaceChildren(renderTree(template));
    status.textContent = 'Open a node to see its children and inputs.';
  } catch (failure) {
    status.textContent = `Cannot show the web template: ${failure.message}`;
  }
  requestAnimationFrame(() => (section.dataset.renderMs = String(Math.round(performance.now() - started))));
}

/** Every valid OPT on the page whose web template is built: `{treeId, templateId, card, bytes}`,
 * oldest first. Compositions dropped on the page are checked against the newest with their tree id. */
const templates = [];
/** Definition checks and web template builds under way: a dropped composition waits for them, so
 * that it finds an OPT dropped with it (or just before it). */
const busy = new Set();

function track(promise) {
  busy.add(promise);
  const done = () => busy.delete(promise);
  promise.then(done, done);
  return promise;
}

/** Resolves once nothing is under way (a check that ends may start a web template build). */
async function settled() {
  while (busy.size) await Promise.allSettled([...busy]);
}

/** The composition's template tree id: the root member of a STRUCTURED composition, or the first
 * segment of a FLAT path that is not `ctx/…`; null when the text is not a JSON object. */
function treeIdOf(bytes) {
  let value;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const keys = Object.keys(value);
  if (keys.length === 1 && value[keys[0]] !== null && typeof value[keys[0]] === 'object') return keys[0];
  const path = keys.find((key) => !key.startsWith('ctx/') && key.includes('/'));
  return path ? path.slice(0, path.indexOf('/')) : null;
}

/** Shows a valid OPT's composition area: a file picker and a drop target. */
function setUpCompositions(entry) {
  const section = $('.compositions', entry.card);
  const input = $('.comp-input', section);
  section.hidden = false;
  input.setAttribute('aria-label', `Compositions to check against ${entry.templateId}`);
  $('.comp-choose', section).addEventListener('click', () => input.click());
  const checkAll = (files) => {
    for (const file of files) checkComposition(entry, file.name, (onProgress) => readWithProgress(file, onProgress));
  };
  input.addEventListener('change', () => {
    checkAll(input.files);
    input.value = '';
  });
  for (const type of ['dragenter', 'dragover']) {
    section.addEventListener(type, (event) => {
      event.preventDefault();
      section.classList.add('dragging');
    });
  }
  section.addEventListener('dragleave', () => section.classList.remove('dragging'));
  section.addEventListener('drop', (event) => {
    event.preventDefault();
    event.stopPropagation();
    section.classList.remove('dragging');
    checkAll(event.dataTransfer.files);
  });
}

/** Checks one FLAT or STRUCTURED composition against `entry`'s OPT in the worker and shows the
 * result under the OPT's card. */
async function checkComposition(entry, name, getBytes) {
  const item = $('#composition-template').content.firstElementChild.cloneNode(true);
  $('.file-name', item).textContent = name;
  const verdict = $('.verdict', item);
  verdict.textContent = 'checking…';
  $('.comp-results', entry.card).append(item);
  let bytes;
  try {
    bytes = await getBytes(() => {});
  } catch (error) {
    verdict.textContent = `cannot read: ${error.message}`;
    return;
  }
  const lines = new TextDecoder().decode(bytes).split('\n');
  const opt = entry.bytes.slice();
  const { check, error } = await inWorker('flat', { opt: opt.buffer, composition: bytes.buffer }, [opt.buffer, bytes.buffer]);
  if (error) {
    verdict.textContent = `validator failed: ${error}`;
    return;
  }
  item.classList.add(check.valid ? 'is-valid' : 'is-invalid');
  verdict.textContent = check.valid ? 'valid' : 'invalid';
  verdict.classList.add(check.valid ? 'ok' : 'bad');
  renderDiagnostics($('.diagnostics', item), { diagnostics: [...check.template_diagnostics, ...check.diagnostics] }, lines);
  tally[check.valid ? 'valid' : 'invalid'] += 1;
  showTally();
}

/** A composition dropped on the page: checked against the newest OPT on the page with its tree id
 * (after the OPTs dropped with it are built), or a card that says which OPT it needs. */
async function routeComposition(name, getBytes) {
  let bytes;
  try {
    bytes = await getBytes(() => {});
  } catch (error) {
    unroutable(name, `cannot read: ${error.message}`);
    return;
  }
  await settled();
  const treeId = treeIdOf(bytes);
  const matches = templates.filter((entry) => entry.treeId === treeId);
  const entry = matches.at(-1) ?? (treeId === null && templates.length === 1 ? templates[0] : undefined);
  if (entry) {
    checkComposition(entry, name, async () => bytes);
    return;
  }
  const why =
    treeId === null
      ? 'not a FLAT or STRUCTURED composition (a JSON object with template paths)'
      : `needs the OPT whose web template has the tree id \`${treeId}\`: drop that OPT (with the composition or before it)`;
  unroutable(name, why);
}

function unroutable(name, why) {
  const card = $('#file-template').content.firstElementChild.cloneNode(true);
  $('.file-name', card).textContent = name;
  $('.kind', card).textContent = 'Composition';
  $('.verdict', card).textContent = 'not checked';
  $('.progress', card).remove();
  $('.upload', card).remove();
  $('.diagnostics', card).append(element('p', 'unroutable', why));
  $('#results').append(card);
}

const tally = { valid: 0, invalid: 0 }; // over everything checked on this page

function showTally() {
  const total = tally.valid + tally.invalid;
  $('#status').textContent = `Checked ${total} file${total === 1 ? '' : 's'}: ${tally.valid} valid, ${tally.invalid} invalid.`;
}

async function checkAndCount(name, getBytes) {
  const report = await checkOne(name, getBytes);
  if (report) tally[report.valid ? 'valid' : 'invalid'] += 1;
  showTally();
}

function checkFiles(files) {
  const list = [...files];
  if (!list.length) return;
  $('#status').textContent = `Checking ${list.length} file${list.length === 1 ? '' : 's'}…`;
  const isJson = (file) => /\.json$/i.test(file.name);
  for (const file of list.filter((f) => !isJson(f))) {
    track(checkAndCount(file.name, (onProgress) => readWithProgress(file, onProgress)));
  }
  // A composition dropped with its OPT waits for that OPT's web template (routeComposition).
  for (const file of list.filter(isJson)) routeComposition(file.name, (onProgress) => readWithProgress(file, onProgress));
}

function setUp() {
  const zone = $('#drop-zone');
  const input = $('#file-input');
  zone.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    checkFiles(input.files);
    input.value = '';
  });
  for (const type of ['dragenter', 'dragover']) {
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      zone.classList.add('dragging');
    });
  }
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    checkFiles(event.dataTransfer.files);
  });
  $('#paste-check').addEventListener('click', () => {
    const text = $('#paste-text').value;
    if (!text.trim()) return;
    const bytes = async () => new TextEncoder().encode(text);
    if (text.trim().startsWith('{')) routeComposition('pasted composition', bytes);
    else track(checkAndCount('pasted text', bytes));
  });
}

setUp();
