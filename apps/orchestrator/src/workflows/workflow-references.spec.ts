import { evaluateCondition, referencePaths, resolveReferences, UnresolvedReferenceError, type ReferenceScope } from './workflow-references';

const scope: ReferenceScope = {
  runParams: { repository: '/repo', options: { depth: 2 } },
  outputs: { plan: { commit: 'abc1234', opportunities: [{ kind: 'lint-finding' }] }, generate_2: null },
  item: { kind: 'format', priority: 'LOW' },
};

describe('workflow references', () => {
  it('replaces references anywhere in params by values of any JSON type', () => {
    const template = {
      repository: { $ref: 'run.params.repository' },
      depth: { $ref: 'run.params.options.depth' },
      commit: { $ref: 'nodes.plan.output.commit' },
      first: { $ref: 'nodes.plan.output.opportunities.0' },
      nested: [{ kind: { $ref: 'item.kind' } }],
      literal: 7,
    };
    expect(resolveReferences(template, scope)).toEqual({
      repository: '/repo',
      depth: 2,
      commit: 'abc1234',
      first: { kind: 'lint-finding' },
      nested: [{ kind: 'format' }],
      literal: 7,
    });
    expect(referencePaths(template).sort()).toEqual(['item.kind', 'nodes.plan.output.commit', 'nodes.plan.output.opportunities.0', 'run.params.options.depth', 'run.params.repository']);
  });

  it('uses defaults, leaves optional ones out, takes the first present of $firstOf, and refuses the unresolvable', () => {
    expect(resolveReferences({ paths: { $ref: 'run.params.paths', optional: true }, feedback: { $ref: 'nodes.x.output.f', default: [] } }, scope)).toEqual({ feedback: [] });
    expect(resolveReferences({ $firstOf: [{ $ref: 'nodes.generate_2.output.patch' }, { $ref: 'nodes.plan.output.commit' }] }, scope)).toBe('abc1234');
    expect(() => resolveReferences({ a: { $ref: 'run.params.nope' } }, scope)).toThrow(UnresolvedReferenceError);
  });

  it('evaluates JSON conditions', () => {
    expect(evaluateCondition({ ref: 'item.kind', equals: 'format' }, scope)).toBe(true);
    expect(evaluateCondition({ ref: 'item.kind', in: ['lint-finding', 'format'] }, scope)).toBe(true);
    expect(evaluateCondition({ ref: 'nodes.generate_2.output.patch', exists: false }, scope)).toBe(true);
    expect(evaluateCondition({ anyOf: [{ ref: 'item.priority', equals: 'HIGH' }, { not: { ref: 'item.kind', notEquals: 'format' } }] }, scope)).toBe(true);
    expect(evaluateCondition({ allOf: [{ ref: 'item.priority', equals: 'LOW' }, { ref: 'run.params.repository', equals: '/other' }] }, scope)).toBe(false);
  });
});
