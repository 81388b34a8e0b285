import type { GeneratorRecord } from './knowledge.model';

/**
 * How the planner reads the knowledge base. Pure: the records come from
 * `KnowledgeBase.records`, the decision is made here.
 */
export interface GeneratorPolicyOptions {
  /**
   * A kind stops being planned when even its best generator has this many
   * rejections in a row (no validation in between).
   */
  stopAfterRejections: number;
  /**
   * A stopped kind is tried again this long after its last rejection (one
   * more opportunity; another rejection stops it again), so a kind is never
   * stopped for good by an old streak of failures.
   */
  stopCooldownMs: number;
}

export const DEFAULT_GENERATOR_POLICY: GeneratorPolicyOptions = {
  stopAfterRejections: 5,
  stopCooldownMs: 24 * 3600_000,
};

export interface GeneratorChoice {
  /** The generator to plan with; undefined when there is no candidate. */
  generator?: string;
  /** Laplace-smoothed success rate of the chosen generator: (validated + 1) / (validated + rejected + 2). */
  score: number;
  stopped: boolean;
  /** Why, in words, for logs and plan output. */
  reason: string;
}

/** (validated + 1) / (total + 2): 0.5 without records, so an untried generator is neither trusted nor written off. */
export function smoothedSuccessRate(record: Pick<GeneratorRecord, 'validated' | 'rejected'> | undefined): number {
  const validated = record?.validated ?? 0;
  const rejected = record?.rejected ?? 0;
  return (validated + 1) / (validated + rejected + 2);
}

/**
 * Picks the generator with the best record among `candidates` (the default
 * first; ties keep that order, so without records the default wins), and
 * says whether the kind is stopped: its chosen generator has been rejected
 * `stopAfterRejections` times in a row and the last rejection is younger
 * than the cool-down.
 */
export function chooseGenerator(
  candidates: readonly string[],
  records: ReadonlyMap<string, GeneratorRecord>,
  options: GeneratorPolicyOptions = DEFAULT_GENERATOR_POLICY,
  now = Date.now(),
): GeneratorChoice {
  if (candidates.length === 0) return { score: 0, stopped: false, reason: 'no candidate generator' };
  let best = candidates[0];
  let bestScore = smoothedSuccessRate(records.get(best));
  for (const candidate of candidates.slice(1)) {
    const score = smoothedSuccessRate(records.get(candidate));
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  const record = records.get(best);
  const streak = record?.consecutiveRejections ?? 0;
  const lastRejected = record?.lastRejectedAt ? Date.parse(record.lastRejectedAt) : undefined;
  const cooling = lastRejected !== undefined && now - lastRejected < options.stopCooldownMs;
  if (streak >= options.stopAfterRejections && cooling) {
    return {
      generator: best,
      score: bestScore,
      stopped: true,
      reason: `${best} was rejected ${streak} times in a row (threshold ${options.stopAfterRejections}); retried after ${new Date(lastRejected + options.stopCooldownMs).toISOString()}`,
    };
  }
  const why = record ? `${record.validated} validated / ${record.rejected} rejected` : 'no record yet';
  return { generator: best, score: bestScore, stopped: false, reason: `${best}: ${why}` };
}
