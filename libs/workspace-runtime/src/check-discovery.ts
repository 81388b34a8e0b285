import type { PackageManagerName, YarnFlavor } from './package-manager';
import type { WorkspaceConfig } from './workspace-config';

/**
 * The repository's own checks, from its package.json scripts: the ones a
 * maintainer runs before merging (test, lint, typecheck, check, format
 * check, build). Scripts that change files (`--fix`, `--write`) or never
 * end (`--watch`, dev servers) are never checks; autocode.yaml can add
 * scripts by name or exclude them.
 */

export type CheckKind = 'test' | 'lint' | 'typecheck' | 'check' | 'format' | 'build' | 'custom';

export interface DiscoveredCheck {
  /** The package.json script name. */
  name: string;
  kind: CheckKind;
  /** The script's text, for reports. */
  script: string;
  /** How a maintainer would type it: `npm run test`, `pnpm run test`, `yarn test`. */
  display: string;
  /** Why it was picked: `script name`, `command`, `autocode.yaml checks.include`. */
  reason: string;
}

export interface CheckDiscovery {
  checks: DiscoveredCheck[];
  /** Scripts that looked like checks but were left out, with the reason. */
  skipped: Array<{ name: string; reason: string }>;
  warnings: string[];
}

/** Script names per kind, in the order a kind's checks are listed. */
const NAMES: Record<Exclude<CheckKind, 'custom'>, string[]> = {
  test: ['test', 'tests', 'test:unit', 'unit', 'test:ci', 'spec'],
  lint: ['lint', 'eslint', 'lint:js', 'lint:ts', 'lint:code', 'lint:src', 'lint:all'],
  typecheck: ['typecheck', 'type-check', 'typecheck:all', 'tsc', 'types', 'check-types', 'check:types', 'types:check', 'lint:types', 'lint:tsc', 'test:types', 'test:typecheck', 'typings'],
  check: ['check', 'ci:check', 'verify', 'validate'],
  format: ['format:check', 'check:format', 'format-check', 'lint:format', 'lint:prettier', 'prettier:check', 'check:prettier', 'fmt:check', 'check-format', 'test:format'],
  build: ['build', 'compile', 'build:lib'],
};

/** Commands that only check formatting (when a script of another name runs one). */
const FORMAT_CHECK_COMMAND = /\b(prettier\b[^&|;]*\s(--check|-c|--list-different|-l)\b|biome\s+format(?![^&|;]*--write)|dprint\s+check)/;

/** Scripts that change the tree: running them as a check would rewrite the patch. */
const MUTATING = /\s(--fix|--write|--apply|--apply-unsafe|--updateSnapshot|--update-snapshots)(\s|=|$)|\b(npm|yarn|pnpm)\s+(version|publish)\b|\bgit\s+(push|commit|tag)\b|\bsemantic-release\b|\bchangeset\s+(version|publish)\b/;

/** Scripts that never end on their own (vitest without `run` is fine: CI=true in the sandbox makes it run once). */
const WATCHING =
  /\s(--watch|--watchAll|-w)(\s|=(?!false\b)|$)|\bvitest\s+(watch|dev)\b|\bnodemon\b|\bchokidar\b|\bonchange\b|\bvite(\s+(dev|serve|preview)\b|\s*$|\s+--)|\bwebpack\s+serve\b|\bwebpack-dev-server\b|\bnext\s+(dev|start)\b|\bhttp-server\b|\bstorybook\s+dev\b|\bstart-storybook\b/;

/** npm's placeholder for a missing test script. */
const PLACEHOLDER_TEST = /no test specified/;

export function runScriptDisplay(manager: PackageManagerName, flavor: YarnFlavor | undefined, script: string): string {
  // Yarn 1 and 2+ both run a script by its bare name; npm and pnpm need `run` for names like `lint`.
  if (manager === 'yarn') return flavor === 'berry' ? `yarn run ${script}` : `yarn ${script}`;
  return `${manager} run ${script}`;
}

export function discoverChecks(
  scripts: Record<string, unknown> | undefined,
  manager: PackageManagerName,
  flavor: YarnFlavor | undefined,
  config: WorkspaceConfig['checks'] = { include: [], exclude: [] },
): CheckDiscovery {
  const available = new Map<string, string>();
  for (const [name, body] of Object.entries(scripts ?? {})) if (typeof body === 'string' && !name.startsWith('-')) available.set(name, body);
  const checks: DiscoveredCheck[] = [];
  const skipped: CheckDiscovery['skipped'] = [];
  const warnings: string[] = [];
  const excluded = new Set(config.exclude);
  const taken = new Set<string>();

  const consider = (name: string, kind: CheckKind, reason: string, forced: boolean) => {
    if (taken.has(name)) return;
    const body = available.get(name);
    if (body === undefined) return;
    if (excluded.has(name)) return void skipped.push({ name, reason: 'excluded by autocode.yaml checks.exclude' });
    if (!forced) {
      const why = unsuitable(name, body);
      if (why) return void skipped.push({ name, reason: why });
    }
    taken.add(name);
    checks.push({ name, kind, script: body, display: runScriptDisplay(manager, flavor, name), reason });
  };

  for (const name of config.include) {
    if (!available.has(name)) warnings.push(`autocode.yaml checks.include names "${name}", which is not a script in package.json`);
    else consider(name, kindOfName(name) ?? 'custom', 'autocode.yaml checks.include', true);
  }
  for (const [kind, names] of Object.entries(NAMES) as Array<[Exclude<CheckKind, 'custom'>, string[]]>) {
    for (const name of names) consider(name, kind, 'script name', false);
  }
  for (const [name, body] of available) {
    if (!taken.has(name) && FORMAT_CHECK_COMMAND.test(body)) consider(name, 'format', 'runs a format check', false);
  }
  for (const name of config.exclude) if (!available.has(name)) warnings.push(`autocode.yaml checks.exclude names "${name}", which is not a script in package.json`);
  return { checks, skipped, warnings };
}

function kindOfName(name: string): Exclude<CheckKind, 'custom'> | undefined {
  return (Object.entries(NAMES) as Array<[Exclude<CheckKind, 'custom'>, string[]]>).find(([, names]) => names.includes(name))?.[0];
}

/** Why a script must not run as a check, or undefined when it may. */
export function unsuitable(name: string, body: string): string | undefined {
  if (name === 'test' && PLACEHOLDER_TEST.test(body)) return "npm's placeholder test script";
  if (WATCHING.test(` ${body} `)) return 'watch mode or a server: it never ends';
  if (MUTATING.test(` ${body} `)) return 'changes files (--fix/--write) or publishes';
  return undefined;
}
