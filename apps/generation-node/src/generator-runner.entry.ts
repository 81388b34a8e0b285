/**
 * The generator runner: a separate program (dist/apps/generation-node/
 * generator-runner.js) that the generation node starts inside the sandbox,
 * with the workspace as its working directory and only writable place. It
 * reads one job on stdin, changes files, and reports on stdout; see
 * runner/runner-protocol.ts. Everything here may run the repository's own
 * code (its ESLint and Prettier configs, the modules a test is written for).
 */
import { RECORD_BEHAVIOUR_FLAG, runRecordingProcess } from './runner/built-ins/test-scaffold/behaviour-recorder';
import { runGeneratorJob } from './runner/generator-runner';

// test-scaffold records a module's behaviour in child processes of the runner (this program again, still in the sandbox).
if (process.argv.includes(RECORD_BEHAVIOUR_FLAG)) {
  runRecordingProcess().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
} else {
  void runGeneratorJob(process.cwd(), process.stdin, (line) => process.stdout.write(`${line}\n`)).then((ok) => {
    process.exitCode = ok ? 0 : 1;
  });
}
