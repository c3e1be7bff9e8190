// Shared helpers of the node test suite: the fixture corpus, the node build, the native CLI.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = resolve(pkgDir, '..');
export const fixturesDir = join(repoDir, 'tests', 'fixtures');

/** Every fixture the suite compares: `{ group, name, path }`, sorted within each folder. */
export function fixtureFiles() {
  return ['opt14/valid', 'opt14/invalid', 'adl2'].flatMap((group) =>
    readdirSync(join(fixturesDir, group))
      .sort()
      .map((name) => ({ group, name, path: join(fixturesDir, group, name) })),
  );
}

/** The wasm-pack `nodejs` build; `bash pkg/build.sh` makes it. */
export async function loadNodeBuild() {
  const entry = join(pkgDir, 'dist', 'node', 'openehr_definitions.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run 'bash pkg/build.sh' first`);
  return import(entry);
}

/**
 * The native `openehr-defs` binary: `$OPENEHR_DEFS_BIN` when set (CI), otherwise built here with
 * cargo (honouring `$CARGO_TARGET_DIR`) and located from cargo's own artifact messages.
 */
export function cliBinary() {
  if (process.env.OPENEHR_DEFS_BIN) return process.env.OPENEHR_DEFS_BIN;
  const build = spawnSync('cargo', ['build', '--quiet', '-p', 'openehr-defs', '--message-format=json'], {
    cwd: repoDir,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (build.status !== 0) throw new Error(`cargo build -p openehr-defs failed:\n${build.stderr}`);
  const executable = build.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line))
    .find((msg) => msg.reason === 'compiler-artifact' && msg.target?.name === 'openehr-defs' && msg.executable)
    ?.executable;
  if (!executable) throw new Error('cargo built openehr-defs but reported no executable');
  return executable;
}

/** One `openehr-defs check --json` run over all `paths`: its parsed array of `{path, kind, valid, metadata, diagnostics}`. */
export function cliCheckJson(paths) {
  const run = spawnSync(cliBinary(), ['check', '--json', ...paths], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  // 0: all valid, 1: some invalid; anything else means the CLI itself failed.
  if (run.status !== 0 && run.status !== 1) {
    throw new Error(`openehr-defs check --json exited ${run.status}:\n${run.stderr}`);
  }
  return JSON.parse(run.stdout);
}
