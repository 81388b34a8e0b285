import { z } from 'zod';
import { relativePathSchema } from '@autocode/contracts';

/**
 * How the generation node and the generator runner (a child process in the
 * sandbox) talk: one job as JSON on the runner's stdin; events as JSON
 * lines on its stdout, each behind RUNNER_EVENT_PREFIX so that whatever a
 * repository's own code prints (an ESLint config, a module under test)
 * cannot be mistaken for one. The runner changes files in its working
 * directory; the node, not the runner, turns the changes into a diff.
 */

export const BUILT_IN_GENERATORS = ['lint-autofix', 'format', 'organize-imports', 'doc-comments', 'test-scaffold'] as const;
export type BuiltInGeneratorName = (typeof BUILT_IN_GENERATORS)[number];

export const RUNNER_EVENT_PREFIX = '@@autocode-runner@@ ';

export const runnerJobSchema = z.strictObject({
  generator: z.enum(BUILT_IN_GENERATORS),
  kind: z.string().min(1).max(100),
  /** Files the opportunity names, relative to the working directory. Empty: the generator picks. */
  files: z.array(relativePathSchema).max(5000),
  /** Files an earlier attempt finished (their changes are already applied): skip them. */
  skip: z.array(relativePathSchema).max(5000).default([]),
  feedback: z.array(z.string()).default([]),
  round: z.number().int().min(1).default(1),
  /** lint-autofix: the ESLint rules the opportunity planned to fix (empty: every fixable finding). */
  lintRules: z.array(z.string().min(1).max(200)).max(500).default([]),
});
export type RunnerJob = z.input<typeof runnerJobSchema>;
export type ParsedRunnerJob = z.infer<typeof runnerJobSchema>;

export const runnerEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('started'),
    /** Files the runner will work through, in order (skipped ones excluded). */
    files: z.array(z.string()),
  }),
  z.strictObject({
    type: z.literal('file'),
    file: z.string(),
    status: z.enum(['changed', 'unchanged', 'skipped']),
    /** Every path this file's work wrote (the file itself, or a new test file). */
    touched: z.array(z.string()).default([]),
    detail: z.string().max(2000).optional(),
  }),
  z.strictObject({
    type: z.literal('done'),
    notes: z.array(z.string().max(2000)).max(200).default([]),
    stats: z.record(z.string(), z.number()).default({}),
  }),
  z.strictObject({
    type: z.literal('error'),
    message: z.string().max(5000),
    /** A failure that would recur on the same input (bad repository config …). */
    permanent: z.boolean(),
  }),
]);
export type RunnerEvent = z.infer<typeof runnerEventSchema>;

export function encodeRunnerEvent(event: z.input<typeof runnerEventSchema>): string {
  return `${RUNNER_EVENT_PREFIX}${JSON.stringify(event)}`;
}

/** The event on a stdout line, or undefined for anything else the line may be. */
export function decodeRunnerEvent(line: string): RunnerEvent | undefined {
  if (!line.startsWith(RUNNER_EVENT_PREFIX)) return undefined;
  try {
    const parsed = runnerEventSchema.safeParse(JSON.parse(line.slice(RUNNER_EVENT_PREFIX.length)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
