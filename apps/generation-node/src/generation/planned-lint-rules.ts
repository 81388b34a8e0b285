/**
 * The ESLint rules a lint-finding opportunity planned to fix, read from its
 * description as the planner writes it ("N findings ESLint can fix
 * automatically:" then one `rule (line L): message` per line, then "Not
 * fixable automatically …"). lint-autofix fixes only these, so a patch
 * holds the planned change and nothing the plan did not name. Empty when
 * the description names none (an opportunity from elsewhere): every
 * fixable finding is then fixed.
 */
export function plannedLintRules(description: string): string[] {
  const start = description.search(/ESLint can fix automatically:\n/);
  if (start === -1) return [];
  const fixablePart = description.slice(start).split('\n').slice(1);
  const rules = new Set<string>();
  for (const line of fixablePart) {
    if (/^Not fixable automatically/.test(line)) break;
    const rule = /^(\S+) \(line \d+\): /.exec(line)?.[1];
    if (rule) rules.add(rule);
  }
  return [...rules].sort();
}
