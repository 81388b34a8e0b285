import type { JsonValue } from '@autocode/contracts';
import type { Condition } from './workflow-definition';

/** What references can see while a node's params are resolved. */
export interface ReferenceScope {
  runParams: Record<string, JsonValue>;
  /** Outputs of finished nodes (null for nodes that produced none). */
  outputs: Record<string, JsonValue | null>;
  item?: JsonValue;
  output?: JsonValue | null;
}

export class UnresolvedReferenceError extends Error {
  constructor(readonly path: string) {
    super(`reference "${path}" has no value (and no default)`);
    this.name = 'UnresolvedReferenceError';
  }
}

const MISSING = Symbol('missing');

function walk(value: JsonValue | null | undefined, keys: string[]): JsonValue | typeof MISSING {
  let current: JsonValue | null | undefined = value;
  for (const key of keys) {
    if (current === null || current === undefined || typeof current !== 'object') return MISSING;
    current = Array.isArray(current) ? current[Number(key)] : (current as Record<string, JsonValue>)[key];
  }
  return current === undefined || current === null ? MISSING : current;
}

/** The value at a reference path, or MISSING. */
function lookup(path: string, scope: ReferenceScope): JsonValue | typeof MISSING {
  const parts = path.split('.');
  if (parts[0] === 'run' && parts[1] === 'params') return walk(scope.runParams, parts.slice(2));
  if (parts[0] === 'nodes') return parts[1] in scope.outputs ? walk(scope.outputs[parts[1]], parts.slice(3)) : MISSING;
  if (parts[0] === 'item') return walk(scope.item, parts.slice(1));
  if (parts[0] === 'output') return walk(scope.output, parts.slice(1));
  return MISSING;
}

function isObject(value: unknown): value is Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isReference(value: unknown): value is { $ref: string; default?: JsonValue; optional?: true } {
  return isObject(value) && typeof value.$ref === 'string';
}

function isFirstOf(value: unknown): value is { $firstOf: Array<{ $ref: string; default?: JsonValue }> } {
  return isObject(value) && Array.isArray(value.$firstOf);
}

/** Replaces every reference in `template` by its value; throws on a reference with neither value nor default. */
export function resolveReferences(template: JsonValue, scope: ReferenceScope): JsonValue {
  const resolved = resolve(template, scope);
  return resolved === OMIT ? null : resolved;
}

const OMIT = Symbol('omit');

function resolve(template: JsonValue, scope: ReferenceScope): JsonValue | typeof OMIT {
  if (isReference(template)) {
    const found = lookup(template.$ref, scope);
    if (found !== MISSING) return found;
    if (template.default !== undefined) return template.default;
    if (template.optional) return OMIT;
    throw new UnresolvedReferenceError(template.$ref);
  }
  if (isFirstOf(template)) {
    for (const ref of template.$firstOf) {
      const found = lookup(ref.$ref, scope);
      if (found !== MISSING) return found;
    }
    const fallback = template.$firstOf.find((r) => r.default !== undefined);
    if (fallback) return fallback.default!;
    throw new UnresolvedReferenceError(template.$firstOf.map((r) => r.$ref).join(' | '));
  }
  if (Array.isArray(template)) return template.map((v) => resolve(v, scope)).filter((v): v is JsonValue => v !== OMIT);
  if (isObject(template)) {
    return Object.fromEntries(
      Object.entries(template).flatMap(([k, v]) => {
        const value = resolve(v, scope);
        return value === OMIT ? [] : [[k, value]];
      }),
    );
  }
  return template;
}

/** Every reference path in a params template (for validation before anything runs). */
export function referencePaths(template: JsonValue): string[] {
  if (isReference(template)) return [template.$ref];
  if (isFirstOf(template)) return template.$firstOf.map((r) => r.$ref);
  if (Array.isArray(template)) return template.flatMap(referencePaths);
  if (isObject(template)) return Object.values(template).flatMap(referencePaths);
  return [];
}

/** Whether a template position holds a reference (its value is only known at run time). */
export function isReferenceValue(value: unknown): boolean {
  return isReference(value) || isFirstOf(value);
}

export function evaluateCondition(condition: Condition, scope: ReferenceScope): boolean {
  if ('allOf' in condition) return condition.allOf.every((c) => evaluateCondition(c, scope));
  if ('anyOf' in condition) return condition.anyOf.some((c) => evaluateCondition(c, scope));
  if ('not' in condition) return !evaluateCondition(condition.not, scope);
  const value = lookup(condition.ref, scope);
  if ('exists' in condition) return (value !== MISSING) === condition.exists;
  const actual = value === MISSING ? null : value;
  if ('equals' in condition) return equal(actual, condition.equals);
  if ('notEquals' in condition) return !equal(actual, condition.notEquals);
  return condition.in.some((candidate) => equal(actual, candidate));
}

export function conditionPaths(condition: Condition): string[] {
  if ('allOf' in condition) return condition.allOf.flatMap(conditionPaths);
  if ('anyOf' in condition) return condition.anyOf.flatMap(conditionPaths);
  if ('not' in condition) return conditionPaths(condition.not);
  return [condition.ref];
}

function equal(a: JsonValue | null, b: JsonValue | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
