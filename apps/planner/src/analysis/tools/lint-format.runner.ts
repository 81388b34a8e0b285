/* eslint-disable @typescript-eslint/no-explicit-any -- this function runs in a child process with ESLint and Prettier loaded dynamically; their APIs are typed at the boundary (LintFormatResult) instead. */

/** What the parent asks of the child (JSON on stdin). */
export interface LintFormatRequest {
  /** Paths relative to the child's working directory (the checkout). */
  files: string[];
  /** `repository`: the checkout's own flat config; `legacy`: its .eslintrc; `default`: ours; `off`: no ESLint. */
  eslint: 'repository' | 'legacy' | 'default' | 'off';
  prettier: boolean;
  modules: { eslint: string; eslintJs: string; typescriptEslint: string; prettier: string };
  /** Marks the result on stdout, so output of the repository's config code cannot be mistaken for it. */
  marker: string;
}

export interface LintMessage {
  ruleId: string | null;
  severity: 1 | 2;
  message: string;
  line: number;
  fixable: boolean;
}

/** What the child answers (JSON on stdout, between markers). */
export interface LintFormatResult {
  eslint: { config: 'repository' | 'legacy' | 'default' | 'off'; note?: string; error?: string; results: Record<string, LintMessage[]> };
  prettier: { error?: string; results: Record<string, boolean> };
}

/**
 * Runs in a child process (`node -e`, serialised with `toString()`), in a
 * checkout of the target repository, so the repository's ESLint and
 * Prettier configuration — which is code — runs with a scrubbed
 * environment and a time limit, never inside the planner. It must stay
 * self-contained: no imports, only `load` (the child's `require`).
 */
export function lintFormatRunner(load: (id: string) => any): void {
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
    const cwd = process.cwd();
    const result: LintFormatResult = { eslint: { config: request.eslint, results: {} }, prettier: { results: {} } };

    if (request.eslint !== 'off' && request.files.length > 0) {
      const eslintModule = load(request.modules.eslint);
      const defaultEslint = () => {
        const js = load(request.modules.eslintJs);
        const tseslint = load(request.modules.typescriptEslint);
        const tsFiles = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];
        return new eslintModule.ESLint({
          cwd,
          overrideConfigFile: true,
          warnIgnored: false,
          errorOnUnmatchedPattern: false,
          overrideConfig: [
            { ignores: ['**/node_modules/**', '**/dist/**', '**/build/**', '**/coverage/**', '**/*.min.js'] },
            { files: ['**/*.js', '**/*.jsx', '**/*.mjs', '**/*.cjs', ...tsFiles], ...js.configs.recommended },
            ...tseslint.configs.recommended.map((config: any) => ({ ...config, files: config.files ?? tsFiles })),
            { files: ['**/*.js', '**/*.jsx', '**/*.mjs'], languageOptions: { ecmaVersion: 'latest', sourceType: 'module', parserOptions: { ecmaFeatures: { jsx: true } } } },
            { files: ['**/*.cjs'], languageOptions: { ecmaVersion: 'latest', sourceType: 'commonjs' } },
            // Globals depend on the runtime (node, browser, jest …); the compiler catches undefined names.
            { rules: { 'no-undef': 'off' } },
          ],
        });
      };
      const lint = async (eslint: any) => {
        const reports = await eslint.lintFiles(request.files);
        const results: Record<string, LintMessage[]> = {};
        for (const report of reports) {
          const file = path.relative(cwd, report.filePath).split(path.sep).join('/');
          results[file] = report.messages.map((m: any) => ({
            ruleId: m.ruleId ?? null,
            severity: m.severity === 2 ? 2 : 1,
            message: String(m.message).slice(0, 300),
            line: Number(m.line ?? 0),
            fixable: Boolean(m.fix),
          }));
        }
        return results;
      };
      try {
        if (request.eslint === 'default') {
          result.eslint.results = await lint(defaultEslint());
        } else {
          try {
            const eslint =
              request.eslint === 'legacy'
                ? new (await eslintModule.loadESLint({ useFlatConfig: false }))({ cwd, errorOnUnmatchedPattern: false })
                : new eslintModule.ESLint({ cwd, warnIgnored: false, errorOnUnmatchedPattern: false });
            result.eslint.results = await lint(eslint);
          } catch (error) {
            result.eslint.config = 'default';
            result.eslint.note = `the repository's ESLint configuration failed (${errorText(error)}); used the default configuration`;
            result.eslint.results = await lint(defaultEslint());
          }
        }
      } catch (error) {
        result.eslint.error = errorText(error);
      }
    }

    if (request.prettier && request.files.length > 0) {
      try {
        const prettier = load(request.modules.prettier);
        const ignorePath = path.join(cwd, '.prettierignore');
        for (const file of request.files) {
          const absolute = path.join(cwd, file);
          const info = await prettier.getFileInfo(absolute, { ignorePath: fs.existsSync(ignorePath) ? ignorePath : undefined });
          if (info.ignored || !info.inferredParser) continue;
          const options = (await prettier.resolveConfig(absolute, { editorconfig: true })) ?? {};
          result.prettier.results[file] = await prettier.check(fs.readFileSync(absolute, 'utf8'), { ...options, filepath: absolute });
        }
      } catch (error) {
        result.prettier.error = errorText(error);
      }
    }

    process.stdout.write(`\n${request.marker}\n${JSON.stringify(result)}\n${request.marker}\n`, () => process.exit(0));
  };

  main().catch((error) => {
    process.stderr.write(`lint/format runner failed: ${errorText(error)}\n`);
    process.exit(2);
  });
}
