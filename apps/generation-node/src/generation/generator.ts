import type { GenerateParams, Patch } from '@autocode/contracts';
import type { TaskContext } from '@autocode/worker';

export interface GeneratorOutput {
  patch: Patch;
}

/** A way of producing a patch for an opportunity. */
export interface Generator {
  readonly name: string;
  generate(params: GenerateParams, context: TaskContext): Promise<GeneratorOutput>;
}

/**
 * Changes nothing, and says so: the task records an empty patch marked
 * `no-change`, never a pretend success. Used until a planned kind has a
 * real generator.
 */
export class NoopGenerator implements Generator {
  readonly name = 'noop';

  async generate(): Promise<GeneratorOutput> {
    return { patch: { diff: '', filesChanged: 0, insertions: 0, deletions: 0 } };
  }
}
