import type { LintMessage } from '../tools/lint-format.runner';
import type { SourceFacts } from './source-facts.analyser';

/** Everything learnt about one file; `null` parts were not looked at (their analysis was off). */
export interface FileAnalysis {
  facts: SourceFacts | null;
  /** ESLint messages, each with the text of its line (findings are fingerprinted by content, not line numbers). */
  lint: Array<LintMessage & { source: string }> | null;
  /** Prettier's verdict. */
  formatted: boolean | null;
}
