import { writeFileSync } from 'node:fs';
import ts from 'typescript';
import type { FileGenerator, FileGeneratorFactory, FileOutcome } from './file-generator';
import { applyTextChanges, isSourceFile, TypeScriptProject } from './typescript-project';

/**
 * The TypeScript language service's "organize imports". For an
 * `unused-imports` opportunity only unused imports are removed (the
 * smallest change that fixes the finding); otherwise imports are also
 * sorted and merged. Side-effect imports (`import './polyfill'`) stay.
 */
export const organizeImportsGenerator: FileGeneratorFactory = (root, job): FileGenerator => {
  let project: TypeScriptProject;
  let removedDeclarations = 0;
  const mode = job.kind === 'unused-imports' ? ts.OrganizeImportsMode.RemoveUnused : ts.OrganizeImportsMode.All;
  return {
    select: (candidates) => candidates.filter(isSourceFile),
    async prepare(files) {
      project = new TypeScriptProject(root, files);
    },
    async processFile(file): Promise<FileOutcome> {
      const before = project.text(file);
      const changes = project.languageService.organizeImports({ type: 'file', fileName: project.abs(file), mode }, formatSettings(before), { quotePreference: 'auto' });
      const own = changes.filter((c) => c.fileName === project.abs(file)).flatMap((c) => c.textChanges);
      let after = applyTextChanges(before, own);
      // Removing the first imports can leave the blank line that separated them at the top of the file.
      if (!/^\s*\n/.test(before)) after = after.replace(/^(\r?\n)+/, '');
      if (after === before) return { status: 'unchanged', touched: [] };
      const removed = countImports(before) - countImports(after);
      removedDeclarations += Math.max(0, removed);
      project.update(file, after);
      writeFileSync(project.abs(file), after);
      return { status: 'changed', touched: [file], detail: removed > 0 ? `${removed} import declaration(s) removed` : 'imports organized' };
    },
    async finish() {
      return { notes: [], stats: { removedDeclarations } };
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
