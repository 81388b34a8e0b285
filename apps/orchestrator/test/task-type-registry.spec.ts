import type { TaskTypeDescriptor, WorkerPool } from '@autocode/contracts';
import { TaskTypeRegistry } from '../src/registry/task-type-registry';
import { TaskCoreHarness } from './task-core-harness';

/** What workers may announce: types keep their pool, and params schemas only run with a linear-time regex engine. */
describe('task-type registry on Redis', () => {
  const core = new TaskCoreHarness();
  const registry = new TaskTypeRegistry(core.redis, core.keys);
  beforeAll(() => registry.onApplicationBootstrap());
  afterAll(() => core.close());

  const descriptor = (name: string, pool: WorkerPool, paramsSchema: TaskTypeDescriptor['paramsSchema'] = { type: 'object' }): TaskTypeDescriptor => ({
    name,
    displayName: name,
    description: '',
    category: 'test',
    pool,
    paramsSchema,
    defaults: { timeLimitSeconds: 60, retry: { maxRetries: 0, initialDelayMs: 0, factor: 1, maxDelayMs: 0, jitter: false } },
  });

  it('refuses a built-in type from a worker of another pool, and a descriptor for another pool than the worker’s', async () => {
    expect(await registry.refusals([descriptor('plan', 'generation')], 'generation')).toEqual([
      'task type "plan" belongs to pool planning (built in); a worker of pool generation may not register it',
    ]);
    expect(await registry.refusals([descriptor('thing', 'planning')], 'generation')).toEqual(['task type "thing" is announced for pool planning by a worker of pool generation']);
    expect(await registry.refusals([descriptor('plan', 'planning')], 'planning')).toEqual([]);
  });

  it('keeps a type on the pool that registered it first, even against a racing announcement', async () => {
    expect(await registry.announce([descriptor('probe_a', 'generation')], 'gen-1', 'generation')).toEqual([]);
    expect(await registry.refusals([descriptor('probe_a', 'validation')], 'validation')).toEqual([
      'task type "probe_a" belongs to pool generation; a worker of pool validation may not register it',
    ]);
    // Skipping the check does not help: the script refuses the takeover.
    expect(await registry.announce([descriptor('probe_a', 'validation')], 'val-1', 'validation')).toEqual(['probe_a']);
    expect((await registry.get('probe_a')).pool).toBe('generation');
  });

  it('compiles announced patterns with a linear-time engine: ^(a+)+$ answers at once on the input that freezes a backtracking one', async () => {
    const evil = descriptor('probe_redos', 'generation', { type: 'object', properties: { name: { type: 'string', pattern: '^(a+)+$' } }, required: ['name'] });
    expect(await registry.refusals([evil], 'generation')).toEqual([]);
    // 2^29 steps for a backtracking engine; if it ran here, this test would not finish.
    expect(registry.validateParams(evil, { name: `${'a'.repeat(28)}!` })).toEqual(['params.name: must match pattern "^(a+)+$"']);
    expect(registry.validateParams(evil, { name: 'aaaa' })).toEqual([]);
  });

  it('refuses a schema with a pattern no linear-time engine can run, or one that does not compile, naming the type', async () => {
    const backreference = descriptor('probe_backref', 'generation', { type: 'object', properties: { x: { type: 'string', pattern: '^(a)\\1$' } } });
    const lookahead = descriptor('probe_look', 'generation', { type: 'object', patternProperties: { '^(?=a)': { type: 'string' } } });
    const broken = descriptor('probe_broken', 'generation', { type: 'object', properties: { x: { type: 'no-such-type' } } });
    const reasons = await registry.refusals([backreference, lookahead, broken], 'generation');
    expect(reasons).toHaveLength(3);
    expect(reasons[0]).toMatch(/^task type "probe_backref": params schema refused: .*invalid escape sequence/);
    expect(reasons[1]).toMatch(/^task type "probe_look": params schema refused: .*unsupported Perl syntax/);
    expect(reasons[2]).toMatch(/^task type "probe_broken": params schema refused: /);
  });

  it('accepts the params schemas of every built-in type', async () => {
    for (const type of await registry.list()) {
      expect(await registry.refusals([type], type.pool)).toEqual([]);
    }
  });
});
