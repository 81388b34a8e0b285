import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * Which linter and formatter a repository uses, and how (SPEC F-47): the
 * one definition of their configuration file names, read by the planner,
 * the generation node and the validator. Pure over a directory: it reads
 * files, runs nothing. Versions come from the checkout's installed
 * node_modules (after WorkspaceRuntime.prepare), never from the mesh.
 */

export const ESLINT_FLAT_CONFIG_FILES = ['eslint.config.js', 'eslint.config.mjs', 'eslint.config.cjs', 'eslint.config.ts', 'eslint.config.mts', 'eslint.config.cts'] as const;
export const ESLINT_LEGACY_CONFIG_FILES = ['.eslintrc', '.eslintrc.js', '.eslintrc.cjs', '.eslintrc.json', '.eslintrc.yaml', '.eslintrc.yml'] as const;
export const PRETTIER_CONFIG_FILES = [
  '.prettierrc',
  '.prettierrc.json',
  '.prettierrc.json5',
  '.prettierrc.yaml',
  '.prettierrc.yml',
  '.prettierrc.toml',
  '.prettierrc.js',
  '.prettierrc.cjs',
  '.prettierrc.mjs',
  '.prettierrc.ts',
  '.prettierrc.mts',
  '.prettierrc.cts',
  'prettier.config.js',
  'prettier.config.cjs',
  'prettier.config.mjs',
  'prettier.config.ts',
  'prettier.config.mts',
  'prettier.config.cts',
] as const;
export const BIOME_CONFIG_FILES = ['biome.json', 'biome.jsonc'] as const;
export const DPRINT_CONFIG_FILES = ['dprint.json', '.dprint.json', 'dprint.jsonc', '.dprint.jsonc'] as const;
/** Files whose change changes what the tools report (a cache key over them is a configuration key). */
export const TOOL_CONFIG_FILE = new RegExp(
  `(^|/)(${[...ESLINT_FLAT_CONFIG_FILES, ...ESLINT_LEGACY_CONFIG_FILES, ...PRETTIER_CONFIG_FILES, ...BIOME_CONFIG_FILES, ...DPRINT_CONFIG_FILES, '.eslintignore', '.prettierignore', '.editorconfig', 'package.json', 'autocode.yaml']
    .map((name) => name.replace(/\./g, '\\.'))
    .join('|')})$`,
);

/** autocode.yaml `tools`: ask for a default ESLint/Prettier on a repository that does not use them, or turn one off. */
export const toolsConfigSchema = z.strictObject({
  eslint: z.enum(['repository', 'default', 'off']).default('repository'),
  prettier: z.enum(['repository', 'default', 'off']).default('repository'),
});
export type ToolsConfig = z.infer<typeof toolsConfigSchema>;

export class ToolsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolsConfigError';
  }
}

/** The `tools` section of a parsed autocode.yaml (absent: the repository's own tools only). */
export function parseToolsConfig(parsedYaml: unknown): ToolsConfig {
  const section = parsedYaml && typeof parsedYaml === 'object' ? (parsedYaml as Record<string, unknown>).tools : undefined;
  const parsed = toolsConfigSchema.safeParse(section ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = ['tools', ...issue.path.map(String)].join('.');
    throw new ToolsConfigError(`autocode.yaml ${where}: ${issue.message} (allowed: eslint/prettier: repository | default | off)`);
  }
  return parsed.data;
}

/** The `tools` section of the checkout's autocode.yaml (defaults without one); throws ToolsConfigError naming the problem. */
export function readToolsConfig(dir: string): ToolsConfig {
  const file = join(dir, 'autocode.yaml');
  if (!existsSync(file)) return parseToolsConfig(undefined);
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ToolsConfigError(`autocode.yaml is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  return parseToolsConfig(parsed);
}

export interface InstalledTool {
  /** The package the version came from (`eslint`, `@biomejs/biome` …). */
  packageName: string;
  /** From the checkout's node_modules/<package>/package.json; undefined when it is not installed. */
  version?: string;
  major?: number;
}

export interface EslintUsage extends InstalledTool {
  /** `flat`: eslint.config.*; `legacy`: .eslintrc* or package.json `eslintConfig`. */
  config: 'flat' | 'legacy';
  configFile: string;
}

export interface PrettierUsage extends InstalledTool {
  /** A config file, `package.json#prettier`, or `dependency` (declared, Prettier's defaults). */
  configFile: string;
}

export interface BiomeUsage extends InstalledTool {
  configFile: string;
}

export interface DprintUsage extends InstalledTool {
  configFile: string;
}

export interface RepositoryTools {
  eslint?: EslintUsage;
  prettier?: PrettierUsage;
  biome?: BiomeUsage;
  dprint?: DprintUsage;
  /** The package.json script that checks formatting, if any (`format:check` …). */
  formatCheckScript?: string;
  /** The formatter whose check decides what is unformatted: the one the format-check script runs, else the only one configured. */
  formatter?: 'prettier' | 'biome' | 'dprint';
}

interface Manifest {
  scripts?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
  eslintConfig?: unknown;
  prettier?: unknown;
}

const FORMAT_SCRIPT_NAMES = ['format:check', 'check:format', 'format-check', 'lint:format', 'lint:prettier', 'prettier:check', 'check:prettier', 'fmt:check', 'check-format', 'test:format'];
const FORMAT_CHECK_COMMAND = /\b(prettier\b[^&|;]*\s(--check|-c|--list-different|-l)\b|biome\s+(format|check|ci)(?![^&|;]*--(write|apply))|dprint\s+check)/;

/** The tools the repository in `dir` uses (its root package.json and config files). */
export function detectRepositoryTools(dir: string): RepositoryTools {
  const manifest = readManifest(dir);
  const declared = (name: string) => Boolean(manifest.devDependencies?.[name] ?? manifest.dependencies?.[name]);
  const tools: RepositoryTools = {};

  const flat = ESLINT_FLAT_CONFIG_FILES.find((name) => existsSync(join(dir, name)));
  const legacy = ESLINT_LEGACY_CONFIG_FILES.find((name) => existsSync(join(dir, name))) ?? (manifest.eslintConfig ? 'package.json#eslintConfig' : undefined);
  // ESLint 9 reads a flat config first; ESLint 8 only when ESLINT_USE_FLAT_CONFIG says so, which a repository with both does not set.
  const eslint = installed(dir, 'eslint');
  if (flat && legacy) tools.eslint = { ...eslint, config: (eslint.major ?? 9) >= 9 ? 'flat' : 'legacy', configFile: (eslint.major ?? 9) >= 9 ? flat : legacy };
  else if (flat) tools.eslint = { ...eslint, config: 'flat', configFile: flat };
  else if (legacy) tools.eslint = { ...eslint, config: 'legacy', configFile: legacy };

  const prettierFile = PRETTIER_CONFIG_FILES.find((name) => existsSync(join(dir, name))) ?? (manifest.prettier !== undefined ? 'package.json#prettier' : undefined);
  if (prettierFile || declared('prettier')) tools.prettier = { ...installed(dir, 'prettier'), configFile: prettierFile ?? 'dependency' };

  const biomeFile = BIOME_CONFIG_FILES.find((name) => existsSync(join(dir, name)));
  if (biomeFile || declared('@biomejs/biome')) tools.biome = { ...installed(dir, '@biomejs/biome'), configFile: biomeFile ?? 'dependency' };

  const dprintFile = DPRINT_CONFIG_FILES.find((name) => existsSync(join(dir, name)));
  if (dprintFile) tools.dprint = { ...installed(dir, 'dprint'), configFile: dprintFile };

  const scripts = Object.entries(manifest.scripts ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  const byName = FORMAT_SCRIPT_NAMES.map((name) => scripts.find(([script]) => script === name)).find(Boolean);
  const format = byName ?? scripts.find(([, body]) => FORMAT_CHECK_COMMAND.test(body));
  if (format) tools.formatCheckScript = format[0];
  tools.formatter = formatterOf(tools, format?.[1]);
  return tools;
}

function formatterOf(tools: RepositoryTools, script: string | undefined): RepositoryTools['formatter'] {
  if (script && /\bprettier\b/.test(script) && tools.prettier) return 'prettier';
  if (script && /\bbiome\b/.test(script) && tools.biome) return 'biome';
  if (script && /\bdprint\b/.test(script) && tools.dprint) return 'dprint';
  const configured = (['prettier', 'biome', 'dprint'] as const).filter((name) => tools[name]);
  // Several formatters and no script to say which: the one with a config file of its own, else Prettier.
  if (configured.length > 1) return configured.find((name) => tools[name]!.configFile !== 'dependency') ?? configured[0];
  return configured[0];
}

function installed(dir: string, packageName: string): InstalledTool {
  try {
    const json = JSON.parse(readFileSync(join(dir, 'node_modules', packageName, 'package.json'), 'utf8')) as { version?: unknown };
    const version = typeof json.version === 'string' ? json.version : undefined;
    const major = version ? Number(/^(\d+)\./.exec(version)?.[1]) : undefined;
    return { packageName, version, major: Number.isFinite(major) ? major : undefined };
  } catch {
    return { packageName };
  }
}

function readManifest(dir: string): Manifest {
  try {
    const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as unknown;
    return json && typeof json === 'object' ? (json as Manifest) : {};
  } catch {
    return {};
  }
}

/** Whether the repository's ESLint can run: detected, installed, with a config its version reads. Else why not. */
export function eslintUnavailableReason(tools: RepositoryTools): string | undefined {
  const eslint = tools.eslint;
  if (!eslint) return 'the repository has no ESLint configuration';
  if (!eslint.version) return `the repository configures ESLint (${eslint.configFile}) but eslint is not installed in its dependencies`;
  if (eslint.config === 'flat' && (eslint.major ?? 0) < 8) return `ESLint ${eslint.version} cannot read a flat config (${eslint.configFile})`;
  if (eslint.config === 'legacy' && (eslint.major ?? 0) >= 10) return `ESLint ${eslint.version} no longer reads ${eslint.configFile}`;
  return undefined;
}

/** Whether the repository's formatter can run. Else why not. */
export function formatterUnavailableReason(tools: RepositoryTools): string | undefined {
  if (!tools.formatter) return 'the repository uses no formatter (Prettier, Biome, dprint)';
  const usage = tools[tools.formatter]!;
  if (!usage.version) return `the repository uses ${tools.formatter} (${usage.configFile}) but ${usage.packageName} is not installed in its dependencies`;
  return undefined;
}

/** Fixable, uncontroversial rules a default ESLint adds (autocode.yaml `tools.eslint: default`); nothing stylistic a formatter owns. */
export const DEFAULT_ESLINT_RULES: Record<string, unknown> = {
  'prefer-const': 'error',
  'no-var': 'error',
  eqeqeq: ['error', 'smart'],
  curly: ['error', 'multi-line'],
  'dot-notation': 'error',
  'no-extra-boolean-cast': 'error',
  'no-unneeded-ternary': 'error',
  'no-useless-rename': 'error',
  'no-useless-return': 'error',
  'no-useless-computed-key': 'error',
  'no-lonely-if': 'error',
  'no-extra-bind': 'error',
  'object-shorthand': ['error', 'properties'],
  'operator-assignment': 'error',
  'prefer-exponentiation-operator': 'error',
  'prefer-object-spread': 'error',
  yoda: 'error',
};
export const DEFAULT_ESLINT_IGNORES = ['**/node_modules/**', '**/dist/**', '**/build/**', '**/coverage/**', '**/*.min.js'];

/**
 * The one default ESLint flat config (ESLint 9, the mesh's own): the
 * recommended rules of @eslint/js and typescript-eslint plus
 * DEFAULT_ESLINT_RULES (pass DEFAULT_ESLINT_RULES and DEFAULT_ESLINT_IGNORES).
 * Self-contained, so a sandboxed child can run its source (`toString()`);
 * the modules are loaded by the caller, in the sandbox.
 */
export function defaultEslintConfig(
  js: { configs: { recommended: object } },
  tseslint: { configs: { recommended: Array<{ files?: string[] }> } },
  rules: Record<string, unknown>,
  ignores: string[],
): object[] {
  const tsFiles = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];
  const allFiles = ['**/*.{js,mjs,cjs,jsx}', ...tsFiles];
  return [
    { ignores },
    { files: allFiles, ...js.configs.recommended },
    ...tseslint.configs.recommended.map((config) => ({ ...config, files: config.files ?? tsFiles })),
    { files: ['**/*.{js,mjs,jsx}'], languageOptions: { ecmaVersion: 'latest', sourceType: 'module', parserOptions: { ecmaFeatures: { jsx: true } } } },
    { files: ['**/*.cjs'], languageOptions: { ecmaVersion: 'latest', sourceType: 'commonjs' } },
    // Globals depend on the runtime (node, browser, jest …); the compiler catches undefined names.
    { rules: { 'no-undef': 'off' } },
    { files: allFiles, rules },
  ];
}
