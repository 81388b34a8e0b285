import { readFileSync, writeFileSync } from 'node:fs';
import ts from 'typescript';
import type { FileGenerator, FileGeneratorFactory, FileOutcome } from './file-generator';
import { type Formatter, repositoryFormatter, repositoryToolContext } from './repository-tools';
import { applyTextChanges, isSourceFile, TypeScriptProject } from './typescript-project';

/**
 * The TypeScript language service's "organize imports". For an
 * `unused-imports` opportunity only unused imports are removed (the
 * smallest change that fixes the finding); otherwise imports are also
 * sorted and merged. Side-effect imports (`import './polyfill'`) stay.
 * The repository's own formatter then formats each changed file, so the
 * change passes its format check; a repository whose formatter cannot run
 * gets no change at all (better none than one its check rejects).
 */
export const organizeImportsGenerator: FileGeneratorFactory = (root, job): FileGenerator => {
  let project: TypeScriptProject;
  let formatter: Formatter | undefined;
  let noFormatterReason: string | undefined;
  let removedDeclarations = 0;
  const mode = job.kind === 'unused-imports' ? ts.OrganizeImportsMode.RemoveUnused : ts.OrganizeImportsMode.All;
  return {
    select: (candidates) => candidates.filter(isSourceFile),
    async prepare(files) {
      project = new TypeScriptProject(root, files);
      const context = repositoryToolContext(root);
      const found = repositoryFormatter(root, context);
      if (!('unavailable' in found)) formatter = found;
      // A repository with a formatter that cannot run here: its check would judge a change we cannot format.
      else if (context.tools.formatter) noFormatterReason = found.unavailable;
    },
    async processFile(file): Promise<FileOutcome> {
      const before = project.text(file);
      const changes = project.languageService.organizeImports({ type: 'file', fileName: project.abs(file), mode }, formatSettings(before), { quotePreference: 'auto' });
      const own = changes.filter((c) => c.fileName === project.abs(file)).flatMap((c) => c.textChanges);
      let after = applyTextChanges(before, own);
      // Removing the first imports can leave the blank line that separated them at the top of the file.
      if (!/^\s*\n/.test(before)) after = after.replace(/^(\r?\n)+/, '');
      if (after === before) return { status: 'unchanged', touched: [] };
      if (noFormatterReason) return { status: 'skipped', touched: [], detail: `not changed: the repository's formatter cannot run to format the change (${noFormatterReason})` };
      const removed = countImports(before) - countImports(after);
      writeFileSync(project.abs(file), after);
      if (formatter) {
        const formatted = await formatter.formatFile(file);
        if (formatted.status === 'skipped') {
          writeFileSync(project.abs(file), before);
          return { status: 'skipped', touched: [], detail: `not changed: ${formatter.name} cannot format the change (${formatted.detail})` };
        }
        after = readFileSync(project.abs(file), 'utf8');
      }
      removedDeclarations += Math.max(0, removed);
      project.update(file, after);
      return { status: 'changed', touched: [file], detail: removed > 0 ? `${removed} import declaration(s) removed` : 'imports organized' };
    },
    async finish() {
      return { notes: formatter ? [`changed files formatted with ${formatter.name}`] : [], stats: { removedDeclarations } };
    },
  };
};

function countImports(text: string): number {
  return ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, false).statements.filter(ts.isImportDeclaration).length;
}

/** Format settings that reproduce the file's own import style, so untouched imports stay byte for byte. */
function formatSettings(text: string): ts.FormatCodeSettings {
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const imports = text.match(/^import[^;]*?from\s+['"][^'"]+['"];?/gm) ?? [];
  const braced = imports.filter((i) => /\{[^}]+\}/.test(i));
  const indent = /^( +)\S/m.exec(text)?.[1].length ?? 2;
  return {
    ...ts.getDefaultFormatCodeSettings(newline),
    indentSize: indent,
    tabSize: indent,
    convertTabsToSpaces: !/^\t/m.test(text),
    insertSpaceAfterOpeningAndBeforeClosingNonemptyBraces: braced.length === 0 || braced.some((i) => /\{\s/.test(i)),
    semicolons: imports.length === 0 || imports.some((i) => i.trimEnd().endsWith(';')) ? ts.SemicolonPreference.Insert : ts.SemicolonPreference.Remove,
  };
}
