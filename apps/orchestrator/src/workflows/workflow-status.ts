import type { NodeRun, RunStatus } from './workflow-definition';

/**
 * How a finished run ended, from its nodes:
 * - SUCCESS: nothing failed — every node succeeded or was skipped because
 *   its condition did not hold;
 * - FAILED: nothing succeeded;
 * - PARTIAL_SUCCESS: some nodes succeeded and some failed (including
 *   failures tolerated by continueOnFailure, and nodes skipped or cancelled
 *   because of a failure).
 */
export function runOutcome(nodes: NodeRun[]): Exclude<RunStatus, 'RUNNING' | 'PAUSED' | 'CANCELLED'> {
  const succeeded = nodes.some((n) => n.status === 'SUCCESS');
  const troubled = nodes.some((n) => n.status === 'FAILED' || n.status === 'CANCELLED' || (n.status === 'SKIPPED' && !n.skippedByCondition));
  if (!troubled) return 'SUCCESS';
  return succeeded ? 'PARTIAL_SUCCESS' : 'FAILED';
}
