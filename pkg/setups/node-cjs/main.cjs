// Node CommonJS: require() works too, again with no init call.
const { readFileSync } = require('node:fs');
const { validate } = require('openehr-definitions');

const [valid, invalid] = process.argv.slice(2).map((file) => validate(readFileSync(file)));
console.log(JSON.stringify([valid.kind, valid.valid, valid.metadata?.template_id, invalid.valid, invalid.diagnostics.map((d) => d.code)]));
