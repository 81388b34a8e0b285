/**
 * The concrete branch of an environment whose branch is a pattern such as
 * `release/*`: the newest existing match (version order: release/1.10 is
 * after release/1.9), else a new branch named after today's date
 * (`release/2026-11-21`).
 */
export function pickBranch(pattern: string, existing: string[], now: Date): string {
  if (!pattern.includes('*')) return pattern;
  const [prefix, suffix] = pattern.split('*');
  const matching = existing.filter((b) => b.length > prefix.length + suffix.length && b.startsWith(prefix) && b.endsWith(suffix));
  if (matching.length) return matching.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1)!;
  return `${prefix}${now.toISOString().slice(0, 10)}${suffix}`;
}
