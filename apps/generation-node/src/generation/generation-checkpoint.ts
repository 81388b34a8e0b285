import { z } from 'zod';
import type { JsonValue } from '@autocode/contracts';

/**
 * What a generate task saves as it goes, so a retried attempt (after a
 * crash, a lost node, a time limit) resumes where the last one stopped:
 * the files finished, and the diff of what they changed. The diff is
 * re-applied to the new attempt's fresh workspace and those files are
 * skipped.
 */
export const generationCheckpointSchema = z.strictObject({
  v: z.literal(1),
  generator: z.string(),
  commit: z.string(),
  done: z.array(z.string()),
  diff: z.string(),
});
export type GenerationCheckpoint = z.infer<typeof generationCheckpointSchema>;

/** Checkpoints travel through Kafka and Redis: beyond this the diff is not saved (the work is redone). */
export const MAX_CHECKPOINT_DIFF_CHARS = 256_000;

/** The checkpoint an earlier attempt left for this generator and commit, if it is one of ours. */
export function resumableCheckpoint(raw: JsonValue | null, generator: string, commit: string): GenerationCheckpoint | undefined {
  const parsed = generationCheckpointSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  return parsed.data.generator === generator && parsed.data.commit === commit && parsed.data.done.length > 0 ? parsed.data : undefined;
}

export function toJson(checkpoint: GenerationCheckpoint): JsonValue {
  return { ...checkpoint, done: [...checkpoint.done] };
}
