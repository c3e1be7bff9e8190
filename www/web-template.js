// The web template of a valid OPT as a tree a modeller can read: every node's name, RM type and
// occurrences; for leaves their inputs (type, units, ranges, precision, coded lists). Nodes are
// <details>: the top levels start open, deeper ones render their children only when first opened,
// so a template with thousands of nodes costs the main thread only what is on screen.

/** Nodes at depths below this start open (the root and its children). */
const OPEN_DEPTH = 2;
/** Lists longer than this start folded. */
const LONG_LIST = 12;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** `0..1`, `1..*` (-1 is unbounded). */
export function occurrences(node) {
  return `${node.min}..${node.max === -1 ? '*' : node.max}`;
}

/** `>= 0, < 1000`: each bound with its operator. */
export function formatRange(range) {
  const parts = [];
  if (range?.min !== undefined) parts.push(`${range.minOp ?? '>='} ${range.min}`);
  if (range?.max !== undefined) parts.push(`${range.maxOp ?? '<='} ${range.max}`);
  return parts.join(', ');
}

/** A precision range `>= 2, <= 2` reads as `2`; anything else as its range. */
export function formatPrecision(precision) {
  const { minOp, min, maxOp, max } = precision;
  if (min !== undefined && min === max && minOp === '>=' && maxOp === '<=') return String(min);
  return formatRange(precision);
}

/** The name shown for a node: its label in the template's language, else its name or id. */
function nodeName(node) {
  return node.localizedName ?? node.name ?? node.id;
}

/** `range …` and `precision …` spans of a validation, in that order. */
function validationParts(validation) {
  const parts = [];
  if (!validation) return parts;
  if (validation.range && formatRange(validation.range)) {
    parts.push(labelled('wt-range', 'range', formatRange(validation.range)));
  }
  if (validation.precision && formatPrecision(validation.precision)) {
    parts.push(labelled('wt-precision', 'precision', formatPrecision(validation.precision)));
  }
  if (validation.pattern) parts.push(labelled('wt-pattern', 'pattern', validation.pattern));
  return parts;
}

/** `<span class=…><span class="wt-key">key</span> <span class="wt-value">value</span></span>` */
function labelled(className, key, value) {
  const span = element('span', `wt-fact ${className}`);
  span.append(element('span', 'wt-key', key), ' ', element('span', 'wt-value', String(value)));
  return span;
}

/** One allowed value: `[ordinal: ]label`, its code when it differs, the unit's display label, its limits. */
function listItem(item, language, isUnit) {
  const li = element('li', 'wt-option');
  if (item.ordinal !== undefined) li.append(element('span', 'wt-ordinal', String(item.ordinal)), ': ');
  const label = item.label ?? item.value;
  li.append(element('span', 'wt-label', label));
  if (label !== item.value) li.append(' ', element('code', 'wt-code', item.value));
  const display = item.localizedLabels?.[language];
  if (isUnit && display && display !== label) li.append(' ', element('span', 'wt-display', `(${display})`));
  for (const part of validationParts(item.validation)) li.append(' ', part);
  return li;
}

function optionList(input, language, ownerName) {
  const isUnit = input.suffix === 'unit';
  const list = element('ul', 'wt-options');
  list.setAttribute('aria-label', `${isUnit ? 'Units' : 'Values'} of ${ownerName}`);
  for (const item of input.list) list.append(listItem(item, language, isUnit));
  if (input.list.length <= LONG_LIST) return list;
  const fold = element('details', 'wt-fold');
  fold.append(element('summary', '', `${input.list.length} ${isUnit ? 'units' : 'values'}`), list);
  return fold;
}

function inputItem(input, language, ownerName) {
  const li = element('li', 'wt-input');
  const head = element('div', 'wt-input-head');
  if (input.suffix) head.append(element('code', 'wt-suffix', `|${input.suffix}`), ' ');
  head.append(element('span', 'wt-type', input.type));
  for (const part of validationParts(input.validation)) head.append(' ', part);
  if (input.list?.length) {
    head.append(' ', element('span', 'wt-list-kind', input.suffix === 'unit' ? 'units' : 'values'));
  }
  if (input.listOpen !== undefined) {
    head.append(' ', element('span', `wt-open ${input.listOpen ? 'is-open' : 'is-closed'}`, input.listOpen ? 'open list' : 'closed list'));
  }
  if (input.terminology) head.append(' ', labelled('wt-terminology', 'terminology', input.terminology));
  if (input.defaultValue !== undefined) head.append(' ', labelled('wt-default', 'default', input.defaultValue));
  li.append(head);
  if (input.list?.length) li.append(optionList(input, language, ownerName));
  return li;
}

function inputList(node, language) {
  const list = element('ul', 'wt-inputs');
  list.setAttribute('aria-label', `Inputs of ${nodeName(node)}`);
  for (const input of node.inputs) list.append(inputItem(input, language, nodeName(node)));
  return list;
}

/** The one-line description of a node: name, RM type, occurrences, id (its AQL path as tooltip). */
function nodeLine(node) {
  const line = [
    element('span', 'wt-name', nodeName(node)),
    ' ',
    element('span', 'wt-rm', node.rmType),
    ' ',
  ];
  const occ = element('span', 'wt-occ');
  occ.append(element('span', 'visually-hidden', 'occurrences '), occurrences(node));
  line.push(occ, ' ', element('code', 'wt-id', node.id));
  return line;
}

function nodeItem(node, depth, language) {
  const li = element('li', 'wt-node');
  li.dataset.id = node.id;
  const children = node.children ?? [];
  if (!children.length) {
    const leaf = element('div', 'wt-leaf');
    leaf.title = node.aqlPath;
    leaf.append(...nodeLine(node));
    li.append(leaf);
    if (node.inputs?.length) li.append(inputList(node, language));
    return li;
  }
  const details = element('details', 'wt-branch');
  const summary = element('summary');
  summary.title = node.aqlPath || '/';
  summary.append(...nodeLine(node));
  details.append(summary);
  const fill = () => {
    if (details.dataset.filled) return;
    details.dataset.filled = 'true';
    if (node.inputs?.length) details.append(inputList(node, language));
    const list = element('ul', 'wt-children');
    for (const child of children) list.append(nodeItem(child, depth + 1, language));
    details.append(list);
  };
  // Filling on the summary's click (mouse, Enter or Space) adds the children before the node opens,
  // so it never paints open and empty; `toggle` covers opening by script.
  summary.addEventListener('click', fill);
  details.addEventListener('toggle', () => details.open && fill());
  if (depth < OPEN_DEPTH) {
    details.open = true;
    fill();
  }
  li.append(details);
  return li;
}

/** The tree's root list: `<ul class="wt-tree">` holding the root node. */
export function renderTree(template) {
  const tree = element('ul', 'wt-tree');
  tree.setAttribute('aria-label', `Web template of ${template.templateId}`);
  tree.append(nodeItem(template.tree, 0, template.defaultLanguage));
  return tree;
}

/** A safe download name: `<templateId>.wt.json` without path separators or reserved characters. */
export function downloadName(templateId) {
  return `${templateId.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_')}.wt.json`;
}

/** Offers `json` as a file download. */
export function download(json, name) {
  const url = URL.createObjectURL(new Blob([json], { type: 'application/openehr.wt+json' }));
  const link = element('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
