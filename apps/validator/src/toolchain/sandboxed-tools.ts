import { delimiter, dirname } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@autocode/runtime';
import { DEFAULT_PATH, Sandbox, type EphemeralWorkspace, type SandboxRunResult } from '@autocode/sandbox';
import type { ValidatorConfig } from '../config/validator.config';
import { Toolchain } from './toolchain';

/**
 * Runs the toolchain and the target repository's own commands in the
 * sandbox, in one workspace: the repository's code (its tests, its ESLint
 * config, its benchmark) never runs outside it.
 */
@Injectable()
export class SandboxedTools {
  constructor(
    private readonly sandbox: Sandbox,
    readonly toolchain: Toolchain,
    @Inject(SERVICE_CONFIG) private readonly config: ValidatorConfig,
  ) {}

  /** `node <script> <args>` (the toolchain's tsc or eslint, or `node --check`). */
  node(workspace: EphemeralWorkspace, args: string[], timeoutMs: number, signal: AbortSignal): Promise<SandboxRunResult> {
    return this.run(workspace, 'node', args, timeoutMs, signal);
  }

  /** A repository command (`npm test`, `node bench.js` …) through /bin/sh, with the toolchain's binaries on PATH. */
  shell(workspace: EphemeralWorkspace, command: string, timeoutMs: number, signal: AbortSignal): Promise<SandboxRunResult> {
    return this.run(workspace, '/bin/sh', ['-c', command], timeoutMs, signal);
  }

  /** Any command with arguments (no shell parsing of the arguments). */
  run(workspace: EphemeralWorkspace, command: string, args: string[], timeoutMs: number, signal: AbortSignal): Promise<SandboxRunResult> {
    const path = [`${workspace.root}/node_modules/.bin`, this.toolchain.binDir, dirname(process.execPath), ...DEFAULT_PATH.split(delimiter)].join(delimiter);
    return this.sandbox.run({
      ...workspace.sandboxPaths,
      command,
      args,
      timeoutMs,
      memoryMb: this.config.VALIDATOR_MEMORY_MB,
      env: { PATH: path },
      signal,
    });
  }
}
