import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { docCommentsGenerator } from './built-ins/doc-comments.generator';
import { type FileGeneratorFactory, PermanentGeneratorError } from './built-ins/file-generator';
import { formatGenerator } from './built-ins/format.generator';
import { lintAutofixGenerator } from './built-ins/lint-autofix.generator';
import { organizeImportsGenerator } from './built-ins/organize-imports.generator';
import { listRepositoryFiles } from './built-ins/test-scaffold/test-conventions';
import { testScaffoldGenerator } from './built-ins/test-scaffold.generator';
import { type BuiltInGeneratorName, encodeRunnerEvent, runnerJobSchema } from './runner-protocol';

export const FILE_GENERATORS: Record<BuiltInGeneratorName, FileGeneratorFactory> = {
  'lint-autofix': lintAutofixGenerator,
  format: formatGenerator,
  'organize-imports': organizeImportsGenerator,
  'doc-comments': docCommentsGenerator,
  'test-scaffold': testScaffoldGenerator,
};

/** Runs one job read from `input`; reports through `emit`. Resolves to whether it succeeded. */
export async function runGeneratorJob(root: string, input: Readable, emit: (line: string) => void): Promise<boolean> {
  try {
    const raw = await readAll(input);
    const parsed = runnerJobSchema.safeParse(JSON.parse(raw));
    if (!parsed.success) throw new PermanentGeneratorError(`invalid job: ${parsed.error.message}`);
    const job = parsed.data;
    const generator = FILE_GENERATORS[job.generator](root, job);
    if (job.files.length === 0 && job.generator === 'test-scaffold') throw new PermanentGeneratorError('test-scaffold needs the modules to test (opportunity.files is empty)');
    const candidates = job.files.length ? job.files : listRepositoryFiles(root);
    const skip = new Set(job.skip);
    const present = candidates.filter((file) => existsSync(join(root, file)));
    const selected = generator.select(present);
    const todo = selected.filter((file) => !skip.has(file));
    emit(encodeRunnerEvent({ type: 'started', files: todo }));
    for (const file of candidates) {
      if (!present.includes(file)) emit(encodeRunnerEvent({ type: 'file', file, status: 'skipped', touched: [], detail: 'not in the repository at this commit' }));
      else if (!selected.includes(file)) emit(encodeRunnerEvent({ type: 'file', file, status: 'skipped', touched: [], detail: `not a file ${job.generator} works on` }));
    }
    await generator.prepare?.(todo);
    for (const file of todo) {
      const outcome = await generator.processFile(file);
      emit(encodeRunnerEvent({ type: 'file', file, ...outcome }));
    }
    const summary = (await generator.finish?.()) ?? { notes: [], stats: {} };
    emit(encodeRunnerEvent({ type: 'done', notes: summary.notes.slice(0, 200), stats: summary.stats }));
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    emit(encodeRunnerEvent({ type: 'error', message: message.slice(0, 5000), permanent: error instanceof PermanentGeneratorError || error instanceof SyntaxError }));
    return false;
  }
}

function readAll(input: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    input.setEncoding('utf8');
    input.on('data', (chunk: string) => (data += chunk));
    input.on('end', () => resolve(data));
    input.on('error', reject);
  });
}
