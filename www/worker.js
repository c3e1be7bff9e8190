// Runs the package off the main thread so multi-megabyte files keep the page responsive.
// Messages in: {id, op, ...}; out: {id, ...result} or {id, error}.
//   op 'validate'    {name, bytes: ArrayBuffer} -> {report} (validateFile: *.aql is always AQL);
//                                              an AQL report also gets `canonical` (validateAql)
//   op 'webTemplate' {bytes: ArrayBuffer} -> {result: toWebTemplate's result, json: its web template
//                                              as indented JSON text, or null, nodes: its node count}
//   op 'queryName'   {name: string}       -> {check: checkQueryName's result}
//   op 'flat'        {opt: ArrayBuffer, composition: ArrayBuffer} -> {check: validateFlat's result}
import init, { checkQueryName, toWebTemplate, validateAql, validateFile, validateFlat } from './pkg/openehr_definitions.js';

const ready = init();

function countNodes(node) {
  let count = 1;
  for (const child of node.children ?? []) count += countNodes(child);
  return count;
}

const OPS = {
  validate({ name, bytes }) {
    const input = new Uint8Array(bytes);
    const report = validateFile(name, input);
    if (report.kind === 'aql') report.canonical = validateAql(new TextDecoder().decode(input)).canonical;
    return { report };
  },
  webTemplate({ bytes }) {
    const result = toWebTemplate(new Uint8Array(bytes));
    const template = result.web_template;
    return {
      result,
      json: template ? JSON.stringify(template, null, 2) : null,
      nodes: template ? countNodes(template.tree) : 0,
    };
  },
  queryName({ name }) {
    return { check: checkQueryName(name) };
  },
  flat({ opt, composition }) {
    return { check: validateFlat(new Uint8Array(opt), new Uint8Array(composition)) };
  },
};

self.onmessage = async ({ data }) => {
  try {
    await ready;
    self.postMessage({ id: data.id, ...OPS[data.op](data) });
  } catch (error) {
    self.postMessage({ id: data.id, error: String(error?.message ?? error) });
  }
};
