import type { ParsedRunnerJob } from '../runner-protocol';

export interface FileOutcome {
  status: 'changed' | 'unchanged' | 'skipped';
  /** Paths written while working on this file (relative to the root). */
  touched: string[];
  detail?: string;
}

/**
 * A built-in generator as the runner drives it: told which files to work
 * on, it changes them in place, one at a time, so progress and checkpoints
 * can follow file by file.
 */
export interface FileGenerator {
  /** The files of `candidates` this generator works on (the rest are reported skipped). */
  select(candidates: string[]): string[];
  /** Once, before the first file (load a config, build a program). */
  prepare?(files: string[]): Promise<void>;
  processFile(file: string): Promise<FileOutcome>;
  /** Once, after the last file: notes and counters for the task's report. */
  finish?(): Promise<{ notes: string[]; stats: Record<string, number> }>;
}

export type FileGeneratorFactory = (root: string, job: ParsedRunnerJob) => FileGenerator;

/** A failure of the repository's input (a broken config, a parse error) that a retry would meet again. */
export class PermanentGeneratorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentGeneratorError';
  }
}
