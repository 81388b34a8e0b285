import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import type { EphemeralWorkspace } from '@autocode/sandbox';
import { repositoryIdentity } from '@autocode/validation-record';
import { WorkspaceRuntime, type CheckResult, type DiscoveredCheck, type PreparedWorkspace, type PrepareFailed } from '@autocode/workspace-runtime';
import { BaselineCheckRepository } from '../workspace/baseline-check.repository';
import { judgesTheChange, summarizeChecks, type JudgedCheck } from './check-verdict';
import { cannotValidate, failed, notApplicable, passed, type StageContext, type StageOutcome, type ValidationStage } from './stage';

/** Files whose change alters what gets installed: a prepare that fails on them is the change's doing. */
const INSTALL_INPUT = /(^|\/)(package\.json|package-lock\.json|npm-shrinkwrap\.json|pnpm-lock\.yaml|pnpm-workspace\.yaml|yarn\.lock|\.yarnrc(\.yml)?|\.npmrc)$/;

interface PackageJson {
  scripts?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
  optionalDependencies?: Record<string, unknown>;
}

/**
 * The repository's own checks judge the change (SPEC F-46): both checkouts
 * are prepared by the workspace runtime (its manager, its Node.js major,
 * its locked dependencies — the second prepare links the cached tree), the
 * checks its package.json and autocode.yaml name run on the base commit
 * once per (repository, commit, check, tree) — the result is kept in Redis —
 * and on the patched tree. A check that passed before and fails after fails
 * the change; one failing before is reported, not counted; one that cannot
 * run makes the change "cannot validate", never "failed".
 */
@Injectable()
export class RepositoryChecksStage implements ValidationStage {
  readonly name = 'repository-checks' as const;
  private readonly logger = new Logger(RepositoryChecksStage.name);

  constructor(
    private readonly runtime: WorkspaceRuntime,
    private readonly baselines: BaselineCheckRepository,
  ) {}

  async run(context: StageContext): Promise<StageOutcome> {
    const manifest = await readPackageJson(context.base);
    if (manifest === 'unreadable') return cannotValidate('cannot validate: the base commit’s package.json is not valid JSON');
    if (!manifest) return notApplicable('the repository has no package.json: no checks of its own');
    if (!hasScripts(manifest)) return notApplicable('the repository’s package.json defines no scripts: no checks of its own');

    const base = await this.runtime.prepare(context.base.root, { signal: context.signal });
    if (!base.ok) {
      // Nothing to install and no lockfile to say so: the built-in stages judge it as a bare checkout.
      if (base.failure.kind === 'lockfile-missing' && !hasDependencies(manifest)) return notApplicable('the repository has no lockfile and no dependencies: judged by the built-in stages');
      return prepareFailed('the base commit', base);
    }
    const discovery = await this.runtime.discoverChecks(base);
    for (const check of discovery.checks) context.repositoryChecks.discovered.add(check.kind);
    if (discovery.checks.length === 0) return notApplicable(`none of the repository’s scripts is a check (test, lint, typecheck, check, format check, build)${skippedNote(discovery.skipped)}`);

    const repository = repositoryIdentity(context.repository);
    const baseline = new Map<string, { result: CheckResult; cached: boolean }>();
    for (const check of discovery.checks) {
      const key = { repository, commit: context.commit, check: check.name, runtimeKey: base.treeKey };
      const cached = await this.baselines.get(key);
      if (cached) {
        baseline.set(check.name, { result: cached, cached: true });
        continue;
      }
      const result = await this.runCheck(base, check, context);
      await this.baselines.save(key, result);
      baseline.set(check.name, { result, cached: false });
    }

    const judging = discovery.checks.filter((c) => judgesTheChange(baseline.get(c.name)!.result));
    const results = new Map<string, CheckResult>();
    let patchedManifest: PackageJson | undefined;
    if (judging.length > 0) {
      const patched = await this.runtime.prepare(context.patched.root, { signal: context.signal, config: base.config });
      if (!patched.ok) {
        const touchesInstall = context.changes.some((c) => INSTALL_INPUT.test(c.path));
        if (touchesInstall) return failed(`the change breaks the install: ${patched.failure.kind}: ${patched.failure.message}`, excerptOf(patched));
        return prepareFailed('the patched tree', patched);
      }
      const manifestAfter = await readPackageJson(context.patched);
      patchedManifest = manifestAfter === 'unreadable' ? undefined : manifestAfter;
      for (const check of judging) results.set(check.name, await this.runCheck(patched, check, context));
    }

    const judged: JudgedCheck[] = discovery.checks.map((check) => ({
      check,
      before: baseline.get(check.name)!.result,
      after: results.get(check.name),
      baselineCached: baseline.get(check.name)!.cached,
      scriptKept: typeof patchedManifest?.scripts?.[check.name] === 'string',
    }));
    const summary = summarizeChecks(judged);
    for (const kind of summary.judgedKinds) context.repositoryChecks.judged.add(kind);
    const prefix = `${base.manager} ${base.managerVersion}, Node.js ${base.nodeMajor} (${base.installed} tree)`;
    switch (summary.outcome) {
      case 'failed':
        return failed(`${summary.summary} [${prefix}]`, summary.findings);
      case 'cannot-validate':
        return cannotValidate(`${summary.summary} [${prefix}]`, summary.findings);
      case 'passed':
        return passed(`${summary.summary} [${prefix}]`, summary.findings);
      case 'nothing-judged':
        return { status: 'skipped', summary: `${summary.summary} [${prefix}]`, findings: summary.findings, notApplicable: true };
    }
  }

  private async runCheck(prepared: PreparedWorkspace, check: DiscoveredCheck, context: StageContext): Promise<CheckResult> {
    const result = await this.runtime.runCheck(prepared, check, { timeoutMs: context.timeoutMs, signal: context.signal });
    context.signal.throwIfAborted();
    this.logger.log({ msg: 'repository check', check: check.name, status: result.status, reason: result.reason, durationMs: result.durationMs, checkout: prepared.checkoutDir });
    return result;
  }
}

function prepareFailed(what: string, result: PrepareFailed): StageOutcome {
  return cannotValidate(`cannot validate: ${what} cannot be prepared (${result.failure.kind}): ${result.failure.message}`, excerptOf(result));
}

function excerptOf(result: PrepareFailed): string[] {
  return result.failure.excerpt ? [result.failure.excerpt.trim().split('\n').slice(-25).join('\n')] : [];
}

function skippedNote(skipped: Array<{ name: string; reason: string }>): string {
  return skipped.length ? `; left out: ${skipped.map((s) => `${s.name} (${s.reason})`).join(', ')}` : '';
}

async function readPackageJson(workspace: EphemeralWorkspace): Promise<PackageJson | 'unreadable' | undefined> {
  let text: string;
  try {
    text = await readFile(join(workspace.root, 'package.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as PackageJson) : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

function hasScripts(manifest: PackageJson): boolean {
  return !!manifest.scripts && Object.keys(manifest.scripts).length > 0;
}

function hasDependencies(manifest: PackageJson): boolean {
  return [manifest.dependencies, manifest.devDependencies, manifest.optionalDependencies].some((deps) => deps && Object.keys(deps).length > 0);
}
