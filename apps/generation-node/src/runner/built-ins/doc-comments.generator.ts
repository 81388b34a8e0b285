import { writeFileSync } from 'node:fs';
import ts from 'typescript';
import { docCommentInsertionPoint, type ExportedDeclaration, exportedDeclarations, type FunctionLike } from '@autocode/source-facts';
import type { FileGenerator, FileGeneratorFactory, FileOutcome } from './file-generator';
import { isSourceFile, isTypeScriptFile, TypeScriptProject } from './typescript-project';
import { selfContainedType } from './jsdoc-types';

/** An exported function nothing documents, and the tags the type checker can fill in. */
interface DocTarget {
  declaration: ExportedDeclaration & { fn: FunctionLike };
  tags: string[];
}

/**
 * JSDoc types for exported JavaScript functions nothing documents: the
 * parameter and return types the TypeScript checker infers, as `@param
 * {type} name` and `@returns {type}` — information the source does not
 * spell out. Nothing else: without a model it writes no sentence (a
 * summary made from the name tells a reader nothing the name does not),
 * leaves every declaration that already has a comment alone (the rule the
 * planner uses, from `@autocode/source-facts`), and does not touch
 * TypeScript, whose signatures already carry the types.
 */
export const docCommentsGenerator: FileGeneratorFactory = (root): FileGenerator => {
  let project: TypeScriptProject;
  let documented = 0;
  let typescriptFiles = 0;
  return {
    select: (candidates) => candidates.filter(isSourceFile),
    async prepare(files) {
      project = new TypeScriptProject(root, files.filter((f) => !isTypeScriptFile(f)));
    },
    async processFile(file): Promise<FileOutcome> {
      if (isTypeScriptFile(file)) {
        typescriptFiles += 1;
        return { status: 'unchanged', touched: [], detail: 'TypeScript: the signatures already state the types; without a model a doc comment would add nothing' };
      }
      const source = project.sourceFile(file);
      const functions = exportedDeclarations(source).filter((d): d is DocTarget['declaration'] => d.kind === 'function' && Boolean(d.fn));
      const undocumented = functions.filter((d) => !d.documentation);
      if (undocumented.length === 0) return { status: 'unchanged', touched: [], detail: functions.length ? 'every exported function already has a comment' : 'no exported functions' };
      const checker = project.program().getTypeChecker();
      const localTypes = localTypeNames(source);
      const targets = undocumented.map((declaration) => ({ declaration, tags: jsDocTags(declaration.fn, checker, localTypes) })).filter((t) => t.tags.some((tag) => tag.includes('{')));
      const untyped = undocumented.filter((d) => !targets.some((t) => t.declaration === d)).map((d) => d.name);
      const unknownNote = untyped.length ? `; the checker knows no types for ${untyped.join(', ')}` : '';
      if (targets.length === 0) return { status: 'unchanged', touched: [], detail: `nothing to add${unknownNote}` };

      const text = insertDocs(source, targets);
      if (project.options.checkJs) {
        // The project type-checks its JavaScript: new types must not change what that check reports.
        const before = project.diagnostics(file);
        project.update(file, text);
        const after = project.diagnostics(file);
        if (after.some((d) => !before.includes(d))) {
          project.update(file, source.text);
          return { status: 'unchanged', touched: [], detail: `the inferred types would change what the type check reports: ${after.filter((d) => !before.includes(d))[0]}` };
        }
      } else {
        project.update(file, text);
      }
      writeFileSync(project.abs(file), text);
      documented += targets.length;
      return { status: 'changed', touched: [file], detail: `JSDoc types for ${targets.map((t) => t.declaration.name).join(', ')}${unknownNote}` };
    },
    async finish() {
      const notes = typescriptFiles ? [`${typescriptFiles} TypeScript file(s) left unchanged: documenting them needs a model (the llm generator)`] : [];
      return { notes, stats: { documented, typescriptFiles } };
    },
  };
};

/** Top-level classes and JSDoc typedefs of the file: type names a comment in it may use. */
function localTypeNames(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const statement of source.statements) {
    if (ts.isClassDeclaration(statement) && statement.name) names.add(statement.name.text);
    for (const doc of (statement as { jsDoc?: ts.JSDoc[] }).jsDoc ?? []) {
      for (const tag of doc.tags ?? []) if ((ts.isJSDocTypedefTag(tag) || ts.isJSDocCallbackTag(tag)) && tag.name && ts.isIdentifier(tag.name)) names.add(tag.name.text);
    }
  }
  return names;
}

/** `@param {type} name` per parameter (the type when the checker knows one) and `@returns {type}`, when known. */
function jsDocTags(fn: FunctionLike, checker: ts.TypeChecker, localTypes: ReadonlySet<string>): string[] {
  const typeText = (type: ts.Type) => selfContainedType(checker.typeToString(type, fn, ts.TypeFormatFlags.NoTruncation), localTypes);
  const params = fn.parameters.map((param, index) => {
    const name = ts.isIdentifier(param.name) ? param.name.text : `param${index}`;
    const initializer = param.initializer?.getText().replace(/\s+/g, ' ');
    const optional = Boolean(param.questionToken || param.initializer);
    const shown = optional ? `[${name}${initializer && initializer.length <= 40 ? `=${initializer}` : ''}]` : name;
    let type = typeText(checker.getTypeAtLocation(param));
    // An optional parameter's type includes `undefined`; the brackets say so already.
    if (type && optional) type = type.replace(/ \| undefined$/, '');
    if (type && param.dotDotDotToken) type = /^[\w$.]+\[\]$/.test(type) ? `...${type.slice(0, -2)}` : undefined;
    return type ? `@param {${type}} ${shown}` : `@param ${shown}`;
  });
  // Parameters only when the checker knows a type for one of them (then all, in order); bare names add nothing.
  const tags = params.some((p) => p.includes('{')) ? params : [];
  const signature = checker.getSignatureFromDeclaration(fn);
  const returns = signature ? typeText(checker.getReturnTypeOfSignature(signature)) : undefined;
  if (returns && !['void', 'undefined', 'Promise<void>', 'never'].includes(returns)) tags.push(`@returns {${returns}}`);
  return tags;
}

function insertDocs(source: ts.SourceFile, targets: DocTarget[]): string {
  const text = source.text;
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  let result = text;
  const placed = targets.map((t) => ({ ...t, at: docCommentInsertionPoint(t.declaration.anchor, source) })).sort((a, b) => b.at - a.at);
  for (const { tags, at } of placed) {
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    const prefix = text.slice(lineStart, at);
    const indent = /^\s*$/.test(prefix) ? prefix : '';
    const comment = tags.length === 1 ? `/** ${tags[0]} */` : ['/**', ...tags.map((t) => ` * ${t}`), ' */'].join(`${newline}${indent}`);
    result = result.slice(0, at) + comment + newline + indent + result.slice(at);
  }
  return result;
}
