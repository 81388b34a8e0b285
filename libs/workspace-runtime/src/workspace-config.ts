import { z } from 'zod';

/**
 * The sections of a target repository's autocode.yaml this library reads:
 * `install` (which dependencies may run their install scripts) and
 * `checks` (which package.json scripts judge a patch). Other top-level
 * sections belong to other services and are ignored; inside these two,
 * unknown keys are errors, so a typo never silently changes what runs.
 */

/** An npm package name: `name` or `@scope/name`. */
const packageName = z
  .string()
  .min(1)
  .max(214)
  .regex(/^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/i, 'must be an npm package name such as esbuild or @scope/name');

/** A package.json script name (no shell metacharacters: it is passed as one argument). */
const scriptName = z.string().min(1).max(200).regex(/^[A-Za-z0-9:._@/-]+$/, 'must be a package.json script name (letters, digits, : . _ @ / -)');

export const installConfigSchema = z.strictObject({
  /** Packages whose install scripts (preinstall/install/postinstall) run after the scripts-free install, in the sandbox. */
  allowScripts: z.array(packageName).max(200).default([]),
});

export const checksConfigSchema = z.strictObject({
  /** Scripts to run as checks besides (or instead of) the discovered ones. */
  include: z.array(scriptName).max(100).default([]),
  /** Scripts never run as checks, even when discovered. */
  exclude: z.array(scriptName).max(100).default([]),
});

export const workspaceConfigSchema = z.looseObject({
  install: installConfigSchema.default({ allowScripts: [] }),
  checks: checksConfigSchema.default({ include: [], exclude: [] }),
});

export type WorkspaceConfig = { install: z.infer<typeof installConfigSchema>; checks: z.infer<typeof checksConfigSchema> };

export const DEFAULT_WORKSPACE_CONFIG: WorkspaceConfig = { install: { allowScripts: [] }, checks: { include: [], exclude: [] } };

export class WorkspaceConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`autocode.yaml: ${issues.join('; ')}`);
    this.name = 'WorkspaceConfigError';
  }
}

/**
 * Validates the parsed YAML of autocode.yaml (`undefined` or `null`: no
 * file, the defaults). Errors name the field, e.g. `install.allowScripts[1]`.
 */
export function parseWorkspaceConfig(parsedYaml: unknown): WorkspaceConfig {
  if (parsedYaml === undefined || parsedYaml === null) return structuredClone(DEFAULT_WORKSPACE_CONFIG);
  const result = workspaceConfigSchema.safeParse(parsedYaml);
  if (!result.success) {
    throw new WorkspaceConfigError(result.error.issues.map((issue) => `${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(root)'}: ${issue.message}`));
  }
  return { install: result.data.install, checks: result.data.checks };
}
