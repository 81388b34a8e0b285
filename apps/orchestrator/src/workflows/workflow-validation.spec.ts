import { workflowDefinitionSchema, type WorkflowDefinitionInput } from './workflow-definition';
import { validateWorkflow, type ValidationContext } from './workflow-validation';

/** Params checks of two made-up types, as the registry would do them with JSON Schema. */
const context: ValidationContext = {
  limits: { maxNodes: 5, maxDurationSeconds: 3600 },
  typeOf: (name) =>
    name === 'sleep' || name === 'noop'
      ? {
          validateParams: (params, pointers) => {
            const p = params as Record<string, unknown>;
            if (name === 'noop') return Object.keys(p).length ? ['params: must NOT have additional properties'] : [];
            const problems: string[] = [];
            if (!('ms' in p) && !pointers.includes('/ms')) problems.push("params: must have required property 'ms'");
            if ('ms' in p && typeof p.ms !== 'number') problems.push('params.ms: must be integer');
            return problems;
          },
        }
      : undefined,
  knownTypes: () => ['noop', 'sleep'],
  workflowExists: (name) => name === 'child',
};

function problemsOf(definition: WorkflowDefinitionInput): string[] {
  return validateWorkflow({ ...workflowDefinitionSchema.parse(definition) }, context);
}

const node = (id: string, extra: Record<string, unknown> = {}) => ({ id, type: 'sleep', params: { ms: 1 }, ...extra });

describe('workflow validation', () => {
  it('accepts a valid diamond', () => {
    expect(
      problemsOf({ name: 'diamond', maxDurationSeconds: 60, nodes: [node('a'), node('b', { dependsOn: ['a'] }), node('c', { dependsOn: ['a'] }), node('d', { dependsOn: ['b', 'c'] })] }),
    ).toEqual([]);
  });

  it.each([
    ['an unknown type', [node('a', { type: 'teleport' })], 'node "a": unknown task type "teleport" (known: noop, sleep)'],
    ['a missing dependency', [node('a', { dependsOn: ['ghost'] })], 'node "a": depends on "ghost", which is not a node of this workflow'],
    ['a duplicate id', [node('a'), node('a')], 'node "a": duplicate id'],
    ['a cycle', [node('a', { dependsOn: ['c'] }), node('b', { dependsOn: ['a'] }), node('c', { dependsOn: ['b'] })], 'cycle: '],
    ['params that fail the schema', [node('a', { params: { ms: 'soon' } })], 'node "a": params.ms: must be integer'],
    ['a missing required param', [node('a', { params: {} })], "node \"a\": params: must have required property 'ms'"],
    ['a reference to a node that is not upstream', [node('a'), node('b', { params: { ms: { $ref: 'nodes.a.output.ms' } } })], 'node "b": reference "nodes.a.output.ms" points at "a", which it does not depend on'],
    ['a condition on a node that is not upstream', [node('a'), node('b', { when: { ref: 'nodes.a.output.x', equals: 1 } })], 'node "b": reference "nodes.a.output.x" points at "a"'],
    ['an unknown child workflow', [{ id: 'a', type: 'workflow', params: { workflow: 'nope' } }], 'node "a": unknown workflow "nope"'],
    ['too many nodes', ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => node(id)), 'workflow has 6 nodes; the limit is 5'],
  ])('names the node for %s', (_label, nodes, message) => {
    expect(problemsOf({ name: 'w', nodes }).join('\n')).toContain(message);
  });

  it('spells the cycle out in order', () => {
    const problems = problemsOf({ name: 'w', nodes: [node('a', { dependsOn: ['c'] }), node('b', { dependsOn: ['a'] }), node('c', { dependsOn: ['b'] })] });
    const cycle = problems.find((p) => p.startsWith('cycle:'))!;
    const names = cycle.replace('cycle: ', '').split(' → ');
    expect(names).toHaveLength(4);
    expect(names[0]).toBe(names[3]);
    expect(new Set(names)).toEqual(new Set(['a', 'b', 'c']));
  });

  it('refuses a maximum duration over the limit', () => {
    expect(problemsOf({ name: 'w', maxDurationSeconds: 7200, nodes: [node('a')] })).toContain('maxDurationSeconds 7200 exceeds the limit of 3600');
  });

  it('does not hold a referenced param against the schema (its value comes at run time)', () => {
    expect(problemsOf({ name: 'w', maxDurationSeconds: 60, nodes: [node('a'), node('b', { dependsOn: ['a'], params: { ms: { $ref: 'nodes.a.output.ms' } } })] })).toEqual([]);
  });
});
