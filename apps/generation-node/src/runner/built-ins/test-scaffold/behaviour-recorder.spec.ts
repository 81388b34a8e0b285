import { type BehaviourRun, keepDeterministic, type RunCall } from './behaviour-recorder';
import type { ExportSpec } from './module-surface';

const fn = (name: string): ExportSpec => ({ exportName: name, localName: name, kind: 'function', params: [], methods: [] });
const cls = (name: string, ...methods: string[]): ExportSpec => ({ exportName: name, localName: name, kind: 'class', params: [], methods: methods.map((m) => ({ name: m, params: [] })) });
const returned = (literal: string | undefined, extra: Partial<RunCall> = {}): RunCall => ({ args: ['7'], outcome: { kind: 'returned', awaited: false, literal, typeOf: 'number' }, touched: [], ...extra });
const run = (functions: BehaviourRun['functions'], classes: BehaviourRun['classes'] = []): BehaviourRun => ({ functions, classes, skipped: [] });

describe('keepDeterministic', () => {
  it('keeps calls that agree across both runs, and drops those that differ, touch the clock or randomness, or return what cannot be written down', () => {
    const specs = ['stable', 'differs', 'clock', 'random', 'fn', 'pending'].map(fn);
    const first = run([
      { exportName: 'stable', calls: [returned('14')] },
      { exportName: 'differs', calls: [returned('0.1')] },
      { exportName: 'clock', calls: [returned("'x@1'", { touched: ['reads the clock'] })] },
      { exportName: 'random', calls: [returned('4')] },
      { exportName: 'fn', calls: [{ args: [], outcome: { kind: 'returned', awaited: false, typeOf: 'function' }, touched: [] }] },
      { exportName: 'pending', calls: [{ args: [], outcome: { kind: 'pending' }, touched: [] }] },
    ]);
    const second = run([
      { exportName: 'stable', calls: [returned('14')] },
      { exportName: 'differs', calls: [returned('0.7')] },
      { exportName: 'clock', calls: [returned("'x@1'")] },
      { exportName: 'random', calls: [returned('4', { touched: ['uses randomness'] })] },
      { exportName: 'fn', calls: [{ args: [], outcome: { kind: 'returned', awaited: false, typeOf: 'function' }, touched: [] }] },
      { exportName: 'pending', calls: [{ args: [], outcome: { kind: 'pending' }, touched: [] }] },
    ]);
    const recording = keepDeterministic(specs, first, second);
    expect(recording.functions.map((f) => f.spec.exportName)).toEqual(['stable']);
    expect(recording.functions[0].calls).toEqual([{ args: ['7'], outcome: { kind: 'returned', awaited: false, literal: '14', typeOf: 'number' } }]);
    expect(recording.skipped).toEqual([
      'differs: not tested — gave different results in two runs',
      'clock: not tested — reads the clock',
      'random: not tested — uses randomness',
      'fn: not tested — returns a function, which a test cannot write down',
      'pending: not tested — still pending after 2000 ms',
    ]);
  });

  it('keeps an Error thrown alike in both runs, not one whose message differs', () => {
    const threw = (message: string): RunCall => ({ args: ["''"], outcome: { kind: 'threw', awaited: false, name: 'RangeError', message, isError: true }, touched: [] });
    const recording = keepDeterministic([fn('same'), fn('other')], run([{ exportName: 'same', calls: [threw('empty')] }, { exportName: 'other', calls: [threw('at 1')] }]), run([{ exportName: 'same', calls: [threw('empty')] }, { exportName: 'other', calls: [threw('at 2')] }]));
    expect(recording.functions.map((f) => f.spec.exportName)).toEqual(['same']);
  });

  it('keeps a class’s method calls up to the first one that does not qualify', () => {
    const constructed = returned(undefined, { args: [], outcome: { kind: 'returned', awaited: false, typeOf: 'object', className: 'Counter' } });
    const steps = (third: string) => [
      { method: 'add', ...returned('1') },
      { method: 'now', ...returned(third) },
      { method: 'total', ...returned('1') },
    ];
    const recording = keepDeterministic([cls('Counter', 'add', 'now', 'total')], run([], [{ exportName: 'Counter', constructed, steps: steps('5') }]), run([], [{ exportName: 'Counter', constructed, steps: steps('6') }]));
    expect(recording.classes).toHaveLength(1);
    expect(recording.classes[0].steps.map((s) => s.method)).toEqual(['add']);
    expect(recording.skipped).toEqual(['Counter: calls from Counter.now on left out — Counter.now: gave different results in two runs']);
  });

  it('drops a class whose constructor reads the clock', () => {
    const constructed = returned(undefined, { args: [], outcome: { kind: 'returned', awaited: false, typeOf: 'object' }, touched: ['reads the clock'] });
    const recording = keepDeterministic([cls('Session', 'id')], run([], [{ exportName: 'Session', constructed, steps: [] }]), run([], [{ exportName: 'Session', constructed, steps: [] }]));
    expect(recording.classes).toEqual([]);
    expect(recording.skipped).toEqual(['Session: not tested — constructing it reads the clock']);
  });
});
