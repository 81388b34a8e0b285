import { chooseGenerator, smoothedSuccessRate } from './generator-policy';
import type { GeneratorRecord } from './knowledge.model';

const now = Date.parse('2026-11-22T12:00:00Z');
const hoursAgo = (h: number) => new Date(now - h * 3600_000).toISOString();

function record(generator: string, validated: number, rejected: number, streak = 0, lastRejectedAt: string | null = null): GeneratorRecord {
  return { kind: 'lint-finding', generator, validated, rejected, consecutiveRejections: streak, lastOutcomeAt: lastRejectedAt, lastRejectedAt, lastValidatedAt: null, recent: [] };
}

const policy = { stopAfterRejections: 3, stopCooldownMs: 24 * 3600_000 };

describe('smoothedSuccessRate', () => {
  it('is one half without records and moves with the outcomes', () => {
    expect(smoothedSuccessRate(undefined)).toBe(0.5);
    expect(smoothedSuccessRate({ validated: 8, rejected: 0 })).toBeCloseTo(0.9);
    expect(smoothedSuccessRate({ validated: 0, rejected: 8 })).toBeCloseTo(0.1);
  });
});

describe('chooseGenerator', () => {
  it('keeps the default generator when nothing is known', () => {
    expect(chooseGenerator(['lint-autofix', 'llm'], new Map(), policy, now)).toMatchObject({ generator: 'lint-autofix', stopped: false });
  });

  it('prefers the alternative with the better record', () => {
    const records = new Map([
      ['lint-autofix', record('lint-autofix', 1, 4)],
      ['llm', record('llm', 5, 1)],
    ]);
    expect(chooseGenerator(['lint-autofix', 'llm'], records, policy, now)).toMatchObject({ generator: 'llm', stopped: false });
  });

  it('tries an untried alternative once the default keeps failing', () => {
    const records = new Map([['lint-autofix', record('lint-autofix', 0, 3, 3, hoursAgo(1))]]);
    expect(chooseGenerator(['lint-autofix', 'llm'], records, policy, now)).toMatchObject({ generator: 'llm', stopped: false });
  });

  it('stops a kind whose best generator was rejected the threshold number of times in a row', () => {
    const records = new Map([['format', record('format', 2, 3, 3, hoursAgo(1))]]);
    const choice = chooseGenerator(['format'], records, policy, now);
    expect(choice).toMatchObject({ generator: 'format', stopped: true });
    expect(choice.reason).toMatch(/rejected 3 times in a row/);
  });

  it('does not stop below the threshold', () => {
    const records = new Map([['format', record('format', 0, 2, 2, hoursAgo(1))]]);
    expect(chooseGenerator(['format'], records, policy, now).stopped).toBe(false);
  });

  it('lets a stopped kind be tried again after the cool-down', () => {
    const records = new Map([['format', record('format', 0, 3, 3, hoursAgo(25))]]);
    expect(chooseGenerator(['format'], records, policy, now).stopped).toBe(false);
  });

  it('has nothing to choose without candidates', () => {
    const choice = chooseGenerator([], new Map(), policy, now);
    expect(choice.generator).toBeUndefined();
    expect(choice.stopped).toBe(false);
  });
});
