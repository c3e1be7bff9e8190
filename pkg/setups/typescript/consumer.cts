// The CommonJS side (node16/nodenext): `require` gets the same typed API.
import definitions = require('openehr-definitions');

const report: definitions.Report = definitions.validate(new Uint8Array(0));
const metadata: definitions.OptMetadata | null = report.kind === 'opt14' ? report.metadata : null;
export const used = [metadata, definitions.init()];
