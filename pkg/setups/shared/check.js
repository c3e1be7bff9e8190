// What every browser setup runs, through whatever bundler the setup uses: one awaited init, then
// the synchronous API on one valid and one invalid real OPT (the test server serves both; the
// valid one is read as the ArrayBuffer that `file.arrayBuffer()` would give).
import { init, validate } from 'openehr-definitions';

const summary = (report) => ({
  kind: report.kind,
  valid: report.valid,
  template_id: report.kind === 'opt14' ? report.metadata.template_id : null,
  errors: report.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.line}:${d.column} ${d.path}`),
});

export async function check() {
  await init();
  const valid = validate(await (await fetch('valid.opt')).arrayBuffer());
  const invalid = validate(await (await fetch('invalid.opt')).text());
  return { valid: summary(valid), invalid: summary(invalid) };
}

export function publish(result) {
  window.setupResult = result.then(
    (value) => value,
    (error) => ({ error: String(error?.stack ?? error) }),
  );
}
