// Every export of the node build: result shapes, exact codes and positions, and the `E_ARG`
// error thrown for arguments of the wrong type (never a wasm trap).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fixturesDir, loadNodeBuild } from './support.mjs';

const wasm = await loadNodeBuild();
const fixture = (relative) => readFileSync(join(fixturesDir, relative));
const MINIMAL = 'opt14/valid/ehrbase_integration_test__opt__minimal_action.opt';
const ADL2 = 'adl2/openehr_archie__flattener__openEHR-EHR-COMPOSITION.blood_pressure.v1.0.0.adlt';

/** `[code, line, column, path]` of a diagnostic, for compact exact comparisons. */
const where = (d) => [d.code, d.line, d.column, d.path];

function assertThrowsArg(call, pattern) {
  assert.throws(call, (error) => {
    assert.ok(error instanceof Error, 'an Error instance');
    assert.equal(error.code, 'E_ARG');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('validateOpt', () => {
  test('a valid OPT: metadata filled, no errors', () => {
    const report = wasm.validateOpt(fixture(MINIMAL));
    assert.deepEqual(Object.keys(report), ['metadata', 'diagnostics']);
    assert.equal(report.metadata.template_id, 'minimal_action.en.v1_{{randomize}}');
    assert.equal(report.metadata.rm_type_name, 'COMPOSITION');
    assert.equal(report.metadata.language, 'en');
    assert.deepEqual(report.diagnostics.filter((d) => d.severity === 'error'), []);
  });

  test('string, bytes and ArrayBuffer agree', () => {
    const bytes = fixture(MINIMAL);
    const expected = wasm.validateOpt(bytes.toString('utf8'));
    assert.deepEqual(wasm.validateOpt(new Uint8Array(bytes)), expected);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    assert.ok(buffer instanceof ArrayBuffer);
    assert.deepEqual(wasm.validateOpt(buffer), expected);
  });

  test('a missing concept is OPT010 at the template element', () => {
    const report = wasm.validateOpt(
      fixture('opt14/invalid/ehrbase_integration_test__removed_mandatory_elements__minimal_action_removed_concept.opt'),
    );
    const errors = report.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors.map(where), [['OPT010', 3, 1, '/template']]);
    assert.match(errors[0].message, /concept/);
  });

  test('a DOCTYPE is refused with OPT003 at 1:1 of its line', () => {
    const report = wasm.validateOpt('<?xml version="1.0"?>\n<!DOCTYPE template [<!ENTITY x "y">]>\n<template/>');
    assert.deepEqual(report.diagnostics.map(where), [['OPT003', 2, 1, '']]);
  });

  test('empty input is OPT005', () => {
    assert.deepEqual(wasm.validateOpt('').diagnostics.map(where), [['OPT005', 1, 1, '']]);
  });

  test('wrong argument types throw E_ARG', () => {
    assertThrowsArg(() => wasm.validateOpt(42), /^`xml` must be a string, a Uint8Array or an ArrayBuffer, got number$/);
    assertThrowsArg(() => wasm.validateOpt(), /got undefined/);
    assertThrowsArg(() => wasm.validateOpt(new DataView(new ArrayBuffer(4))), /got object/);
  });
});

describe('validate on an ArrayBuffer (what file.arrayBuffer() gives)', () => {
  test('same report as the bytes', () => {
    const bytes = fixture(MINIMAL);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    assert.deepEqual(wasm.validate(buffer), wasm.validate(bytes));
    assert.equal(wasm.detectKind(buffer), 'opt14');
    assert.deepEqual(wasm.validate(new ArrayBuffer(0)).diagnostics.map(where), [['FMT001', 1, 1, '']]);
  });
});

describe('errors and init', () => {
  test('isDefinitionsError recognises exactly the errors the package throws', () => {
    let thrown;
    try {
      wasm.validate(1);
    } catch (error) {
      thrown = error;
    }
    assert.equal(wasm.isDefinitionsError(thrown), true);
    assert.equal(wasm.isDefinitionsError(new Error('x')), false);
    assert.equal(wasm.isDefinitionsError(Object.assign(new Error('x'), { code: 'E_OTHER' })), false);
    assert.equal(wasm.isDefinitionsError(Object.assign(new Error('x'), { code: 'E_INIT' })), true);
    assert.equal(wasm.isDefinitionsError({ code: 'E_ARG', message: 'not an Error' }), false);
    assert.equal(wasm.isDefinitionsError(undefined), false);
  });

  test('init() resolves at once in Node: the module is ready on require', async () => {
    assert.equal(await wasm.init(), undefined);
  });
});

describe('parseOptMetadata', () => {
  test('reads the header metadata validateOpt reads', () => {
    const bytes = fixture(MINIMAL);
    const quick = wasm.parseOptMetadata(bytes);
    const full = wasm.validateOpt(bytes).metadata;
    for (const field of ['template_id', 'concept', 'uid', 'archetype_id', 'rm_type_name', 'language', 'purpose']) {
      assert.equal(quick.metadata[field], full[field], field);
    }
    assert.deepEqual(quick.diagnostics, []);
  });

  test('wrong argument types throw E_ARG', () => {
    assertThrowsArg(() => wasm.parseOptMetadata(null), /`xml` must be a string, a Uint8Array or an ArrayBuffer, got null/);
  });
});

describe('validate', () => {
  test('an OPT: kind opt14, OPT metadata', () => {
    const report = wasm.validate(fixture(MINIMAL));
    assert.deepEqual(Object.keys(report), ['kind', 'valid', 'metadata', 'diagnostics']);
    assert.equal(report.kind, 'opt14');
    assert.equal(report.valid, true);
    assert.equal(report.metadata.template_id, 'minimal_action.en.v1_{{randomize}}');
  });

  test('an ADL 2 template: kind adl2, header metadata', () => {
    const report = wasm.validate(fixture(ADL2));
    assert.equal(report.kind, 'adl2');
    assert.equal(report.metadata.artefact_kind, 'template');
    assert.equal(report.metadata.id, 'openEHR-EHR-COMPOSITION.blood_pressure.v1.0.0');
    assert.equal(report.metadata.hrid.rm_class, 'COMPOSITION');
  });

  test('anything else is FMT001 at 1:1 with null metadata', () => {
    const report = wasm.validate('{"json": true}');
    assert.equal(report.kind, 'unknown');
    assert.equal(report.valid, false);
    assert.equal(report.metadata, null);
    assert.deepEqual(report.diagnostics.map(where), [['FMT001', 1, 1, '']]);
  });

  test('wrong argument types throw E_ARG', () => {
    assertThrowsArg(() => wasm.validate({}), /`input` must be a string, a Uint8Array or an ArrayBuffer, got object/);
  });
});

describe('parseAdl2Header', () => {
  test('reads the header of a real template', () => {
    const report = wasm.parseAdl2Header(fixture(ADL2).toString('utf8'));
    assert.deepEqual(Object.keys(report), ['header', 'diagnostics']);
    assert.equal(report.header.artefact_kind, 'template');
    assert.equal(report.header.hrid.concept, 'blood_pressure');
    assert.equal(report.header.hrid.version, '1.0.0');
  });

  test('text that is not ADL is ADL001', () => {
    assert.deepEqual(wasm.parseAdl2Header('hello').diagnostics.map(where), [['ADL001', 1, 1, '']]);
  });

  test('bytes are refused: the header parser takes text', () => {
    assertThrowsArg(() => wasm.parseAdl2Header(new Uint8Array([97])), /`text` must be a string, got object/);
  });
});

describe('detectKind', () => {
  test('decides from the content', () => {
    assert.equal(wasm.detectKind('\uFEFF  <?xml version="1.0"?><template/>'), 'opt14');
    assert.equal(wasm.detectKind(new Uint8Array([0xff, 0xfe, 0x3c, 0x00])), 'opt14');
    assert.equal(wasm.detectKind('-- comment\narchetype (adl_version=2.0.6)'), 'adl2');
    assert.equal(wasm.detectKind('templates are nice'), 'unknown');
    assert.equal(wasm.detectKind(''), 'unknown');
  });

  test('wrong argument types throw E_ARG', () => {
    assertThrowsArg(() => wasm.detectKind(true), /got boolean/);
  });
});

describe('validateFile and isDefinitionFileName', () => {
  test('an *.aql file is read as AQL even when it does not start with SELECT', () => {
    const report = wasm.validateFile('queries/bp.AQL', '-- all EHRs\nFROM EHR e');
    assert.equal(report.kind, 'aql');
    assert.equal(report.valid, false);
    assert.equal(wasm.validateFile('notes.txt', '-- all EHRs\nFROM EHR e').kind, 'unknown');
  });

  test('any other name leaves the kind to the content', () => {
    assert.deepEqual(wasm.validateFile('template.aql.bak', fixture(MINIMAL)), wasm.validate(fixture(MINIMAL)));
  });

  test('the names a directory walk checks, in any case', () => {
    for (const name of ['a.opt', 'b.XML', 'c.adls', 'd.adlt', 'e.ADL', 'f.aql', 'dir/g.Opt']) {
      assert.equal(wasm.isDefinitionFileName(name), true, name);
    }
    for (const name of ['a.json', '.opt', 'opt', 'a.opt.bak', '']) {
      assert.equal(wasm.isDefinitionFileName(name), false, name);
    }
  });

  test('wrong argument types throw E_ARG', () => {
    assertThrowsArg(() => wasm.validateFile(1, ''), /got number/);
    assertThrowsArg(() => wasm.isDefinitionFileName(null), /got null/);
  });
});

describe('checkTemplateId', () => {
  test('a valid id comes back as the value', () => {
    assert.deepEqual(wasm.checkTemplateId('IDCR - Adverse Reaction List.v1'), {
      valid: true,
      value: 'IDCR - Adverse Reaction List.v1',
      diagnostic: null,
    });
  });

  test('errors carry the code and column', () => {
    const cases = [
      ['', 'ID001', 1],
      ['a'.repeat(256), 'ID002', 256],
      [' x', 'ID003', 1],
      ['a\tb', 'ID004', 2],
      ['Größe/Länge', 'ID005', 6],
    ];
    for (const [id, code, column] of cases) {
      const result = wasm.checkTemplateId(id);
      assert.equal(result.valid, false, id);
      assert.equal(result.value, null);
      assert.deepEqual(where(result.diagnostic), [code, 1, column, ''], JSON.stringify(id));
      assert.equal(result.diagnostic.severity, 'error');
    }
  });

  test('wrong argument types throw E_ARG', () => {
    assertThrowsArg(() => wasm.checkTemplateId(7), /`id` must be a string, got number/);
  });
});

describe('checkAdl2Id', () => {
  test('a full HRID parses into its parts', () => {
    assert.deepEqual(wasm.checkAdl2Id('org.openehr::openEHR-EHR-OBSERVATION.ovl-bp-bp-001.v1.2.3-rc.4'), {
      valid: true,
      value: {
        namespace: 'org.openehr',
        rm_publisher: 'openEHR',
        rm_package: 'EHR',
        rm_class: 'OBSERVATION',
        concept: 'ovl-bp-bp-001',
        version: '1.2.3-rc.4',
      },
      diagnostic: null,
    });
  });

  test('errors carry the code and column', () => {
    assert.deepEqual(where(wasm.checkAdl2Id('openEHR-EHR-COMPOSITION.a.v1').diagnostic), ['ID006', 1, 29, '']);
    assert.deepEqual(where(wasm.checkAdl2Id('').diagnostic), ['ID001', 1, 1, '']);
  });

  test('wrong argument types throw E_ARG', () => {
    assertThrowsArg(() => wasm.checkAdl2Id(['x']), /`id` must be a string, got object/);
  });
});

describe('checkQueryName', () => {
  test('a qualified name parses', () => {
    assert.deepEqual(wasm.checkQueryName('org.openehr::my_compositions'), {
      valid: true,
      value: { namespace: 'org.openehr', name: 'my_compositions' },
      diagnostic: null,
    });
    assert.deepEqual(wasm.checkQueryName('plain').value, { namespace: null, name: 'plain' });
  });

  test('errors carry the code and column', () => {
    assert.deepEqual(where(wasm.checkQueryName('org.openehr::AqL').diagnostic), ['ID007', 1, 14, '']);
    assert.deepEqual(where(wasm.checkQueryName('my query').diagnostic), ['ID005', 1, 3, '']);
    assert.deepEqual(where(wasm.checkQueryName('a::b::c').diagnostic), ['ID006', 1, 5, '']);
  });

  test('wrong argument types throw E_ARG', () => {
    assertThrowsArg(() => wasm.checkQueryName(undefined), /`name` must be a string, got undefined/);
  });
});

describe('resolveVersion', () => {
  const all = ['1.0.0', '1.2.0', '1.2.5', '1.10.1', '2.0.0-rc.1', '0.9.0'];

  test('the highest release matching the pattern', () => {
    assert.deepEqual(wasm.resolveVersion('', all), { valid: true, value: '1.10.1', diagnostic: null });
    assert.equal(wasm.resolveVersion('1.2', all).value, '1.2.5');
    assert.equal(wasm.resolveVersion('2.0.0-rc.1', all).value, '2.0.0-rc.1');
  });

  test('no match is valid with a null value', () => {
    assert.deepEqual(wasm.resolveVersion('2', all), { valid: true, value: null, diagnostic: null });
  });

  test('a malformed pattern or stored version is VER001 with its column', () => {
    assert.deepEqual(where(wasm.resolveVersion('1.x', all).diagnostic), ['VER001', 1, 3, '']);
    const stored = wasm.resolveVersion('1', ['1.0.x']).diagnostic;
    assert.deepEqual(where(stored), ['VER001', 1, 5, '']);
    assert.match(stored.message, /stored version `1.0.x`/);
  });

  test('wrong argument types throw E_ARG', () => {
    assertThrowsArg(() => wasm.resolveVersion(1, []), /`pattern` must be a string, got number/);
    assertThrowsArg(() => wasm.resolveVersion('1', '1.0.0'), /`versions` must be an array of strings, got string/);
    assertThrowsArg(() => wasm.resolveVersion('1', ['1.0.0', 2]), /`versions\[1\]` must be a string, got number/);
  });
});

describe('nextQueryVersion', () => {
  const existing = ['1.0.0', '1.1.0', '1.1.3', '2.0.0'];

  test('bumps the requested part', () => {
    assert.deepEqual(wasm.nextQueryVersion('', existing), { valid: true, value: '3.0.0', diagnostic: null });
    assert.equal(wasm.nextQueryVersion('1', existing).value, '1.2.0');
    assert.equal(wasm.nextQueryVersion('1.1', existing).value, '1.1.4');
    assert.equal(wasm.nextQueryVersion('', []).value, '1.0.0');
  });

  test('an existing exact version is VER002', () => {
    const result = wasm.nextQueryVersion('1.1.3', existing);
    assert.equal(result.valid, false);
    assert.equal(result.diagnostic.code, 'VER002');
  });

  test('wrong argument types throw E_ARG', () => {
    assertThrowsArg(() => wasm.nextQueryVersion('1', null), /`existing` must be an array of strings, got null/);
  });
});

describe('validateAql', () => {
  test('a valid query lists its parameters and its canonical form', () => {
    const check = wasm.validateAql('select e/ehr_id/value from EHR e[ehr_id/value=$ehr_id] contains COMPOSITION c');
    assert.equal(check.valid, true);
    assert.deepEqual(check.parameters, ['ehr_id']);
    assert.deepEqual(check.diagnostics, []);
    assert.equal(check.canonical, 'SELECT e/ehr_id/value FROM EHR e[ehr_id/value=$ehr_id] CONTAINS COMPOSITION c');
  });

  test('a broken query has exact codes and positions, and no canonical form', () => {
    const check = wasm.validateAql('SELECT e/ehr_id/value\nWHERE e/a == 1');
    assert.equal(check.valid, false);
    assert.deepEqual(check.diagnostics.map(where), [
      ['AQL006', 2, 1, '/select'],
      ['AQL005', 2, 11, '/where'],
    ]);
    assert.equal(check.canonical, null);
  });

  test('wrong argument types throw E_ARG', () => {
    assertThrowsArg(() => wasm.validateAql(new Uint8Array([0x53])), /`text` must be a string, got object/);
  });
});

describe('parseAql', () => {
  test('returns the syntax tree in the core serde form', () => {
    const parsed = wasm.parseAql('SELECT c/name/value AS n FROM EHR e CONTAINS COMPOSITION c WHERE c/x >= 1');
    assert.equal(parsed.valid, true);
    assert.deepEqual(parsed.query.select[0], {
      expr: { path: { variable: 'c', predicate: null, path: [{ attribute: 'name', predicate: null }, { attribute: 'value', predicate: null }] } },
      alias: 'n',
    });
    assert.equal(parsed.query.from.class.class.class, 'EHR');
    assert.equal(parsed.query.where.comparison.op, '>=');
    assert.deepEqual(parsed.query.where.comparison.right, { literal: { integer: 1 } });
  });

  test('a syntax error leaves the tree null', () => {
    const parsed = wasm.parseAql('SELECT e FROM EHR e WHERE');
    assert.equal(parsed.query, null);
    assert.deepEqual(parsed.diagnostics.map(where), [['AQL001', 1, 26, '/where']]);
  });
});
