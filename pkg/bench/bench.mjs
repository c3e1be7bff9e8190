// Throughput (MB/s) of the node build's validateOpt over every real OPT in
// tests/fixtures/opt14/valid, with Uint8Array input (one copy into wasm memory) and with string
// input (UTF-16 -> UTF-8 encoding on the way in), against fast-xml-parser parsing the same
// strings, and (with --native) against the native core's `cargo bench --bench throughput`.
// Same method as the native bench: median of 5 runs of about 2 s each (--quick: 0.3 s).
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

/** validate_opt MB/s from the native bench's table, or null when it cannot run. */
function nativeValidateOpt() {
  const args = ['bench', '--quiet', '--bench', 'throughput', '--', ...(quick ? ['--quick'] : [])];
  const run = spawnSync('cargo', args, { cwd: repoDir, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (run.status !== 0) {
    console.error(`cargo bench failed (${run.status}):\n${run.stderr.slice(-2000)}`);
    return null;
  }
  process.stdout.write(`native bench output:\n${run.stdout}\n`);
  const line = run.stdout.split('\n').find((l) => l.includes('(c) validate_opt'));
  const match = line?.match(/validate_opt\s+([\d.]+)/);
  return match ? Number(match[1]) : null;
}

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
