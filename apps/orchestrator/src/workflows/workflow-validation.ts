import type { JsonValue } from '@autocode/contracts';
import { utilityEgressProblems } from '../utility/utility-egress-checks';
import { conditionPaths, isReferenceValue, referencePaths } from './workflow-references';
import { ENGINE_NODE_TYPES, type WorkflowDefinition, type WorkflowNode } from './workflow-definition';

export interface NodeTypeInfo {
  /**
   * Problems with params, as `params.<path>: message`, ignoring the
   * positions (JSON pointers) that hold references: their values are only
   * known at run time, when the task is created and checked again.
   */
  validateParams(params: unknown, referencePointers: string[]): string[];
}

export interface ValidationLimits {
  maxNodes: number;
  maxDurationSeconds: number;
}

export interface ValidationContext {
  limits: ValidationLimits;
  /** The type's params check, or undefined when the type is unknown. */
  typeOf(name: string): NodeTypeInfo | undefined;
  knownTypes(): string[];
  /** Whether a workflow of this name is registered (for `workflow` nodes), or is the one being validated. */
  workflowExists(name: string): boolean;
}

export class WorkflowValidationError extends Error {
  readonly httpStatus = 400;
  constructor(readonly problems: string[]) {
    super(`invalid workflow: ${problems.join('; ')}`);
    this.name = 'WorkflowValidationError';
  }
}

/**
 * Everything that can be checked before a run starts, each problem naming
 * its node: duplicate ids, unknown types, missing dependencies, cycles (with
 * the cycle spelled out), references to nodes that are not upstream, params
 * that fail their type's schema, and size and duration limits.
 */
export function validateWorkflow(definition: Omit<WorkflowDefinition, 'version'>, context: ValidationContext): string[] {
  const problems: string[] = [];
  const { nodes } = definition;
  if (nodes.length > context.limits.maxNodes) problems.push(`workflow has ${nodes.length} nodes; the limit is ${context.limits.maxNodes}`);
  if (definition.maxDurationSeconds > context.limits.maxDurationSeconds) {
    problems.push(`maxDurationSeconds ${definition.maxDurationSeconds} exceeds the limit of ${context.limits.maxDurationSeconds}`);
  }

  const byId = new Map<string, WorkflowNode>();
  for (const node of nodes) {
    if (byId.has(node.id)) problems.push(`node "${node.id}": duplicate id`);
    byId.set(node.id, node);
  }

  for (const node of nodes) {
    for (const dep of node.dependsOn) {
      if (!byId.has(dep)) problems.push(`node "${node.id}": depends on "${dep}", which is not a node of this workflow`);
      if (dep === node.id) problems.push(`node "${node.id}": depends on itself`);
    }
  }

  const cycle = findCycle(nodes, byId);
  if (cycle) problems.push(`cycle: ${cycle.join(' → ')}`);

  for (const node of nodes) {
    const upstream = cycle ? new Set<string>() : ancestors(node.id, byId);
    const isEngineType = (ENGINE_NODE_TYPES as readonly string[]).includes(node.type);
    const type = isEngineType ? undefined : context.typeOf(node.type);
    if (!isEngineType && !type) {
      problems.push(`node "${node.id}": unknown task type "${node.type}" (known: ${context.knownTypes().join(', ') || 'none'})`);
    }

    for (const path of referencePaths(node.params)) {
      problems.push(...checkPath(node, path, upstream, cycle !== null, ['run', 'nodes', ...(node.type === 'workflow' ? ['item'] : [])]));
    }
    if (node.when) for (const path of conditionPaths(node.when)) problems.push(...checkPath(node, path, upstream, cycle !== null, ['run', 'nodes']));
    if (node.failWhen) for (const path of conditionPaths(node.failWhen)) problems.push(...checkPath(node, path, upstream, cycle !== null, ['run', 'nodes', 'output']));

    if (node.type === 'workflow') {
      const name = node.params.workflow;
      if (typeof name !== 'string') problems.push(`node "${node.id}": params.workflow must name a workflow`);
      else if (!context.workflowExists(name)) problems.push(`node "${node.id}": unknown workflow "${name}"`);
    } else if (type) {
      const { params, pointers } = withoutReferences(node.params);
      for (const problem of type.validateParams(params, pointers)) problems.push(`node "${node.id}": ${problem}`);
      // URLs the orchestrator would call: JSON Schema cannot say "not an internal address".
      for (const problem of utilityEgressProblems(node.type, params)) problems.push(`node "${node.id}": ${problem}`);
    }
  }
  return problems;
}

function checkPath(node: WorkflowNode, path: string, upstream: Set<string>, cyclic: boolean, allowed: string[]): string[] {
  const root = path.split('.')[0];
  if (!allowed.includes(root)) return [`node "${node.id}": reference "${path}" cannot be used here`];
  if (root === 'nodes' && !cyclic) {
    const target = path.split('.')[1];
    if (!upstream.has(target)) return [`node "${node.id}": reference "${path}" points at "${target}", which it does not depend on`];
  }
  return [];
}

/** The params with every reference taken out, and the JSON pointers where they stood. */
function withoutReferences(params: Record<string, JsonValue>): { params: Record<string, JsonValue>; pointers: string[] } {
  const pointers: string[] = [];
  const strip = (value: JsonValue, pointer: string): JsonValue | undefined => {
    if (isReferenceValue(value)) {
      pointers.push(pointer);
      return undefined;
    }
    if (Array.isArray(value)) return value.map((v, i) => strip(v, `${pointer}/${i}`) ?? null);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).flatMap(([k, v]) => {
          const stripped = strip(v, `${pointer}/${k}`);
          return stripped === undefined ? [] : [[k, stripped]];
        }),
      );
    }
    return value;
  };
  return { params: strip(params, '') as Record<string, JsonValue>, pointers };
}

/** The names of all nodes a node depends on, directly or not. */
export function ancestors(id: string, byId: Map<string, WorkflowNode>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(byId.get(id)?.dependsOn ?? [])];
  while (stack.length) {
    const next = stack.pop()!;
    if (seen.has(next) || !byId.has(next)) continue;
    seen.add(next);
    stack.push(...byId.get(next)!.dependsOn);
  }
  return seen;
}

/** A dependency cycle as a path that returns to its start, or null. */
function findCycle(nodes: WorkflowNode[], byId: Map<string, WorkflowNode>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const dep of byId.get(id)?.dependsOn ?? []) {
      if (!byId.has(dep)) continue;
      const found = visit(dep);
      if (found) return found;
    }
    path.pop();
    state.set(id, 'done');
    return null;
  };
  for (const node of nodes) {
    const found = visit(node.id);
    // Reported in execution order: a → b means b depends on a.
    if (found) return found.reverse();
  }
  return null;
}
