// Node ESM: no init call; the package loads its .wasm synchronously on import.
import { readFileSync } from 'node:fs';
import { validate } from 'openehr-definitions';

const [valid, invalid] = process.argv.slice(2).map((file) => validate(readFileSync(file)));
console.log(JSON.stringify([valid.kind, valid.valid, valid.metadata?.template_id, invalid.valid, invalid.diagnostics.map((d) => d.code)]));
