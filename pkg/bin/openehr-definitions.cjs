#!/usr/bin/env node
// `npx openehr-definitions check [--json] [--quiet] PATH...`: the `openehr-defs check` command
// of the Rust CLI, run on the package's own WebAssembly build, so a JS project can validate its
// templates in CI without Rust. Same output (rustc-like lines with a source snippet and a
// summary, or the same JSON array), same exit status: 0 every file is valid, 1 some file is
// invalid, 2 usage error or a path could not be read.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { validateFile, isDefinitionFileName } = require('../dist/node/openehr_definitions.js');
const { version } = require('../package.json');

const OK = 0;
const FAILED = 1;
const USAGE = 2;
const MAX_SNIPPET_LINE = 200;

const HELP = `Check OPT 1.4, ADL 2 and AQL files with openehr-definitions ${version} (WebAssembly).

Usage: openehr-definitions check [--json] [--quiet] <PATH>...

Options:
  --json       Print one JSON array with one object per file: {path, kind, valid, metadata, diagnostics}
  -q, --quiet  Print only errors (no warnings, no source snippets) and the summary
  -h, --help   Print this help
  -V, --version

Directories are searched recursively for *.opt, *.xml, *.adls, *.adlt, *.adl and *.aql files;
files named explicitly are checked whatever their name (*.aql files are always AQL queries).

Exit status: 0 every file is valid, 1 some file is invalid, 2 a path could not be read
or the arguments are wrong.
`;

const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
const ROLES = { error: '1;31', warning: '1;33', location: '1', gutter: '1;34', ok: '1;32' };
const paint = (role, text) => (colour ? `\x1b[${ROLES[role]}m${text}\x1b[0m` : text);

function usage(message) {
  process.stderr.write(`error: ${message}\n\nUsage: openehr-definitions check [--json] [--quiet] <PATH>...\n`);
  return USAGE;
}

function parseArgs(argv) {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') return { help: true };
  if (command === '-V' || command === '--version') return { version: true };
  if (command !== 'check') return { error: `unknown command \`${command}\` (the only command is \`check\`)` };
  const args = { json: false, quiet: false, paths: [] };
  let onlyPaths = false;
  for (const arg of rest) {
    if (onlyPaths || !arg.startsWith('-') || arg === '-') args.paths.push(arg);
    else if (arg === '--') onlyPaths = true;
    else if (arg === '--json') args.json = true;
    else if (arg === '-q' || arg === '--quiet') args.quiet = true;
    else if (arg === '-h' || arg === '--help') return { help: true };
    else return { error: `unexpected argument \`${arg}\`` };
  }
  if (args.paths.length === 0) return { error: 'at least one PATH is required' };
  return args;
}

/** Rust's `Path` order: component by component, each compared by its UTF-8 bytes. */
function comparePaths(a, b) {
  const x = a.split(path.sep);
  const y = b.split(path.sep);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return Buffer.compare(Buffer.from(x[i]), Buffer.from(y[i]));
  }
  return x.length - y.length;
}

function collect(paths) {
  const files = [];
  const errors = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      errors.push(`cannot read directory \`${dir}\`: ${ioMessage(error)}`);
      return;
    }
    for (const entry of entries) {
      const child = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (isDefinitionFileName(entry.name) && isFile(child)) files.push(child);
    }
  };
  for (const given of paths) {
    let stat;
    try {
      stat = fs.statSync(given);
    } catch (error) {
      errors.push(`cannot read \`${given}\`: ${ioMessage(error)}`);
      continue;
    }
    if (stat.isDirectory()) walk(given);
    else files.push(given);
  }
  files.sort(comparePaths);
  return { files: files.filter((file, i) => i === 0 || file !== files[i - 1]), errors };
}

function isFile(file) {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** An I/O error as Rust prints it (`No such file or directory (os error 2)`), so both CLIs say the same. */
const STRERROR = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
};
function ioMessage(error) {
  const errno = os.constants.errno[error.code];
  return STRERROR[error.code] && errno ? `${STRERROR[error.code]} (os error ${errno})` : error.message;
}

const plural = (count, noun) => (count === 1 ? `1 ${noun}` : `${count} ${noun}s`);

/** The bytes of 1-based line `line`, without its line ending, or undefined. */
function sourceLine(source, line) {
  let start = 0;
  for (let n = 1; n < line; n++) {
    const newline = source.indexOf(0x0a, start);
    if (newline < 0) return undefined;
    start = newline + 1;
  }
  if (line < 1) return undefined;
  let end = source.indexOf(0x0a, start);
  if (end < 0) end = source.length;
  let text = source.subarray(start, end);
  if (text.at(-1) === 0x0d) text = text.subarray(0, -1);
  return text;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function snippet(source, line, column) {
  const bytes = sourceLine(source, line);
  if (bytes === undefined || bytes.length > MAX_SNIPPET_LINE) return '';
  let text;
  try {
    text = utf8.decode(bytes);
  } catch {
    return '';
  }
  if (text.trim() === '') return '';
  const padding = Array.from(text)
    .slice(0, Math.max(column - 1, 0))
    .map((c) => (c === '\t' ? '\t' : ' '))
    .join('');
  const number = String(line);
  const blank = ' '.repeat(number.length);
  return `${paint('gutter', `${number} |`)} ${text}\n${paint('gutter', `${blank} |`)} ${padding}${paint('error', '^')}\n`;
}

function human(shown, source, report, quiet) {
  let out = '';
  for (const d of report.diagnostics) {
    if (quiet && d.severity !== 'error') continue;
    const label = paint(d.severity === 'error' ? 'error' : 'warning', `${d.severity}[${d.code}]`);
    out += `${paint('location', `${shown}:${d.line}:${d.column}:`)} ${label}: ${d.message}`;
    if (d.path !== '') out += ` (at ${d.path})`;
    out += '\n';
    if (!quiet) out += snippet(source, d.line, d.column);
  }
  return out;
}

function main(argv) {
  const args = parseArgs(argv);
  if (args.help) {
    process.stdout.write(HELP);
    return OK;
  }
  if (args.version) {
    process.stdout.write(`openehr-definitions ${version}\n`);
    return OK;
  }
  if (args.error) return usage(args.error);

  const { files, errors } = collect(args.paths);
  for (const error of errors) process.stderr.write(`error: ${error}\n`);
  let failed = errors.length;
  const tally = { valid: 0, invalid: 0, errors: 0, warnings: 0 };
  const out = [];
  for (const file of files) {
    let source;
    try {
      source = fs.readFileSync(file);
    } catch (error) {
      process.stderr.write(`error: cannot read \`${file}\`: ${ioMessage(error)}\n`);
      failed += 1;
      continue;
    }
    const report = validateFile(file, source);
    const errorCount = report.diagnostics.filter((d) => d.severity === 'error').length;
    tally.valid += report.valid ? 1 : 0;
    tally.invalid += report.valid ? 0 : 1;
    tally.errors += errorCount;
    tally.warnings += report.diagnostics.length - errorCount;
    out.push(args.json ? JSON.stringify({ path: file, ...report }) : human(file, source, report, args.quiet));
  }
  if (args.json) {
    process.stdout.write(out.length === 0 ? '[]\n' : `[\n${out.join(',\n')}\n]\n`);
  } else {
    let line = `checked ${plural(tally.valid + tally.invalid, 'file')}: ${tally.valid} valid, ${tally.invalid} invalid (${plural(tally.errors, 'error')}, ${plural(tally.warnings, 'warning')})`;
    if (failed > 0) line += `; ${plural(failed, 'path')} could not be read`;
    process.stdout.write(`${out.join('')}${paint(tally.invalid === 0 && failed === 0 ? 'ok' : 'error', line)}\n`);
  }
  if (failed > 0) return USAGE;
  return tally.invalid > 0 ? FAILED : OK;
}

process.exitCode = main(process.argv.slice(2));
