import { z } from 'zod';
import {
  jsonObjectSchema,
  jsonValueSchema,
  retryPolicySchema,
  taskPrioritySchema,
  taskTypeNameSchema,
  type JsonValue,
} from '@autocode/contracts';

/**
 * The definition format of a workflow: a DAG of nodes, each a task type
 * with params, dependencies, an optional condition and its own retry, time
 * limit and failure policy. Published as JSON Schema at
 * GET /api/workflows/schema.
 *
 * References: anywhere in `params`, `{ "$ref": "<path>" }` is replaced at run
 * time by the value at <path>: `run.params.<p>`, `nodes.<id>.output.<p>`
 * (a node it depends on, directly or not) or, inside a `workflow` node's
 * per-item params, `item.<p>`. `"default"` is used when the path has no
 * value; `"optional": true` leaves the property out instead. `{ "$firstOf":
 * [ref, …] }` takes the first reference with a value.
 */

/** Node types run by the workflow engine itself rather than by a worker pool. */
export const ENGINE_NODE_TYPES = ['workflow'] as const;

export const referencePathSchema = z
  .string()
  .regex(/^(run\.params|nodes\.[a-z][a-z0-9_-]*\.output|item|output)(\.[A-Za-z0-9_-]+)*$/, 'must be run.params.…, nodes.<id>.output.…, item.… or output.…');

export const referenceSchema = z.strictObject({
  $ref: referencePathSchema,
  default: jsonValueSchema.optional(),
  /** When the path has no value, leave the property out altogether (for optional params). */
  optional: z.literal(true).optional(),
});
export const firstOfSchema = z.strictObject({ $firstOf: z.array(referenceSchema).min(1).max(20) });

export type Condition =
  | { ref: string; equals: JsonValue }
  | { ref: string; notEquals: JsonValue }
  | { ref: string; in: JsonValue[] }
  | { ref: string; exists: boolean }
  | { allOf: Condition[] }
  | { anyOf: Condition[] }
  | { not: Condition };

/** A condition over reference paths, as JSON (no expression language to parse or escape). */
export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ ref: referencePathSchema, equals: jsonValueSchema }),
    z.strictObject({ ref: referencePathSchema, notEquals: jsonValueSchema }),
    z.strictObject({ ref: referencePathSchema, in: z.array(jsonValueSchema).min(1) }),
    z.strictObject({ ref: referencePathSchema, exists: z.boolean() }),
    z.strictObject({ allOf: z.array(conditionSchema).min(1) }),
    z.strictObject({ anyOf: z.array(conditionSchema).min(1) }),
    z.strictObject({ not: conditionSchema }),
  ]),
);

/**
 * When a node runs, given how its dependencies ended (as in Airflow):
 * `all_success` (default) every dependency succeeded; `none_failed` none
 * failed (skipped ones are fine); `one_success` at least one succeeded;
 * `all_done` all finished, however. Otherwise the node is SKIPPED.
 */
export const TRIGGER_RULES = ['all_success', 'none_failed', 'one_success', 'all_done'] as const;

export const nodeIdSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'must start with a letter; lower-case letters, digits, "_" and "-"');

export const workflowNodeSchema = z.strictObject({
  id: nodeIdSchema,
  type: z.union([taskTypeNameSchema, z.enum(ENGINE_NODE_TYPES)]),
  description: z.string().max(500).optional(),
  params: jsonObjectSchema.default({}),
  dependsOn: z.array(nodeIdSchema).max(100).default([]),
  triggerRule: z.enum(TRIGGER_RULES).default('all_success'),
  /** Runs only when this holds (else SKIPPED); may reference run params and dependency outputs. */
  when: conditionSchema.optional(),
  /** A node whose task succeeded counts as FAILED when this holds of its own output (`output.…`). */
  failWhen: conditionSchema.optional(),
  priority: taskPrioritySchema.optional(),
  retry: retryPolicySchema.partial().optional(),
  timeLimitSeconds: z.number().int().min(1).max(7 * 24 * 3600).optional(),
  /** Its failure does not skip its dependents (they run as if it had succeeded). */
  continueOnFailure: z.boolean().default(false),
});
export type WorkflowNode = z.infer<typeof workflowNodeSchema>;

export const workflowNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must start with a letter; lower-case letters, digits and "-"');

export const workflowDefinitionSchema = z.strictObject({
  name: workflowNameSchema,
  /** Assigned on registration when absent: one more than the latest. */
  version: z.number().int().min(1).optional(),
  description: z.string().max(2000).optional(),
  /** JSON Schema of the params a run is started with. */
  paramsSchema: jsonObjectSchema.optional(),
  /** A run still going after this long fails. */
  maxDurationSeconds: z.number().int().min(1).max(30 * 24 * 3600).default(24 * 3600),
  nodes: z.array(workflowNodeSchema).min(1),
});
export type WorkflowDefinitionInput = z.input<typeof workflowDefinitionSchema>;
export type WorkflowDefinition = z.infer<typeof workflowDefinitionSchema> & { version: number };

/** Params of the engine-run `workflow` node: one child run, or one per item of `forEach`. */
export const childWorkflowParamsSchema = z.strictObject({
  workflow: workflowNameSchema,
  forEach: z.array(jsonValueSchema).max(500).optional(),
  params: jsonObjectSchema.default({}),
  priority: taskPrioritySchema.optional(),
});

export const startRunSchema = z.strictObject({
  params: jsonObjectSchema.default({}),
  priority: taskPrioritySchema.default('MEDIUM'),
  /** Pins a version; the latest when absent. */
  version: z.number().int().min(1).optional(),
  correlationId: z.string().min(1).max(200).optional(),
});
export type StartRun = z.infer<typeof startRunSchema>;

export const RUN_STATUSES = ['RUNNING', 'PAUSED', 'SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'CANCELLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const NODE_STATUSES = ['PENDING', 'RUNNING', 'SUCCESS', 'FAILED', 'SKIPPED', 'CANCELLED'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];
export const TERMINAL_NODE_STATUSES: readonly NodeStatus[] = ['SUCCESS', 'FAILED', 'SKIPPED', 'CANCELLED'];

export interface NodeRun {
  nodeId: string;
  type: string;
  status: NodeStatus;
  taskId: string | null;
  childRunIds: string[];
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  output: JsonValue | null;
  error: string | null;
  /** Why it was skipped, failed or cancelled. */
  reason: string | null;
  /** Skipped because a condition did not hold (not because something failed). */
  skippedByCondition: boolean;
  /** Failed, but with continueOnFailure. */
  tolerated: boolean;
}

export interface WorkflowRun {
  id: string;
  workflow: string;
  version: number;
  status: RunStatus;
  params: Record<string, JsonValue>;
  priority: z.infer<typeof taskPrioritySchema>;
  correlationId: string | null;
  /** A child run: the run and node that started it. */
  parent: { runId: string; nodeId: string } | null;
  createdAt: string;
  finishedAt: string | null;
  deadline: string;
  error: string | null;
}

export function workflowDefinitionJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(workflowDefinitionSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
