import type { NodeRun, WorkflowNode } from './workflow-definition';
import { triggerVerdict } from './workflow-engine.service';
import { runOutcome } from './workflow-status';

const run = (nodeId: string, status: NodeRun['status'], extra: Partial<NodeRun> = {}): NodeRun => ({
  nodeId,
  type: 'sleep',
  status,
  taskId: null,
  childRunIds: [],
  attempts: 1,
  startedAt: null,
  finishedAt: null,
  durationMs: null,
  output: null,
  error: null,
  reason: null,
  skippedByCondition: false,
  tolerated: false,
  ...extra,
});
const node = (triggerRule: WorkflowNode['triggerRule']): WorkflowNode => ({ id: 'x', type: 'sleep', params: {}, dependsOn: ['a', 'b'], triggerRule, continueOnFailure: false });

describe('run outcome', () => {
  it('is SUCCESS when nothing failed, conditional skips included', () => {
    expect(runOutcome([run('a', 'SUCCESS'), run('b', 'SKIPPED', { skippedByCondition: true })])).toBe('SUCCESS');
  });
  it('is PARTIAL_SUCCESS when some succeeded and something failed or was skipped for a failure', () => {
    expect(runOutcome([run('a', 'SUCCESS'), run('b', 'FAILED'), run('c', 'SKIPPED')])).toBe('PARTIAL_SUCCESS');
    expect(runOutcome([run('a', 'SUCCESS'), run('b', 'FAILED', { tolerated: true })])).toBe('PARTIAL_SUCCESS');
  });
  it('is FAILED when nothing succeeded', () => {
    expect(runOutcome([run('a', 'FAILED'), run('b', 'SKIPPED')])).toBe('FAILED');
  });
});

describe('trigger rules', () => {
  it('all_success skips after a failure (not by condition) and after a conditional skip (by condition)', () => {
    expect(triggerVerdict(node('all_success'), [run('a', 'SUCCESS'), run('b', 'SUCCESS')])).toEqual({ skip: false });
    expect(triggerVerdict(node('all_success'), [run('a', 'SUCCESS'), run('b', 'FAILED')])).toMatchObject({ skip: true, reason: 'dependency "b" failed', byCondition: false });
    expect(triggerVerdict(node('all_success'), [run('a', 'SKIPPED', { skippedByCondition: true }), run('b', 'SUCCESS')])).toMatchObject({ skip: true, byCondition: true });
    expect(triggerVerdict(node('all_success'), [run('a', 'FAILED', { tolerated: true }), run('b', 'SUCCESS')])).toEqual({ skip: false });
  });
  it('none_failed runs past skips; one_success needs one success; all_done always runs', () => {
    expect(triggerVerdict(node('none_failed'), [run('a', 'SKIPPED'), run('b', 'SUCCESS')])).toEqual({ skip: false });
    expect(triggerVerdict(node('none_failed'), [run('a', 'CANCELLED'), run('b', 'SUCCESS')])).toMatchObject({ skip: true, reason: 'dependency "a" was cancelled' });
    expect(triggerVerdict(node('one_success'), [run('a', 'FAILED'), run('b', 'SUCCESS')])).toEqual({ skip: false });
    expect(triggerVerdict(node('one_success'), [run('a', 'FAILED'), run('b', 'SKIPPED')])).toMatchObject({ skip: true, reason: 'none of its dependencies succeeded' });
    expect(triggerVerdict(node('all_done'), [run('a', 'FAILED'), run('b', 'CANCELLED')])).toEqual({ skip: false });
  });
});
