// Throughput of the node build over the real fixtures, each beside its baseline measured in the
// same run:
//   validateOpt (MB/s) over tests/fixtures/opt14/valid, with Uint8Array input (one copy into wasm
//     memory) and with string input (UTF-16 -> UTF-8 on the way in), against fast-xml-parser
//     parsing the same strings;
//   toWebTemplate (MB/s over the same OPTs, and ms for the IPS OPT), validateAql (queries/s over
//     tests/fixtures/aql/valid) and validateFlat (compositions/s over tests/fixtures/flat, the web
//     template built per call as the package does), against validateOpt on the same run;
//   with --native, each against the native core's own bench (`cargo bench --bench throughput`,
//     `web_template`, `aql`, `flat`), run from here.
// Same method as the native benches: median of 5 runs of about 2 s each (--quick: 0.3 s).
//   node bench/bench.mjs [--quick] [--native]
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { fixturesDir, loadNodeBuild, repoDir } from '../test/support.mjs';

const quick = process.argv.includes('--quick');
const withNative = process.argv.includes('--native');
const budgetMs = quick ? 300 : 2000;
const RUNS = 5;

const dir = join(fixturesDir, 'opt14', 'valid');
const buffers = readdirSync(dir).sort().map((name) => new Uint8Array(readFileSync(join(dir, name))));
const strings = buffers.map((b) => new TextDecoder().decode(b));
const totalBytes = buffers.reduce((sum, b) => sum + b.length, 0);

/** Median MB/s over RUNS runs; each run repeats whole passes over the corpus for about budgetMs. */
function measure(work) {
  const rates = [];
  for (let run = 0; run < RUNS; run++) {
    let bytes = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      for (let i = 0; i < buffers.length; i++) work(i);
      bytes += totalBytes;
      elapsed = performance.now() - start;
    } while (elapsed < budgetMs);
    rates.push(bytes / 1e6 / (elapsed / 1e3));
  }
  return rates.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

/** The output of one native bench (`cargo bench --bench name`), or null when it cannot run. */
function nativeBench(name) {
  const args = ['bench', '--quiet', '--bench', name, '--', ...(quick ? ['--quick'] : [])];
  const run = spawnSync('cargo', args, { cwd: repoDir, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (run.status !== 0) {
    console.error(`cargo bench --bench ${name} failed (${run.status}):\n${run.stderr.slice(-2000)}`);
    return null;
  }
  process.stdout.write(`native bench ${name}:\n${run.stdout}\n`);
  return run.stdout;
}

/** The first number after `pattern` in a native bench's output, or null. */
function figure(output, pattern) {
  const match = output?.match(pattern);
  return match ? Number(match[1]) : null;
}

/** validate_opt MB/s from the native throughput bench's table, or null when it cannot run. */
const nativeValidateOpt = () => figure(nativeBench('throughput'), /\(c\) validate_opt\s+([\d.]+)/);

const wasm = await loadNodeBuild();
const invalid = buffers.filter((b) => wasm.validateOpt(b).diagnostics.some((d) => d.severity === 'error')).length;
console.log(`corpus: ${buffers.length} files, ${(totalBytes / 1e6).toFixed(1)} MB; validateOpt flags ${invalid} as invalid`);
console.log(`about ${(budgetMs / 1e3).toFixed(1)} s per measurement, median of ${RUNS} runs\n`);

const parser = new XMLParser({ ignoreAttributes: false });
const results = [
  ['wasm validateOpt(Uint8Array)', measure((i) => wasm.validateOpt(buffers[i]))],
  ['wasm validateOpt(string)', measure((i) => wasm.validateOpt(strings[i]))],
  ['fast-xml-parser parse(string)', measure((i) => parser.parse(strings[i]))],
];
const native = withNative ? nativeValidateOpt() : null;
if (native) results.push(['native validate_opt (cargo bench)', native]);

const fxp = results[2][1];
console.log(`${'measurement'.padEnd(36)} ${'MB/s'.padStart(10)} ${'vs fast-xml-parser'.padStart(20)} ${'vs native'.padStart(10)}`);
for (const [name, rate] of results) {
  const vsNative = native ? `${(rate / native).toFixed(2)}x` : 'n/a';
  console.log(`${name.padEnd(36)} ${rate.toFixed(1).padStart(10)} ${`${(rate / fxp).toFixed(2)}x`.padStart(20)} ${vsNative.padStart(10)}`);
}

// --- web templates, AQL, FLAT: each beside validateOpt of this run and, with --native, the core ---

/** Median seconds of `runs` calls of `work`. */
function medianSeconds(runs, work) {
  const times = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    work();
    times.push((performance.now() - start) / 1e3);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

/** Median items/s over RUNS runs of whole passes over `items`, each run about budgetMs. */
function perSecond(items, work) {
  const rates = [];
  for (let run = 0; run < RUNS; run++) {
    let done = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      for (const item of items) work(item);
      done += items.length;
      elapsed = performance.now() - start;
    } while (elapsed < budgetMs);
    rates.push(done / (elapsed / 1e3));
  }
  return rates.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

const validateRate = results[0][1];
const webTemplateRate = measure((i) => wasm.toWebTemplate(buffers[i]));
// The largest OPT (International_Patient_Summary, 1.9 MB), as the native web_template bench picks it.
const largestOpt = buffers.reduce((a, b) => (b.length > a.length ? b : a));
const ipsMs = medianSeconds(quick ? 5 : 11, () => wasm.toWebTemplate(largestOpt)) * 1e3;

const aqlDir = join(fixturesDir, 'aql', 'valid');
const queries = readdirSync(aqlDir).sort().map((name) => readFileSync(join(aqlDir, name), 'utf8'));
const queriesPerSecond = perSecond(queries, (text) => wasm.validateAql(text));

const flatDir = join(fixturesDir, 'flat');
const compositions = readFileSync(join(flatDir, 'MANIFEST.tsv'), 'utf8')
  .split('\n')
  .slice(1)
  .filter((line) => line.trim() !== '')
  .map((line) => line.split('\t'))
  .map(([composition, template]) => ({
    template,
    opt: new Uint8Array(readFileSync(join(flatDir, template))),
    data: new Uint8Array(readFileSync(join(flatDir, composition))),
  }));
const compositionsPerSecond = perSecond(compositions, ({ opt, data }) => wasm.validateFlat(opt, data));
// The same against each template's web template object, built once (a form checking as the user types).
const webTemplates = new Map();
for (const composition of compositions) {
  const { template, opt } = composition;
  if (!webTemplates.has(template)) webTemplates.set(template, wasm.toWebTemplate(opt).web_template);
  composition.wt = webTemplates.get(template);
}
const prebuiltPerSecond = perSecond(compositions, ({ wt, data }) => wasm.validateFlat(wt, data));
const flatMb = compositions.reduce((sum, { data }) => sum + data.length, 0) / 1e6;
const largest = compositions.reduce((a, b) => (b.data.length > a.data.length ? b : a));
const largestMs = medianSeconds(quick ? 25 : 105, () => wasm.validateFlat(largest.wt, largest.data)) * 1e3;

// Example of the largest OPT, as exampleComposition(opt) builds it: web template, then example.
const exampleMs = medianSeconds(quick ? 5 : 21, () => wasm.exampleComposition(largestOpt)) * 1e3;
const nativeExample = withNative ? nativeBench('example') : null;
const nativeWt = withNative ? nativeBench('web_template') : null;
const nativeAql = withNative ? nativeBench('aql') : null;
const nativeFlat = withNative ? nativeBench('flat') : null;
const rows = [
  ['toWebTemplate (MB/s)', webTemplateRate, figure(nativeWt, /^web_template\s+([\d.]+) MB\/s/m), validateRate],
  ['toWebTemplate of the largest OPT (ms)', ipsMs, figure(nativeWt, /^web_template of .*: ([\d.]+) ms/m), null],
  ['exampleComposition of the largest OPT (ms)', exampleMs, figure(nativeExample, /^largest .*: example \(flat, required\) ([\d.]+) ms/m), null],
  [`validateAql, ${queries.length} queries (queries/s)`, queriesPerSecond, figure(nativeAql, /^parse_aql\s+(\d+)/m), null],
  [
    `validateFlat, ${compositions.length} compositions (per s)`,
    compositionsPerSecond,
    figure(nativeFlat, /^validate_flat_opt\s+(\d+) compositions/m),
    null,
  ],
  [
    'validateFlat, web template built once (per s)',
    prebuiltPerSecond,
    figure(nativeFlat, /^validate_flat\s+(\d+) compositions/m),
    null,
  ],
  ['validateFlat, web template built once (MB/s)', prebuiltPerSecond * (flatMb / compositions.length), figure(nativeFlat, /^validate_flat\s+\d+ compositions\/s\s+([\d.]+) MB\/s/m), null],
  [`validateFlat of the largest composition, ${(largest.data.length / 1e3).toFixed(1)} kB (ms)`, largestMs, figure(nativeFlat, /^largest .*: ([\d.]+) ms/m), null],
];
console.log(`\n${'measurement'.padEnd(56)} ${'wasm'.padStart(10)} ${'native'.padStart(10)} ${'wasm/native'.padStart(12)} ${'vs validateOpt'.padStart(15)}`);
for (const [name, value, nativeValue, baseline] of rows) {
  const lowerIsBetter = name.endsWith('(ms)');
  const ratio = value && nativeValue ? (lowerIsBetter ? nativeValue / value : value / nativeValue) : null;
  console.log(
    `${name.padEnd(56)} ${value === null ? 'n/a'.padStart(10) : value.toFixed(1).padStart(10)} ` +
      `${nativeValue === null ? 'n/a'.padStart(10) : nativeValue.toFixed(1).padStart(10)} ` +
      `${ratio === null ? 'n/a'.padStart(12) : `${ratio.toFixed(2)}x`.padStart(12)} ` +
      `${baseline ? `${(value / baseline).toFixed(2)}x`.padStart(15) : ''.padStart(15)}`,
  );
}
