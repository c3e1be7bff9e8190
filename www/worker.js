// Runs the validator off the main thread so multi-megabyte files keep the page responsive.
// Messages in: {id, bytes: ArrayBuffer}; out: {id, report} or {id, error}.
import init, { validate } from './pkg/openehr_definitions.js';

const ready = init();

self.onmessage = async ({ data: { id, bytes } }) => {
  try {
    await ready;
    self.postMessage({ id, report: validate(new Uint8Array(bytes)) });
  } catch (error) {
    self.postMessage({ id, error: String(error?.message ?? error) });
  }
};
