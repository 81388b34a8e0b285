import { basename } from 'node:path';
import type { Outcome, RecordedCall, Recording } from './behaviour-recorder';
import { quote } from './sample-values';
import type { TestSetup } from './test-setup-detection';

type Threw = Extract<Outcome, { kind: 'threw' }>;

/** How one framework (with its assertion library) writes a test: its imports, its blocks, its assertions. */
interface Dialect {
  imports(esm: boolean): string[];
  /** `describe`/`it` nesting, or top-level `test()` blocks. */
  suite: boolean;
  /** The test function's parameter list (`t` for ava). */
  params: string;
  equal(actual: string, expected: string): string;
  throws(call: string, outcome: Threw): string;
  rejects(call: string, outcome: Threw): string;
  footer: string[];
}

const importFrom = (esm: boolean, binding: string, module: string, cjsBinding = binding) => (esm ? `import ${binding} from ${quote(module)};` : `const ${cjsBinding} = require(${quote(module)});`);

/** A rejection asserted without chai-as-promised or an async assert: the promise's own two outcomes. */
const rejection = (call: string, fail: string, check: string) => `await (${call}).then(\n  () => ${fail},\n  (error) => ${check},\n);`;

function dialectFor(setup: TestSetup): Dialect {
  const nodeAssert: Pick<Dialect, 'equal' | 'throws' | 'rejects'> = {
    equal: (actual, expected) => `assert.deepStrictEqual(${actual}, ${expected});`,
    throws: (call, o) => `assert.throws(() => ${call}, { name: ${quote(o.name)}, message: ${quote(o.message)} });`,
    rejects: (call, o) => `await assert.rejects(async () => ${call}, { name: ${quote(o.name)}, message: ${quote(o.message)} });`,
  };
  const nodeAssertImport = (esm: boolean) => importFrom(esm, 'assert', setup.nodeAssertModule);
  switch (setup.framework) {
    case 'jest':
    case 'vitest': {
      const module = setup.framework === 'jest' ? '@jest/globals' : 'vitest';
      return {
        imports: (esm) => (setup.importsTestApi ? [importFrom(esm, '{ describe, expect, it }', module)] : []),
        suite: true,
        params: '',
        equal: (actual, expected) => `expect(${actual}).toEqual(${expected});`,
        throws: (call, o) => `expect(() => ${call}).toThrow(${quote(o.message)});`,
        rejects: (call, o) => `await expect(${call}).rejects.toThrow(${quote(o.message)});`,
        footer: [],
      };
    }
    case 'mocha':
      if (setup.assertion === 'chai-expect') {
        return {
          imports: (esm) => [importFrom(esm, '{ expect }', 'chai')],
          suite: true,
          params: '',
          equal: (actual, expected) => `expect(${actual}).to.deep.equal(${expected});`,
          throws: (call, o) => `expect(() => ${call}).to.throw(${quote(o.message)});`,
          rejects: (call, o) => rejection(call, "expect.fail('expected a rejection')", `expect(error).to.have.property('message', ${quote(o.message)})`),
          footer: [],
        };
      }
      if (setup.assertion === 'chai-assert') {
        return {
          imports: (esm) => [importFrom(esm, '{ assert }', 'chai')],
          suite: true,
          params: '',
          equal: (actual, expected) => `assert.deepEqual(${actual}, ${expected});`,
          throws: (call, o) => `assert.throws(() => ${call}, ${quote(o.message)});`,
          rejects: (call, o) => rejection(call, "assert.fail('expected a rejection')", `assert.propertyVal(error, 'message', ${quote(o.message)})`),
          footer: [],
        };
      }
      if (setup.assertion === 'should') {
        return {
          imports: (esm) => [importFrom(esm, 'should', 'should')],
          suite: true,
          params: '',
          equal: (actual, expected) => `should(${actual}).eql(${expected});`,
          throws: (call, o) => `should(() => ${call}).throw(${quote(o.message)});`,
          rejects: (call, o) => `await should(${call}).be.rejectedWith(${quote(o.message)});`,
          footer: [],
        };
      }
      return { imports: (esm) => [nodeAssertImport(esm)], suite: true, params: '', ...nodeAssert, footer: [] };
    case 'node':
      return { imports: (esm) => [importFrom(esm, '{ test }', 'node:test'), nodeAssertImport(esm)], suite: false, params: '', ...nodeAssert, footer: [] };
    case 'ava':
      return {
        imports: (esm) => [importFrom(esm, 'test', 'ava')],
        suite: false,
        params: 't',
        equal: (actual, expected) => `t.deepEqual(${actual}, ${expected});`,
        throws: (call, o) => `t.throws(() => ${call}, { name: ${quote(o.name)}, message: ${quote(o.message)} });`,
        rejects: (call, o) => `await t.throwsAsync(async () => ${call}, { name: ${quote(o.name)}, message: ${quote(o.message)} });`,
        footer: [],
      };
    case 'uvu':
      return {
        imports: (esm) => [importFrom(esm, '{ test }', 'uvu'), esm ? "import * as assert from 'uvu/assert';" : "const assert = require('uvu/assert');"],
        suite: false,
        params: '',
        equal: (actual, expected) => `assert.equal(${actual}, ${expected});`,
        // uvu takes a string here as the failure message, not the expected one: a RegExp matches the message.
        throws: (call, o) => `assert.throws(() => ${call}, ${exactMessage(o.message)});`,
        rejects: (call, o) => rejection(call, "assert.unreachable('expected a rejection')", `assert.is(error.message, ${quote(o.message)})`),
        footer: ['', 'test.run();'],
      };
  }
}

/**
 * The text of a characterization test: every recorded call becomes an
 * assertion on the value it returned (or the Error it threw) in both
 * recording runs, so a failure means the module's behaviour changed. In
 * the repository's framework, assertion library and module syntax.
 */
export function renderTestFile(input: { sourceFile: string; specifier: string; recording: Recording; setup: TestSetup }): string {
  const { recording, setup } = input;
  const dialect = dialectFor(setup);
  const esm = setup.moduleSyntax === 'esm';
  const blocks: string[] = [];
  const taken = new Set([...recording.functions.map((f) => f.spec.localName), ...recording.classes.map((c) => c.spec.localName)]);
  const block = (name: string, lines: string[], isAsync: boolean) => {
    const fn = dialect.suite ? 'it' : 'test';
    return [`${fn}(${quote(name)}, ${isAsync ? 'async ' : ''}(${dialect.params}) => {`, ...indent(lines), '});'].join('\n');
  };

  for (const fn of recording.functions) {
    const lines = fn.calls.flatMap((call) => assertion(`${fn.spec.localName}(${call.args.join(', ')})`, call, dialect));
    blocks.push(block(fn.spec.localName, lines, fn.calls.some((c) => awaited(c.outcome))));
  }
  for (const cls of recording.classes) {
    const construct = `new ${cls.spec.localName}(${cls.constructorArgs.join(', ')})`;
    if (cls.constructorOutcome) {
      blocks.push(block(cls.spec.localName, assertion(construct, cls.constructorOutcome, dialect), false));
      continue;
    }
    const instance = instanceName(cls.spec.localName, taken);
    const lines = [`const ${instance} = ${construct};`, ...cls.steps.flatMap((step) => assertion(`${instance}.${step.method}(${step.args.join(', ')})`, step, dialect))];
    blocks.push(block(cls.spec.localName, lines, cls.steps.some((s) => awaited(s.outcome))));
  }

  const header = [
    `// Characterization tests for ${input.sourceFile}, written by Autocode's test-scaffold`,
    '// generator: each expected value is what the module returned (or threw) in two',
    '// separate runs when the test was written, so a failure means its behaviour changed.',
  ];
  const body = dialect.suite ? [`describe(${quote(basename(input.sourceFile))}, () => {`, ...indent(blocks.join('\n\n').split('\n')), '});'] : [blocks.join('\n\n')];
  return [...header, ...dialect.imports(esm), moduleImport(input.specifier, recording, esm), '', ...body, ...dialect.footer, ''].join('\n');
}

/** A RegExp literal matching exactly `message`. */
function exactMessage(message: string): string {
  const escaped = message.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `/^${escaped}$/`;
}

function indent(lines: string[]): string[] {
  return lines.map((l) => (l ? `  ${l}` : l));
}

function awaited(outcome: Outcome): boolean {
  return outcome.kind !== 'pending' && outcome.awaited;
}

function assertion(call: string, recorded: RecordedCall, dialect: Dialect): string[] {
  const outcome = recorded.outcome;
  if (outcome.kind === 'pending') return [];
  if (outcome.kind === 'threw') return (outcome.awaited ? dialect.rejects(call, outcome) : dialect.throws(call, outcome)).split('\n');
  // The recorder keeps only calls whose value can be written down; anything else has no assertion to make.
  if (outcome.literal === undefined) return [];
  return [dialect.equal(outcome.awaited ? `await ${call}` : call, outcome.literal)];
}

function moduleImport(specifier: string, recording: Recording, esm: boolean): string {
  const exports = [...recording.functions.map((f) => f.spec), ...recording.classes.map((c) => c.spec)];
  const named = [...new Set(exports.filter((s) => s.exportName !== 'default').map((s) => s.exportName))].sort();
  const defaultExport = exports.find((s) => s.exportName === 'default');
  if (esm) {
    const bindings = [defaultExport?.localName, named.length ? `{ ${named.join(', ')} }` : undefined].filter(Boolean).join(', ');
    return `import ${bindings} from ${quote(specifier)};`;
  }
  const bindings = [...named, ...(defaultExport ? [`default: ${defaultExport.localName}`] : [])];
  return `const { ${bindings.join(', ')} } = require(${quote(specifier)});`;
}

function instanceName(className: string, taken: Set<string>): string {
  const base = className.charAt(0).toLowerCase() + className.slice(1);
  return base !== className && !taken.has(base) ? base : `a${className}`;
}
