import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import type { EphemeralWorkspace } from '@autocode/sandbox';
import { SandboxedTools } from '../toolchain/sandboxed-tools';
import { failed, notApplicable, passed, tail, type StageContext, type StageOutcome, type ValidationStage } from './stage';

/** A benchmark may report its own measurement (the work alone, without start-up or a build): `benchmark: 12.5 ms`. */
const REPORTED = /^\s*benchmark:\s*(\d+(?:\.\d+)?)\s*ms\s*$/im;

/**
 * The repository's benchmark (`validation.performance.command`, else
 * package.json's `bench` or `benchmark` script), run on the unpatched and
 * the patched tree, interleaved so a busy machine slows both alike. Each
 * run's measurement is what it reports (`benchmark: <n> ms`), else its
 * wall-clock time. The medians are compared: slower by more than the
 * threshold (and the noise floor) fails.
 */
@Injectable()
export class PerformanceStage implements ValidationStage {
  readonly name = 'performance' as const;

  constructor(private readonly tools: SandboxedTools) {}

  async run(context: StageContext): Promise<StageOutcome> {
    const configured = context.section.performance;
    const command = configured?.command ?? (await benchScript(context.patched));
    if (!command) return notApplicable('the repository defines no benchmark (validation.performance.command or a bench script)');
    const runs = configured?.runs ?? 3;
    const threshold = configured?.threshold ?? 0.2;
    const minDeltaMs = configured?.min_delta_ms ?? 50;

    const base: number[] = [];
    const patched: number[] = [];
    for (let i = 0; i < runs; i++) {
      const before = await this.tools.shell(context.base, command, context.timeoutMs, context.signal);
      if (before.reason !== 'exited' || before.exitCode !== 0) {
        return { status: 'skipped', notApplicable: true, summary: `the benchmark fails without the change, so there is no baseline: ${before.summary}`, findings: [tail(before.stderr || before.stdout, 5)] };
      }
      base.push(measurement(before.stdout, before.durationMs));
      const after = await this.tools.shell(context.patched, command, context.timeoutMs, context.signal);
      if (after.reason !== 'exited' || after.exitCode !== 0) return failed(`the benchmark fails with the change: ${after.summary}`, [tail(after.stderr || after.stdout, 10)]);
      patched.push(measurement(after.stdout, after.durationMs));
    }
    const baseline = median(base);
    const measured = median(patched);
    const change = (measured - baseline) / baseline;
    const described = `\`${command}\`: median ${Math.round(measured)} ms with the change vs ${Math.round(baseline)} ms without (${signed(change)}, ${runs} run(s) each; threshold ${Math.round(threshold * 100)} %)`;
    if (change > threshold && measured - baseline > minDeltaMs) return failed(`the change makes the benchmark slower: ${described}`, [`benchmark regression ${signed(change)}: ${described}`]);
    return passed(described);
  }
}

async function benchScript(workspace: EphemeralWorkspace): Promise<string | undefined> {
  try {
    const pkg = JSON.parse(await readFile(join(workspace.root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    if (pkg.scripts?.bench) return 'npm run --silent bench';
    if (pkg.scripts?.benchmark) return 'npm run --silent benchmark';
    return undefined;
  } catch {
    return undefined;
  }
}

function measurement(stdout: string, wallMs: number): number {
  const reported = REPORTED.exec(stdout);
  return reported ? Number(reported[1]) : wallMs;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function signed(ratio: number): string {
  return `${ratio >= 0 ? '+' : ''}${Math.round(ratio * 100)} %`;
}
