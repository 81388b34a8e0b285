import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { installDeterminismProbes, type Nondeterminism, watchNondeterminism } from './determinism-probes';
import type { ExportSpec, ParameterSpec } from './module-surface';
import { type Sample, sampleFor, VARIANTS } from './sample-values';
import { literalMatches, literalOf, typeDescription } from './value-literal';

/**
 * Calls a module's exports with synthesized inputs and writes down what
 * happened — in two separate processes, so that only behaviour that is
 * the same across runs (not merely across two calls in one process)
 * becomes an assertion. This runs the repository's code: the processes
 * are children of the generator runner, inside the sandbox.
 */

export type Outcome =
  | { kind: 'returned'; awaited: boolean; literal?: string; typeOf: string; className?: string }
  | { kind: 'threw'; awaited: boolean; name: string; message: string; isError: boolean }
  | { kind: 'pending' };

/** A call the test asserts on: it returned a value that can be written down, or threw an Error, the same way in both runs. */
export interface RecordedCall {
  args: string[];
  outcome: Outcome;
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
  /** What could not be exercised or was left out, and why. */
  skipped: string[];
}

/** One run's raw observations, as the recording process reports them. */
export interface RunCall {
  args: string[];
  outcome: Outcome;
  touched: Nondeterminism[];
}
export interface BehaviourRun {
  functions: Array<{ exportName: string; calls: RunCall[] }>;
  classes: Array<{ exportName: string; constructed: RunCall; steps: Array<{ method: string } & RunCall> }>;
  skipped: string[];
}

/** The runner's argument that makes it a recording process instead (see generator-runner.entry.ts). */
export const RECORD_BEHAVIOUR_FLAG = '--record-behaviour';
const ASYNC_TIMEOUT_MS = 2000;
const RUN_TIMEOUT_MS = 60_000;
const MAX_CALLS = 6;
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** Records `specs` of the module in two recording processes and keeps what both saw alike. */
export async function recordBehaviour(modulePath: string, specs: ExportSpec[], runOnce: RecordingProcess = recordInChildProcess): Promise<Recording> {
  const first = await runOnce(modulePath, specs);
  const second = await runOnce(modulePath, specs);
  return keepDeterministic(specs, first, second);
}

export type RecordingProcess = (modulePath: string, specs: ExportSpec[]) => Promise<BehaviourRun>;

/** Starts this program again (the generator runner) as a recording process: the job on stdin, the run on fd 3 (stdout is the module's). */
export function recordInChildProcess(modulePath: string, specs: ExportSpec[]): Promise<BehaviourRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], RECORD_BEHAVIOUR_FLAG], { cwd: process.cwd(), stdio: ['pipe', 'ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.stdio[3]!.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) child.kill('SIGKILL');
      else chunks.push(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      if (code === 0 && text) {
        try {
          resolve(JSON.parse(text) as BehaviourRun);
          return;
        } catch {
          // reported below
        }
      }
      const why = signal ? `was stopped (${signal}${size > MAX_OUTPUT_BYTES ? ', too much output' : `, over ${RUN_TIMEOUT_MS} ms`})` : `exited with code ${code}`;
      const lastError = stderr.trim().split('\n').filter(Boolean).slice(-1)[0];
      reject(new Error(`the recording process ${why}${lastError ? `: ${lastError}` : ''}`));
    });
    child.stdin!.end(JSON.stringify({ modulePath, specs }));
  });
}

/** The recording process's main: one run of the job on stdin, written to fd 3, then exit (whatever the module left running). */
export async function runRecordingProcess(): Promise<void> {
  let input = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) input += chunk as string;
  const { modulePath, specs } = JSON.parse(input) as { modulePath: string; specs: ExportSpec[] };
  installDeterminismProbes();
  const run = await recordRun(modulePath, specs);
  writeSync(3, JSON.stringify(run));
  process.exit(0);
}

/** One run in this process: loads the module (throws when it cannot be loaded) and makes every planned call. */
export async function recordRun(modulePath: string, specs: ExportSpec[]): Promise<BehaviourRun> {
  const loaded = (await loadModule(modulePath)) as Record<string, unknown>;
  const run: BehaviourRun = { functions: [], classes: [], skipped: [] };
  for (const spec of specs) {
    const value = loaded[spec.exportName];
    if (typeof value !== 'function') {
      run.skipped.push(`${spec.exportName}: not a function at run time`);
      continue;
    }
    if (spec.kind === 'function') {
      const plans = planCalls(spec.params);
      if (typeof plans === 'string') {
        run.skipped.push(`${spec.localName}: ${plans}`);
        continue;
      }
      const calls: RunCall[] = [];
      for (const args of plans) calls.push({ args: args.map((a) => a.source), ...(await invoke(() => (value as (...a: unknown[]) => unknown)(...args.map((a) => a.make())))) });
      run.functions.push({ exportName: spec.exportName, calls });
    } else {
      const recorded = await runClass(spec, value as new (...a: unknown[]) => Record<string, unknown>, run.skipped);
      if (recorded) run.classes.push(recorded);
    }
  }
  return run;
}

/**
 * What the test may assert: calls that gave the same outcome in both runs,
 * touched no clock, randomness or network, settled in time, and returned
 * a value that can be written down (or threw an Error). A class keeps its
 * method calls up to the first one that does not qualify, since later
 * calls depend on the state it left.
 */
export function keepDeterministic(specs: ExportSpec[], first: BehaviourRun, second: BehaviourRun): Recording {
  const recording: Recording = { functions: [], classes: [], skipped: [...first.skipped] };
  for (const spec of specs) {
    if (spec.kind === 'function') {
      const a = first.functions.find((f) => f.exportName === spec.exportName);
      const b = second.functions.find((f) => f.exportName === spec.exportName);
      if (!a) continue;
      const calls: RecordedCall[] = [];
      const dropped = new Set<string>();
      a.calls.forEach((call, i) => {
        const why = whyNotAsserted(call, b?.calls[i]);
        if (why) dropped.add(why);
        else calls.push({ args: call.args, outcome: call.outcome });
      });
      if (calls.length) recording.functions.push({ spec, calls });
      if (dropped.size) recording.skipped.push(`${spec.localName}: ${calls.length ? 'some calls left out' : 'not tested'} — ${[...dropped].join('; ')}`);
      continue;
    }
    const a = first.classes.find((c) => c.exportName === spec.exportName);
    const b = second.classes.find((c) => c.exportName === spec.exportName);
    if (!a) continue;
    const constructedWhy = whyNotAsserted(a.constructed, b?.constructed, true);
    if (constructedWhy) {
      recording.skipped.push(`${spec.localName}: not tested — constructing it ${constructedWhy}`);
      continue;
    }
    if (a.constructed.outcome.kind === 'threw') {
      recording.classes.push({ spec, constructorArgs: a.constructed.args, constructorOutcome: { args: a.constructed.args, outcome: a.constructed.outcome }, steps: [] });
      continue;
    }
    const steps: RecordedClass['steps'] = [];
    let stoppedBy: string | undefined;
    for (const [i, step] of a.steps.entries()) {
      const why = whyNotAsserted(step, b?.steps[i]);
      if (why) {
        stoppedBy = `${spec.localName}.${step.method}: ${why}`;
        break;
      }
      steps.push({ method: step.method, args: step.args, outcome: step.outcome });
    }
    if (steps.length) recording.classes.push({ spec, constructorArgs: a.constructed.args, steps });
    if (stoppedBy) recording.skipped.push(`${steps.length ? `${spec.localName}: calls from ${stoppedBy.split(':')[0]} on left out` : `${spec.localName}: not tested`} — ${stoppedBy}`);
    else if (!steps.length) recording.skipped.push(`${spec.localName}: not tested — no method call to assert on`);
  }
  return recording;
}

/** Why a call cannot become an assertion, or undefined when it can. */
function whyNotAsserted(call: RunCall, again: RunCall | undefined, construction = false): string | undefined {
  const touched = [...new Set([...call.touched, ...(again?.touched ?? [])])];
  if (touched.length) return touched.join(' and ');
  if (call.outcome.kind === 'pending') return `still pending after ${ASYNC_TIMEOUT_MS} ms`;
  if (!again || JSON.stringify(call.outcome) !== JSON.stringify(again.outcome)) return 'gave different results in two runs';
  if (call.outcome.kind === 'threw') return call.outcome.isError ? undefined : 'throws something that is not an Error';
  if (construction) return undefined;
  return call.outcome.literal === undefined ? `returns ${call.outcome.className ? `a ${call.outcome.className}` : `a ${call.outcome.typeOf}`}, which a test cannot write down` : undefined;
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

async function runClass(spec: ExportSpec, Class: new (...a: unknown[]) => Record<string, unknown>, skipped: string[]): Promise<BehaviourRun['classes'][number] | undefined> {
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
  let instance: Record<string, unknown> | undefined;
  const constructed = { args: constructorArgs.map((a) => a.source), ...(await invoke(() => (instance = new Class(...constructorArgs.map((a) => a.make()))))) };
  const ran: BehaviourRun['classes'][number] = { exportName: spec.exportName, constructed, steps: [] };
  if (constructed.outcome.kind !== 'returned' || !instance) return ran;
  for (const step of steps) {
    const target = instance;
    const outcome = await invoke(() => (target[step.method] as (...a: unknown[]) => unknown).call(target, ...step.args.map((a) => a.make())));
    ran.steps.push({ method: step.method, args: step.args.map((a) => a.source), ...outcome });
    // A pending call leaves the instance in an unknown state for the steps after it.
    if (outcome.outcome.kind === 'pending') break;
  }
  return ran;
}

async function invoke(thunk: () => unknown): Promise<{ outcome: Outcome; touched: Nondeterminism[] }> {
  const { result, touched } = await watchNondeterminism(() => settle(thunk));
  return { outcome: result, touched };
}

async function settle(thunk: () => unknown): Promise<Outcome> {
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

/**
 * A TypeScript file as CommonJS, through a cache in the sandbox's temporary
 * directory: the second recording process reuses what the first
 * transpiled (a thousand-module import chain costs seconds to transpile).
 * Both processes run the same repository in the same sandbox, so the
 * cache gives its code no reach it did not have.
 */
function transpiled(file: string): string {
  const source = readFileSync(file, 'utf8');
  const cached = join(tmpdir(), 'autocode-recorder-transpiled', `${createHash('sha256').update(`${ts.version}\0${file}\0${source}`).digest('hex')}.js`);
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    // Not transpiled yet.
  }
  const output = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, jsx: ts.JsxEmit.ReactJSX, sourceMap: false },
  }).outputText;
  try {
    mkdirSync(dirname(cached), { recursive: true });
    const partial = `${cached}.${process.pid}`;
    writeFileSync(partial, output);
    renameSync(partial, cached);
  } catch {
    // No writable temporary directory: the second process transpiles again, which is only slower.
  }
  return output;
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
  const compile = (module: { _compile(code: string, file: string): void }, file: string) => module._compile(transpiled(file), file);
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
