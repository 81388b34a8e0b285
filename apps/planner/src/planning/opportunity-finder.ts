import { createHash } from 'node:crypto';
import type { CommitSummary } from '@autocode/git';
import type { Opportunity } from '@autocode/contracts';

const SOURCE_FILE = /\.(ts|tsx|js|jsx|mjs|cjs)$/;

export function fingerprintOf(kind: string, commit: string, files: string[]): string {
  return createHash('sha256').update([kind, commit, ...[...files].sort()].join('\n')).digest('hex').slice(0, 32);
}

/**
 * Turns recent history into opportunities. For now the one kind it knows is
 * "recently changed source files": worth a look by a generator. Richer
 * analysis (lint, complexity, coverage …) adds kinds beside it.
 */
export function findOpportunities(input: {
  commit: string;
  commits: CommitSummary[];
  presentFiles: ReadonlySet<string>;
  lookbackHours: number;
  maxFilesPerTask: number;
}): Opportunity[] {
  const changed = new Set<string>();
  for (const commit of input.commits) for (const file of commit.files) changed.add(file);
  const sources = [...changed].filter((f) => SOURCE_FILE.test(f) && input.presentFiles.has(f)).sort();
  if (sources.length === 0) return [];

  const files = sources.slice(0, input.maxFilesPerTask);
  return [
    {
      kind: 'recent-changes',
      fingerprint: fingerprintOf('recent-changes', input.commit, files),
      title: `Review ${files.length} source file(s) changed in the last ${input.lookbackHours}h`,
      description: `Commits: ${input.commits.map((c) => `${c.sha.slice(0, 8)} ${c.subject}`).slice(0, 20).join('; ')}`.slice(0, 5000),
      priority: 'MEDIUM',
      files,
      generator: 'noop',
    },
  ];
}
