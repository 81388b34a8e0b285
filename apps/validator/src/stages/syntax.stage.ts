import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import type { EphemeralWorkspace, SandboxRunResult } from '@autocode/sandbox';
import { SandboxedTools } from '../toolchain/sandboxed-tools';
import { JS_FILE, TS_FILE } from '../workspace/unified-diff';
import { couldNotRun, failed, newFindings, notApplicable, passed, tail, type StageContext, type StageOutcome, type ValidationStage } from './stage';

interface Diagnostic {
  file: string;
  line: number;
  code: string;
  message: string;
}

const DIAGNOSTIC = /^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/;
const GLOBAL_DIAGNOSTIC = /^error (TS\d+): (.*)$/;

/**
 * Syntax and types: the TypeScript compiler over the project (or the
 * changed files when there is no tsconfig.json), and a parse of every
 * changed JavaScript file. Only errors the change adds count: a repository
 * whose types were already broken (missing @types in a bare checkout) is
 * judged on what the change did. When the repository's own typecheck
 * script judged the change, the mesh's compiler is not run.
 */
@Injectable()
export class SyntaxStage implements ValidationStage {
  readonly name = 'syntax' as const;

  constructor(private readonly tools: SandboxedTools) {}

  async run(context: StageContext): Promise<StageOutcome> {
    const changed = context.changes.filter((c) => c.status !== 'deleted');
    const ts = changed.filter((c) => TS_FILE.test(c.path)).map((c) => c.path);
    const js = changed.filter((c) => JS_FILE.test(c.path)).map((c) => c.path);
    if (ts.length === 0 && js.length === 0) return notApplicable('no TypeScript or JavaScript file changed');
    if (js.length === 0 && !context.section.typescript && context.repositoryChecks.judged.has('typecheck')) return notApplicable('judged by the repository’s own typecheck (repository-checks)');

    const findings: string[] = [];
    const notes: string[] = [];
    // With a tsconfig, the project decides what is checked (checkJs covers JSDoc-typed JavaScript too).
    // The repository's own type check (its TypeScript, its dependencies installed) already judged the change.
    const typeChecked = !context.section.typescript && context.repositoryChecks.judged.has('typecheck');
    if (typeChecked) notes.push('types judged by the repository’s own typecheck (repository-checks)');
    else if (ts.length > 0 || this.project(context)) {
      const outcome = await this.typeCheck(context, ts);
      if (outcome.status === 'skipped') return outcome;
      findings.push(...outcome.findings);
      notes.push(outcome.summary);
    }
    if (js.length > 0) {
      const broken = await this.parseJavaScript(context, js);
      findings.push(...broken);
      notes.push(broken.length ? `${broken.length} JavaScript file(s) do not parse` : `${js.length} JavaScript file(s) parse`);
    }
    return findings.length ? failed(notes.join('; '), findings) : passed(notes.join('; '));
  }

  private async typeCheck(context: StageContext, files: string[]): Promise<StageOutcome> {
    const project = this.project(context);
    const args = (existing: string[]) =>
      project
        ? [this.tools.toolchain.tsc, '--noEmit', '--pretty', 'false', '-p', project]
        : [this.tools.toolchain.tsc, '--noEmit', '--pretty', 'false', '--skipLibCheck', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', ...existing];
    const after = await this.tools.node(context.patched, args(files), context.timeoutMs, context.signal);
    const afterDiagnostics = this.diagnostics(after);
    if (after.reason !== 'exited') return failed(`the type check did not finish: ${after.summary}`);
    if (after.exitCode === 0) return passed(`tsc: no errors${project ? ` in ${project}` : ` in ${files.length} changed file(s)`}`);
    if (afterDiagnostics.length === 0) return couldNotRun(`tsc failed without diagnostics (exit ${after.exitCode})`, [tail(after.stdout + after.stderr)]);

    const baseFiles = files.filter((f) => existsSync(join(context.base.root, f)));
    const before = project || baseFiles.length ? this.diagnostics(await this.tools.node(context.base, args(baseFiles), context.timeoutMs, context.signal)) : [];
    // Line numbers move when a change adds lines above an old error: compare without them.
    const added = newFindings(before, afterDiagnostics, (d) => `${d.file}|${d.code}|${d.message}`);
    const findings = added.slice(0, 100).map((d) => `${d.file}${d.line ? `:${d.line}` : ''} ${d.code}: ${d.message}`);
    if (added.length === 0) return passed(`tsc: ${afterDiagnostics.length} error(s), all present before the change`);
    return failed(`tsc: the change adds ${added.length} type error(s)`, findings);
  }

  private project(context: StageContext): string | undefined {
    return context.section.typescript?.project ?? (existsSync(join(context.base.root, 'tsconfig.json')) ? 'tsconfig.json' : undefined);
  }

  private diagnostics(result: SandboxRunResult): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const line of `${result.stdout}\n${result.stderr}`.split('\n')) {
      const located = DIAGNOSTIC.exec(line.trim());
      if (located) {
        out.push({ file: located[1], line: Number(located[2]), code: located[3], message: located[4] });
        continue;
      }
      const global = GLOBAL_DIAGNOSTIC.exec(line.trim());
      if (global) out.push({ file: '(project)', line: 0, code: global[1], message: global[2] });
    }
    return out;
  }

  /** `node --check` on each changed JavaScript file, in one sandboxed shell. */
  private async parseJavaScript(context: StageContext, files: string[]): Promise<string[]> {
    const script = 'for f do node --check "$f" >/dev/null 2>"$TMPDIR/err" || { echo "@@FAILED $f"; head -n 5 "$TMPDIR/err"; }; done';
    const result = await this.shellScript(context.patched, script, files, context);
    if (result.reason !== 'exited') return [`the JavaScript parse did not finish: ${result.summary}`];
    const findings: string[] = [];
    for (const block of result.stdout.split('@@FAILED ').slice(1)) {
      const [file, ...detail] = block.split('\n');
      const message = detail.find((l) => /SyntaxError/.test(l)) ?? detail.filter(Boolean).pop() ?? 'does not parse';
      const where = detail.map((l) => /:(\d+)$/.exec(l.trim())?.[1]).find(Boolean);
      findings.push(`${file}${where ? `:${where}` : ''} ${message.trim()}`);
    }
    return findings;
  }

  private shellScript(workspace: EphemeralWorkspace, script: string, files: string[], context: StageContext): Promise<SandboxRunResult> {
    return this.tools.run(workspace, '/bin/sh', ['-c', script, 'sh', ...files], context.timeoutMs, context.signal);
  }
}
