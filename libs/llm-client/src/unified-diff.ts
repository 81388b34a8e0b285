/**
 * Pulling a unified diff out of a model's answer and reading what it
 * touches. Models wrap diffs in fences, add prose, drop the trailing
 * newline, or write `--- file` headers without `diff --git`: all of that is
 * accepted and normalised; `git apply --check` has the last word.
 */

/** The diff in `answer`, or undefined when there is none. */
export function extractDiff(answer: string): string | undefined {
  const fenced = [...answer.matchAll(/```[ \t]*(?:diff|patch|udiff)?[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]).filter(looksLikeDiff);
  const candidate = fenced.length ? fenced.join('\n') : looksLikeDiff(answer) ? answer.slice(diffStart(answer)) : undefined;
  if (!candidate) return undefined;
  const trimmed = candidate.replace(/^\s*\n/, '').replace(/\s+$/, '');
  return trimmed ? `${trimmed}\n` : undefined;
}

function looksLikeDiff(text: string): boolean {
  return /^(diff --git |--- (a\/)?\S)/m.test(text) && /^\+\+\+ /m.test(text) && /^@@ /m.test(text);
}

function diffStart(text: string): number {
  const match = /^(diff --git |--- )/m.exec(text);
  return match ? match.index : 0;
}

/** Every path a diff reads or writes (without a/ b/ prefixes), /dev/null excluded. */
export function pathsInDiff(diff: string): string[] {
  const paths = new Set<string>();
  for (const line of diff.split('\n')) {
    let match = /^diff --git a\/(\S+) b\/(\S+)/.exec(line);
    if (match) {
      paths.add(match[1]);
      paths.add(match[2]);
      continue;
    }
    match = /^(?:---|\+\+\+) (\S+)/.exec(line);
    if (match && match[1] !== '/dev/null') paths.add(match[1].replace(/^[ab]\//, ''));
    match = /^(?:rename|copy) (?:from|to) (\S+)/.exec(line);
    if (match) paths.add(match[1]);
  }
  return [...paths];
}
