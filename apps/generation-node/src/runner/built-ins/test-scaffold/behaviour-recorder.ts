import { existsSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import type { ExportSpec, ParameterSpec } from './module-surface';
import { type Sample, sampleFor, VARIANTS } from './sample-values';
import { literalMatches, literalOf, typeDescription } from './value-literal';

/**
 * Calls a module's exports with synthesized inputs and writes down what
 * happened, twice, to tell stable behaviour from unstable. This runs the
 * repository's code: it happens in the generator runner, inside the sandbox.
 */

export type Outcome =
  | { kind: 'returned'; awaited: boolean; literal?: string; typeOf: string; className?: string }
  | { kind: 'threw'; awaited: boolean; name: string; message: string; isError: boolean }
  | { kind: 'pending' };

export interface RecordedCall {
  args: string[];
  outcome: Outcome;
  /** Both runs gave the same outcome. */
  stable: boolean;
}

export interface RecordedFunction {
  spec: ExportSpec;
  calls: RecordedCall[];
}

export interface RecordedClass {
  spec: ExportSpec;
  constructorArgs: string[];
  /** Set when constructing it threw: then there are no steps. */
  constructorOutcome?: RecordedCall;
  steps: Array<{ method: string } & RecordedCall>;
}

export interface Recording {
  functions: RecordedFunction[];
  classes: RecordedClass[];
  /** What could not be exercised, and why. */
  skipped: string[];
}

const ASYNC_TIMEOUT_MS = 2000;
const MAX_CALLS = 6;

export async function recordBehaviour(modulePath: string, specs: ExportSpec[]): Promise<Recording> {
  const loaded = (await loadModule(modulePath)) as Record<string, unknown>;
  const recording: Recording = { functions: [], classes: [], skipped: [] };
  for (const spec of specs) {
    const value = loaded[spec.exportName];
    if (typeof value !== 'function') {
      recording.skipped.push(`${spec.exportName}: not a function at run time`);
      continue;
    }
    if (spec.kind === 'function') {
      const plans = planCalls(spec.params);
      if (typeof plans === 'string') {
        recording.skipped.push(`${spec.localName}: ${plans}`);
        continue;
      }
      const calls: RecordedCall[] = [];
      for (const args of plans) {
        const first = await invoke(() => (value as (...a: unknown[]) => unknown)(...args.map((a) => a.make())));
        const second = await invoke(() => (value as (...a: unknown[]) => unknown)(...args.map((a) => a.make())));
        if (first.kind === 'pending') continue;
        calls.push({ args: args.map((a) => a.source), outcome: first, stable: sameOutcome(first, second) });
      }
      if (calls.length) recording.functions.push({ spec, calls });
      else recording.skipped.push(`${spec.localName}: every call was still pending after ${ASYNC_TIMEOUT_MS} ms`);
    } else {
      const recorded = await recordClass(spec, value as new (...a: unknown[]) => Record<string, unknown>, recording.skipped);
      if (recorded) recording.classes.push(recorded);
    }
  }
  return recording;
}

/** Argument lists for up to three calls, or why no call can be made. */
export function planCalls(params: ParameterSpec[], variants = VARIANTS): Sample[][] | string {
  const used: ParameterSpec[] = [];
  for (const param of params) {
    if (param.rest) break;
    if (!param.shape) {
      if (param.optional) break; // positional: leave it and everything after it out
      return `no input can be made for parameter \`${param.name}\``;
    }
    used.push(param);
  }
  const seen = new Set<string>();
  const calls: Sample[][] = [];
  const add = (args: Array<Sample | undefined>) => {
    if (args.some((a) => a === undefined)) return;
    const key = args.map((a) => a!.source).join(', ');
    if (seen.has(key)) return;
    seen.add(key);
    calls.push(args as Sample[]);
  };
  for (let variant = 0; variant < variants; variant += 1) add(used.map((p) => sampleFor(p.shape!, variant)));
  // Every value of a literal union (a tier, a mode) once with typical values for the rest, so each branch it selects is seen.
  if (variants > 1) {
    used.forEach((param, index) => {
      if (param.shape?.kind !== 'literal') return;
      for (const value of param.shape.values) {
        if (calls.length >= MAX_CALLS) return;
        add(used.map((p, i) => (i === index ? sampleFor({ kind: 'literal', values: [value] }, 0) : sampleFor(p.shape!, 0))));
      }
    });
  }
  return calls.length ? calls : 'no input can be made for its parameters';
}

async function recordClass(spec: ExportSpec, Class: new (...a: unknown[]) => Record<string, unknown>, skipped: string[]): Promise<RecordedClass | undefined> {
  const constructorPlan = planCalls(spec.params, 1);
  if (typeof constructorPlan === 'string') {
    skipped.push(`${spec.localName}: ${constructorPlan} of its constructor`);
    return undefined;
  }
  const constructorArgs = constructorPlan[0] ?? [];
  const steps: Array<{ method: string; args: Sample[] }> = [];
  for (const method of spec.methods) {
    const plan = planCalls(method.params, 1);
    if (typeof plan === 'string') skipped.push(`${spec.localName}.${method.name}: ${plan}`);
    else steps.push({ method: method.name, args: plan[0] ?? [] });
  }
  const run = async (): Promise<{ constructed?: Outcome; outcomes: Outcome[] }> => {
    let instance: Record<string, unknown> | undefined;
    const constructed = await invoke(() => (instance = new Class(...constructorArgs.map((a) => a.make()))));
    if (constructed.kind !== 'returned' || !instance) return { constructed, outcomes: [] };
    const outcomes: Outcome[] = [];
    for (const step of steps) {
      const target = instance;
      outcomes.push(await invoke(() => (target[step.method] as (...a: unknown[]) => unknown).call(target, ...step.args.map((a) => a.make()))));
    }
    return { outcomes };
  };
  const first = await run();
  const second = await run();
  const args = constructorArgs.map((a) => a.source);
  if (first.constructed) {
    return { spec, constructorArgs: args, constructorOutcome: { args, outcome: first.constructed, stable: sameOutcome(first.constructed, second.constructed) }, steps: [] };
  }
  const recordedSteps = steps
    .map((step, i) => ({ method: step.method, args: step.args.map((a) => a.source), outcome: first.outcomes[i], stable: sameOutcome(first.outcomes[i], second.outcomes[i]) }))
    // A pending call would leave the instance in an unknown state for the steps after it.
    .filter((_step, i, all) => all.slice(0, i + 1).every((s) => s.outcome.kind !== 'pending'));
  return { spec, constructorArgs: args, steps: recordedSteps };
}

async function invoke(thunk: () => unknown): Promise<Outcome> {
  let awaited = false;
  try {
    let result = thunk();
    if (isThenable(result)) {
      awaited = true;
      const settled = await Promise.race([
        Promise.resolve(result).then((value) => ({ value })),
        new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ASYNC_TIMEOUT_MS).unref()),
      ]);
      if (settled === 'pending') return { kind: 'pending' };
      result = settled.value;
    }
    const literal = literalOf(result);
    return { kind: 'returned', awaited, ...(literal !== undefined && literalMatches(literal, result) ? { literal } : {}), ...typeDescription(result) };
  } catch (error) {
    const isError = error instanceof Error;
    return {
      kind: 'threw',
      awaited,
      isError,
      name: isError ? error.name : typeof error,
      message: isError ? error.message : String(error),
    };
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function sameOutcome(a: Outcome | undefined, b: Outcome | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// Loading -------------------------------------------------------------------

const importNative = new Function('specifier', 'return import(specifier);') as (specifier: string) => Promise<unknown>;
let typescriptHookInstalled = false;

/** Loads a module the way the repository's own tests would: ESM through import(), CommonJS through require, TypeScript transpiled on the fly. */
export async function loadModule(path: string): Promise<unknown> {
  if (/\.(ts|tsx|mts|cts)$/.test(path)) {
    installTypeScriptHook();
    return Module.createRequire(path)(path);
  }
  if (path.endsWith('.mjs') || (path.endsWith('.js') && packageType(dirname(path)) === 'module')) {
    return importNative(pathToFileURL(path).href);
  }
  return Module.createRequire(path)(path);
}

function packageType(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const file = join(current, 'package.json');
    if (existsSync(file)) {
      try {
        return (JSON.parse(readFileSync(file, 'utf8')) as { type?: string }).type;
      } catch {
        return undefined;
      }
    }
    if (dirname(current) === current) return undefined;
  }
}

interface NodeModuleInternals {
  _extensions: Record<string, (module: { _compile(code: string, file: string): void }, file: string) => void>;
  _resolveFilename: (request: string, parent: unknown, ...rest: unknown[]) => string;
}

/** require() of .ts files, transpiled to CommonJS; `./x.js` in TypeScript sources finds `./x.ts`. */
function installTypeScriptHook(): void {
  if (typescriptHookInstalled) return;
  typescriptHookInstalled = true;
  const internals = Module as unknown as NodeModuleInternals;
  const compile = (module: { _compile(code: string, file: string): void }, file: string) => {
    const output = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, jsx: ts.JsxEmit.ReactJSX, sourceMap: false },
    });
    module._compile(output.outputText, file);
  };
  for (const extension of ['.ts', '.tsx', '.mts', '.cts']) internals._extensions[extension] = compile;
  const resolve = internals._resolveFilename;
  internals._resolveFilename = function (request: string, parent: unknown, ...rest: unknown[]) {
    try {
      return resolve.call(this, request, parent, ...rest);
    } catch (error) {
      const mapped = request.startsWith('.') ? request.replace(/\.(m|c)?js$/, (_m, flavour: string | undefined) => `.${flavour ?? ''}ts`) : request;
      if (mapped !== request) return resolve.call(this, mapped, parent, ...rest);
      throw error;
    }
  };
}
