import type { GenerateParams } from '@autocode/contracts';
import type { EphemeralWorkspace } from '@autocode/sandbox';
import type { TaskContext } from '@autocode/worker';

/** One generate task as a generator sees it: a fresh workspace to change, and ways to report. */
export interface GenerationJob {
  params: GenerateParams;
  workspace: EphemeralWorkspace;
  context: TaskContext;
  /** Files an earlier attempt finished; their changes are already in the workspace. */
  resumedFiles: string[];
  /** A file is finished (the service saves a checkpoint now and then). */
  fileDone(file: string, touched: string[]): void;
  /** Free-form progress of the generator's own (percent of its part, 0–100). */
  progress(percent: number, message: string): void;
  /** The repository's prepared tools (its Node.js on PATH, its dependency tree to mount read-only), when the generator runs them. */
  repositoryTools?: { env: Record<string, string>; readOnlyPaths: string[] };
}

export interface GeneratorReport {
  notes: string[];
  stats: Record<string, number>;
}

/**
 * A way of producing a change for an opportunity: it changes files in the
 * job's workspace; the service turns the changes into the patch.
 */
export interface Generator {
  readonly name: string;
  /** Why this node cannot run it (no model configured …), or undefined when it can. */
  unavailableReason(): string | undefined;
  generate(job: GenerationJob): Promise<GeneratorReport>;
}

/** A generator failed; `retryable` says whether another attempt could go differently. */
export class GenerationFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'GenerationFailure';
  }
}

/**
 * Changes nothing, and says so: the task records an empty patch marked
 * `no-change`, never a pretend success. For kinds that are planned for
 * review only (`recent-changes`).
 */
export class NoopGenerator implements Generator {
  readonly name = 'noop';

  unavailableReason(): undefined {
    return undefined;
  }

  async generate(): Promise<GeneratorReport> {
    return { notes: [], stats: {} };
  }
}
