import { DETERMINISTIC_GENERATORS, OPPORTUNITY_KINDS } from '@autocode/contracts';
import { BUILT_IN_GENERATORS, decodeRunnerEvent, encodeRunnerEvent } from './runner-protocol';

describe('runner protocol', () => {
  it('round-trips events and ignores every other line', () => {
    const line = encodeRunnerEvent({ type: 'file', file: 'src/a.ts', status: 'changed', touched: ['src/a.ts'] });
    expect(decodeRunnerEvent(line)).toEqual({ type: 'file', file: 'src/a.ts', status: 'changed', touched: ['src/a.ts'] });
    expect(decodeRunnerEvent('console.log from a repository config')).toBeUndefined();
    expect(decodeRunnerEvent('@@autocode-runner@@ {"type":"file"}')).toBeUndefined();
    expect(decodeRunnerEvent('@@autocode-runner@@ not json')).toBeUndefined();
  });

  it('offers every deterministic generator the contracts name, and every kind a generator', () => {
    expect([...BUILT_IN_GENERATORS, 'noop'].sort()).toEqual([...DETERMINISTIC_GENERATORS].sort());
    const offered = new Set<string>([...DETERMINISTIC_GENERATORS, 'llm']);
    for (const [kind, entry] of Object.entries(OPPORTUNITY_KINDS)) {
      for (const generator of [entry.generator, ...entry.alternatives]) expect({ kind, generator, offered: offered.has(generator) }).toEqual({ kind, generator, offered: true });
    }
  });
});
