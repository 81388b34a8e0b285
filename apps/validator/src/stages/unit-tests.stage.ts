import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import type { EphemeralWorkspace } from '@autocode/sandbox';
import { SandboxedTools } from '../toolchain/sandboxed-tools';
import { failed, newFindings, notApplicable, passed, tail, type StageContext, type StageOutcome, type ValidationStage } from './stage';

/** `not ok 3 - adds tax` (TAP: node --test, tap, ava) or `✕ adds tax` / `✗ adds tax` (jest, mocha). */
const FAILING_TEST = /^\s*(?:not ok \d+ - (.+?)(?:\s+#.*)?|[✕✗×]\s+(.+?)(?:\s+\(\d+\s*m?s\))?)\s*$/;

/**
 * The repository's own tests (`validation.unit_tests.command`, else
 * package.json's `test` script), in the sandbox on the patched tree, when
 * the repository-checks stage could not judge them (no lockfile and no
 * dependencies, or the test script fails at baseline). When
 * they fail, the unpatched tree is run too: the change fails only for
 * tests it broke.
 */
@Injectable()
export class UnitTestsStage implements ValidationStage {
  readonly name = 'unit-tests' as const;

  constructor(private readonly tools: SandboxedTools) {}

  async run(context: StageContext): Promise<StageOutcome> {
    // An explicit autocode.yaml command is still run; otherwise the repository's own test check (run with its dependencies) is the judge.
    if (!context.section.unit_tests && context.repositoryChecks.judged.has('test')) return notApplicable('judged by the repository’s own test check (repository-checks)');
    const command = context.section.unit_tests?.command ?? (await testScript(context.patched));
    if (!command) return notApplicable('the repository defines no test command (package.json scripts.test or validation.unit_tests.command)');

    const after = await this.tools.shell(context.patched, command, context.timeoutMs, context.signal);
    if (after.reason === 'exited' && after.exitCode === 0) return passed(`\`${command}\` passed`);
    if (after.reason !== 'exited') return failed(`\`${command}\` did not finish: ${after.summary}`, [tail(after.stdout + after.stderr)]);

    const failingAfter = failingTests(after.stdout + after.stderr);
    const before = await this.tools.shell(context.base, command, context.timeoutMs, context.signal);
    if (before.reason === 'exited' && before.exitCode === 0) {
      return failed(
        `the change breaks \`${command}\` (it passes without the change)`,
        failingAfter.length ? failingAfter.map((t) => `failing test: ${t}`) : [tail(after.stdout + after.stderr)],
      );
    }
    const broken = newFindings(failingTests(before.stdout + before.stderr), failingAfter, (t) => t);
    if (broken.length) return failed(`the change breaks ${broken.length} test(s) of \`${command}\``, broken.map((t) => `failing test: ${t}`));
    if (failingAfter.length === 0) return failed(`\`${command}\` fails with and without the change, and names no failing test`, [tail(after.stdout + after.stderr)]);
    return passed(`\`${command}\` fails without the change too (${failingAfter.length} failing test(s)); the change breaks none`);
  }
}

async function testScript(workspace: EphemeralWorkspace): Promise<string | undefined> {
  try {
    const pkg = JSON.parse(await readFile(join(workspace.root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    const script = pkg.scripts?.test;
    // npm's placeholder test script is not a test suite.
    if (!script || /no test specified/.test(script)) return undefined;
    return 'npm test --silent';
  } catch {
    return undefined;
  }
}

export function failingTests(output: string): string[] {
  const names: string[] = [];
  for (const line of output.split('\n')) {
    const match = FAILING_TEST.exec(line);
    const name = match?.[1] ?? match?.[2];
    if (name && !/^(?:tests?|suite)\s*\d*$/i.test(name.trim())) names.push(name.trim());
  }
  return [...new Set(names)];
}
