import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import semver from 'semver';
import { CODE_FILE, type ChangedFile } from '../workspace/unified-diff';
import { AdvisoryClient } from './advisory.client';
import { findDangerousCalls } from './dangerous-apis';
import { findSecrets } from './secret-rules';
import { couldNotRun, failed, passed, type StageContext, type StageOutcome, type ValidationStage } from './stage';

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

/**
 * Security review of what the change adds: credentials in added lines,
 * dangerous APIs on added lines (eval, child_process with a dynamic
 * command, disabled TLS checks), and new or changed dependencies checked
 * against an advisory source when one is configured. Nothing of the
 * change runs: files are read and parsed.
 */
@Injectable()
export class SecurityStage implements ValidationStage {
  readonly name = 'security' as const;

  constructor(private readonly advisories: AdvisoryClient) {}

  async run(context: StageContext): Promise<StageOutcome> {
    const findings: string[] = [];
    for (const change of context.changes) {
      for (const [line, text] of change.addedLines) {
        for (const hit of findSecrets(text)) findings.push(`${change.path}:${line} secret/${hit.rule.id}: ${hit.rule.description} (${hit.masked})`);
      }
    }
    for (const change of context.changes.filter((c) => c.status !== 'deleted' && CODE_FILE.test(c.path) && c.addedLines.size > 0)) {
      const source = await readFile(join(context.patched.root, change.path), 'utf8').catch(() => undefined);
      if (source === undefined) continue;
      for (const call of findDangerousCalls(change.path, source)) {
        if (change.addedLines.has(call.line)) findings.push(`${change.path}:${call.line} dangerous-api/${call.rule}: ${call.message}`);
      }
    }
    const dependencies = await this.dependencyFindings(context);
    if (dependencies.unchecked) return couldNotRun(dependencies.unchecked, findings);
    findings.push(...dependencies.findings);
    const notes = [dependencies.note].filter(Boolean).join('; ');
    if (findings.length) return failed(`the change adds ${findings.length} security finding(s)${notes ? `; ${notes}` : ''}`, findings);
    return passed(`no secrets, dangerous APIs or vulnerable dependencies added${notes ? `; ${notes}` : ''}`);
  }

  private async dependencyFindings(context: StageContext): Promise<{ findings: string[]; note?: string; unchecked?: string }> {
    const manifests = context.changes.filter((c) => /(^|\/)package\.json$/.test(c.path) && c.status !== 'deleted');
    const added: Array<{ manifest: string; name: string; range: string }> = [];
    for (const manifest of manifests) added.push(...(await changedDependencies(context, manifest)));
    if (added.length === 0) return { findings: [] };
    const list = added.map((d) => `${d.name}@${d.range}`).join(', ');
    if (!this.advisories.configured) return { findings: [], note: `new dependencies not checked against advisories (no advisory source configured): ${list}` };

    const query: Record<string, string[]> = {};
    for (const dep of added) {
      const version = semver.validRange(dep.range) ? semver.minVersion(dep.range)?.version : undefined;
      if (version) (query[dep.name] ??= []).push(version);
    }
    let answer: Awaited<ReturnType<AdvisoryClient['advisories']>>;
    try {
      answer = await this.advisories.advisories(query);
    } catch (error) {
      return { findings: [], unchecked: `could not check new dependencies (${list}) against advisories: ${(error as Error).message}` };
    }
    const findings: string[] = [];
    for (const dep of added) {
      const version = query[dep.name]?.[0];
      for (const advisory of answer[dep.name] ?? []) {
        if (version && !semver.satisfies(version, advisory.vulnerable_versions)) continue;
        findings.push(`${dep.manifest} vulnerable-dependency: ${dep.name}@${dep.range} — ${advisory.severity}: ${advisory.title}${advisory.url ? ` (${advisory.url})` : ''}`);
      }
    }
    return { findings, note: `${added.length} new dependenc${added.length === 1 ? 'y' : 'ies'} checked against advisories` };
  }
}

async function changedDependencies(context: StageContext, manifest: ChangedFile): Promise<Array<{ manifest: string; name: string; range: string }>> {
  const read = async (root: string) => {
    try {
      return JSON.parse(await readFile(join(root, manifest.path), 'utf8')) as Record<string, Record<string, string> | undefined>;
    } catch {
      return {};
    }
  };
  const [before, after] = await Promise.all([read(context.base.root), read(context.patched.root)]);
  const out: Array<{ manifest: string; name: string; range: string }> = [];
  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, range] of Object.entries(after[field] ?? {})) {
      if (typeof range === 'string' && before[field]?.[name] !== range) out.push({ manifest: manifest.path, name, range });
    }
  }
  return out;
}
