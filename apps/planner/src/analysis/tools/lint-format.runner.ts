/* eslint-disable @typescript-eslint/no-explicit-any -- this function runs in a child process with the repository's ESLint and formatter loaded dynamically (any version); their APIs are typed at the boundary (LintFormatResult) instead. */

/**
 * Which ESLint runs: `flat` / `legacy` — the repository's own, from its
 * node_modules, with its eslint.config.* or its .eslintrc (ESLint's own
 * legacy API for that version); `default` — the mesh's ESLint with the
 * default configuration, only when autocode.yaml asks; `off`.
 */
export type EslintRunMode = 'flat' | 'legacy' | 'default' | 'off';
/** Which formatter checks the files: the repository's own (from its node_modules), the mesh's Prettier on request, or none. */
export type FormatterRunMode = 'prettier' | 'biome' | 'dprint' | 'default-prettier' | 'off';

/** What the parent asks of the child (JSON on stdin). */
export interface LintFormatRequest {
  /** Paths relative to the child's working directory (the checkout). */
  files: string[];
  eslint: EslintRunMode;
  /** The repository's ESLint major (picks the API a legacy or flat config needs). */
  eslintMajor?: number;
  formatter: FormatterRunMode;
  /** The mesh's modules, for the `default` modes only. */
  meshModules: { eslint: string; eslintJs: string; typescriptEslint: string; prettier: string };
  /** Arguments of the one default ESLint config (libs/workspace-runtime defaultEslintConfig). */
  defaultEslint: { rules: Record<string, unknown>; ignores: string[] };
  /** Marks the result on stdout, so output of the repository's config code cannot be mistaken for it. */
  marker: string;
}

export interface LintMessage {
  ruleId: string | null;
  severity: 1 | 2;
  message: string;
  line: number;
  /** The repository's ESLint offers a fix for it (`--fix` would change the file). */
  fixable: boolean;
}

/** What the child answers (JSON on stdout, between markers). */
export interface LintFormatResult {
  eslint: { mode: EslintRunMode; version?: string; error?: string; results: Record<string, LintMessage[]> };
  /** `results[file]`: true when the formatter's check passes on the file. Files it ignores are absent. */
  format: { mode: FormatterRunMode; version?: string; error?: string; results: Record<string, boolean> };
}

/**
 * Runs in a child process (`node -e`, serialised with `toString()`), in a
 * prepared checkout of the target repository (its own node_modules), so the
 * repository's ESLint and formatter — and their configuration, which is
 * code — run in the sandbox, never inside the planner. It must stay
 * self-contained: no imports, only `load` (the child's `require`) and
 * `buildDefaultEslint` (defaultEslintConfig, serialised beside it).
 */
export function lintFormatRunner(load: (id: string) => any, buildDefaultEslint: (js: any, tseslint: any, rules: Record<string, unknown>, ignores: string[]) => object[]): void {
  const readInput = async (): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const errorText = (error: unknown) => String((error as Error)?.message ?? error).split('\n').slice(0, 3).join(' ').slice(0, 500);

  const main = async () => {
    const request = JSON.parse(await readInput()) as LintFormatRequest;
    const fs = load('node:fs');
    const path = load('node:path');
    const childProcess = load('node:child_process');
    const cwd = process.cwd();
    // The repository's own packages: resolved from the checkout, never from the mesh.
    const fromCheckout = (id: string) => load(load('node:module').createRequire(path.join(cwd, 'package.json')).resolve(id));
    const versionOf = (pkg: string) => {
      try {
        return String(JSON.parse(fs.readFileSync(path.join(cwd, 'node_modules', pkg, 'package.json'), 'utf8')).version);
      } catch {
        return undefined;
      }
    };
    const result: LintFormatResult = { eslint: { mode: request.eslint, results: {} }, format: { mode: request.formatter, results: {} } };

    if (request.eslint !== 'off' && request.files.length > 0) {
      try {
        let eslint: any;
        if (request.eslint === 'default') {
          const eslintModule = load(request.meshModules.eslint);
          const overrideConfig = buildDefaultEslint(load(request.meshModules.eslintJs), load(request.meshModules.typescriptEslint), request.defaultEslint.rules, request.defaultEslint.ignores);
          eslint = new eslintModule.ESLint({ cwd, overrideConfigFile: true, warnIgnored: false, errorOnUnmatchedPattern: false, overrideConfig });
        } else {
          const eslintModule = fromCheckout('eslint');
          result.eslint.version = versionOf('eslint');
          const major = request.eslintMajor ?? 9;
          if (request.eslint === 'legacy') {
            // ESLint < 9: its ESLint class is the eslintrc one; ESLint 9: the legacy class behind loadESLint.
            const Legacy = major >= 9 ? await eslintModule.loadESLint({ useFlatConfig: false }) : eslintModule.ESLint;
            eslint = new Legacy({ cwd, errorOnUnmatchedPattern: false });
          } else {
            const Flat = major >= 9 ? eslintModule.ESLint : (typeof eslintModule.loadESLint === 'function' ? await eslintModule.loadESLint({ useFlatConfig: true }) : fromCheckout('eslint/use-at-your-own-risk').FlatESLint);
            eslint = new Flat({ cwd, errorOnUnmatchedPattern: false });
          }
        }
        const wanted: string[] = [];
        for (const file of request.files) if (!(await eslint.isPathIgnored(path.join(cwd, file)))) wanted.push(file);
        const reports = wanted.length ? await eslint.lintFiles(wanted) : [];
        for (const report of reports) {
          const file = path.relative(cwd, report.filePath).split(path.sep).join('/');
          result.eslint.results[file] = report.messages
            // A parse error is not a finding to fix; the file's other analyses still stand.
            .filter((m: any) => !m.fatal)
            .map((m: any) => ({
              ruleId: m.ruleId ?? null,
              severity: m.severity === 2 ? 2 : 1,
              message: String(m.message).slice(0, 300),
              line: Number(m.line ?? 0),
              fixable: Boolean(m.fix),
            }));
        }
      } catch (error) {
        result.eslint.error = errorText(error);
      }
    }

    if (request.formatter !== 'off' && request.files.length > 0) {
      try {
        if (request.formatter === 'prettier' || request.formatter === 'default-prettier') {
          const prettier = request.formatter === 'prettier' ? fromCheckout('prettier') : load(request.meshModules.prettier);
          result.format.version = prettier.version;
          const ignorePath = path.join(cwd, '.prettierignore');
          for (const file of request.files) {
            const absolute = path.join(cwd, file);
            // Prettier 2 takes one ignore path, Prettier 3 one or several: a string suits both.
            const info = await prettier.getFileInfo(absolute, { ignorePath: fs.existsSync(ignorePath) ? ignorePath : undefined });
            if (info.ignored || !info.inferredParser) continue;
            const options = (await prettier.resolveConfig(absolute, { editorconfig: true })) ?? {};
            result.format.results[file] = await prettier.check(fs.readFileSync(absolute, 'utf8'), { ...options, filepath: absolute });
          }
        } else {
          // Biome and dprint are native binaries behind a JavaScript launcher: their own check, one file at a time.
          const pkg = request.formatter === 'biome' ? '@biomejs/biome' : 'dprint';
          result.format.version = versionOf(pkg);
          const bin = path.join(cwd, 'node_modules', '.bin', request.formatter);
          if (!fs.existsSync(bin)) throw new Error(`${pkg} is not installed in the repository's node_modules`);
          for (const file of request.files) {
            const args = request.formatter === 'biome' ? ['format', '--no-errors-on-unmatched', '--colors=off', file] : ['check', file];
            // The launcher is a Node.js script: run by this Node.js (the repository's), not by its shebang.
            const run = childProcess.spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
            if (run.error) throw run.error;
            const output = `${run.stdout}\n${run.stderr}`;
            if (run.status === 0) {
              // Biome prints what it checked; a file it ignores is not counted.
              if (request.formatter === 'dprint' || !/Checked 0 files?|No files were processed/i.test(output)) result.format.results[file] = true;
            } else if (request.formatter === 'biome' ? /Formatter would have printed|would have printed the following content|File content differs from formatting output/i.test(output) : /from|Formatted|differ/i.test(output)) {
              result.format.results[file] = false;
            }
            // Any other failure (a parse error, an unsupported file) says nothing about its formatting.
          }
        }
      } catch (error) {
        result.format.error = errorText(error);
      }
    }

    process.stdout.write(`\n${request.marker}\n${JSON.stringify(result)}\n${request.marker}\n`, () => process.exit(0));
  };

  main().catch((error) => {
    process.stderr.write(`lint/format runner failed: ${errorText(error)}\n`);
    process.exit(2);
  });
}
