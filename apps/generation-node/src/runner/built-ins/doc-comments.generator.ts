import { writeFileSync } from 'node:fs';
import ts from 'typescript';
import { functionSummary, typeSummary, valueSummary } from './doc-summary';
import type { FileGenerator, FileGeneratorFactory, FileOutcome } from './file-generator';
import { isSourceFile, isTypeScriptFile, TypeScriptProject } from './typescript-project';

type FunctionLike = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression;

/** An exported declaration without a doc comment: where the comment goes and what it documents. */
export interface UndocumentedExport {
  name: string;
  /** The statement the comment precedes. */
  statement: ts.Statement;
  kind: 'function' | 'class' | 'interface' | 'type' | 'enum' | 'value';
  fn?: FunctionLike;
}

const MAX_TYPE_LENGTH = 120;

/**
 * JSDoc for exported functions, classes, interfaces, type aliases, enums
 * and constants that have none, made from their signatures by the
 * TypeScript compiler: a summary from the name, `@param` per parameter
 * (optional and default values marked), `@returns`. In TypeScript the
 * types are named in the text (TSDoc style); in JavaScript they go in
 * braces, as JSDoc types, when the checker knows them — and a file whose
 * type check would change because of them gets the comments without types.
 */
export const docCommentsGenerator: FileGeneratorFactory = (root): FileGenerator => {
  let project: TypeScriptProject;
  let documented = 0;
  let untyped = 0;
  return {
    select: (candidates) => candidates.filter(isSourceFile),
    async prepare(files) {
      project = new TypeScriptProject(root, files);
    },
    async processFile(file): Promise<FileOutcome> {
      const source = project.sourceFile(file);
      const targets = findUndocumentedExports(source);
      if (targets.length === 0) return { status: 'unchanged', touched: [] };
      const checker = project.program().getTypeChecker();
      const javascript = !isTypeScriptFile(file);
      let text = insertDocs(source, targets, (t) => renderDoc(t, checker, { javascript, typed: true }));
      let detail = `documented ${targets.map((t) => t.name).join(', ')}`;
      if (javascript && project.options.checkJs) {
        const before = project.diagnostics(file);
        project.update(file, text);
        const after = project.diagnostics(file);
        if (after.some((d) => !before.includes(d))) {
          text = insertDocs(source, targets, (t) => renderDoc(t, checker, { javascript, typed: false }));
          project.update(file, text);
          untyped += 1;
          detail += ' (without JSDoc types: the inferred ones would change what the type check reports)';
        }
      } else {
        project.update(file, text);
      }
      writeFileSync(project.abs(file), text);
      documented += targets.length;
      return { status: 'changed', touched: [file], detail };
    },
    async finish() {
      return { notes: [], stats: { documented, filesWithoutTypes: untyped } };
    },
  };
};

/** Exported declarations of a module that no `/** … *\/` comment precedes. */
export function findUndocumentedExports(source: ts.SourceFile): UndocumentedExport[] {
  const found = new Map<ts.Statement, UndocumentedExport>();
  const locals = new Map<string, ts.Statement>();
  const exportedNames = new Set<string>();
  for (const statement of source.statements) {
    for (const name of declaredNames(statement)) locals.set(name, statement);
    if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) exportedNames.add((element.propertyName ?? element.name).text);
    }
    if (ts.isExportAssignment(statement) && ts.isIdentifier(statement.expression)) exportedNames.add(statement.expression.text);
  }
  const consider = (statement: ts.Statement) => {
    if (found.has(statement) || hasDocComment(statement, source)) return;
    const target = describe(statement);
    if (target) found.set(statement, target);
  };
  for (const statement of source.statements) if (isExported(statement) || ts.isExportAssignment(statement)) consider(statement);
  for (const name of exportedNames) {
    const statement = locals.get(name);
    if (statement) consider(statement);
  }
  // Overloads: only the first signature of a function carries the comment.
  const seen = new Set<string>();
  return [...found.values()]
    .sort((a, b) => a.statement.pos - b.statement.pos)
    .filter((t) => {
      if (t.kind !== 'function') return true;
      if (seen.has(t.name)) return false;
      seen.add(t.name);
      return true;
    });
}

function describe(statement: ts.Statement): UndocumentedExport | undefined {
  // `export default function () {}` / `export default class {}` have no name of their own.
  if (ts.isFunctionDeclaration(statement) && statement.body) return { name: statement.name?.text ?? 'default', statement, kind: 'function', fn: statement };
  if (ts.isClassDeclaration(statement)) return { name: statement.name?.text ?? 'default', statement, kind: 'class' };
  if (ts.isExportAssignment(statement) && !statement.isExportEquals) {
    const expression = skipParentheses(statement.expression);
    if (ts.isArrowFunction(expression) || ts.isFunctionExpression(expression)) return { name: expression.name?.text ?? 'default', statement, kind: 'function', fn: expression };
    if (ts.isClassExpression(expression)) return { name: expression.name?.text ?? 'default', statement, kind: 'class' };
  }
  if (ts.isInterfaceDeclaration(statement)) return { name: statement.name.text, statement, kind: 'interface' };
  if (ts.isTypeAliasDeclaration(statement)) return { name: statement.name.text, statement, kind: 'type' };
  if (ts.isEnumDeclaration(statement)) return { name: statement.name.text, statement, kind: 'enum' };
  if (ts.isVariableStatement(statement) && statement.declarationList.declarations.length === 1) {
    const [declaration] = statement.declarationList.declarations;
    if (!ts.isIdentifier(declaration.name)) return undefined;
    const init = declaration.initializer && skipParentheses(declaration.initializer);
    if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) return { name: declaration.name.text, statement, kind: 'function', fn: init };
    return { name: declaration.name.text, statement, kind: 'value' };
  }
  return undefined;
}

function skipParentheses(node: ts.Expression): ts.Expression {
  let current = node;
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isSatisfiesExpression(current)) current = current.expression;
  return current;
}

function declaredNames(statement: ts.Statement): string[] {
  if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) return [statement.name.text];
  if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)) return [statement.name.text];
  if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : []));
  return [];
}

function isExported(statement: ts.Statement): boolean {
  return ts.canHaveModifiers(statement) && (ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/** The comment right before the declaration is a JSDoc block (what the planner checks too). */
export function hasDocComment(node: ts.Node, source: ts.SourceFile): boolean {
  const ranges = ts.getLeadingCommentRanges(source.text, node.getFullStart()) ?? [];
  const last = ranges[ranges.length - 1];
  return Boolean(last && last.kind === ts.SyntaxKind.MultiLineCommentTrivia && source.text.startsWith('/**', last.pos) && !source.text.startsWith('/**/', last.pos));
}

function insertDocs(source: ts.SourceFile, targets: UndocumentedExport[], render: (t: UndocumentedExport) => string[]): string {
  const text = source.text;
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  let result = text;
  for (const target of [...targets].sort((a, b) => b.statement.getStart(source) - a.statement.getStart(source))) {
    const start = target.statement.getStart(source);
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const prefix = text.slice(lineStart, start);
    const indent = /^\s*$/.test(prefix) ? prefix : '';
    const lines = render(target);
    const comment = lines.length === 1 ? `/** ${lines[0]} */` : ['/**', ...lines.map((l) => (l ? ` * ${l}` : ' *')), ' */'].join(`${newline}${indent}`);
    result = result.slice(0, start) + comment + newline + indent + result.slice(start);
  }
  return result;
}

interface RenderOptions {
  javascript: boolean;
  /** JavaScript only: put the checker's types in braces. */
  typed: boolean;
}

function renderDoc(target: UndocumentedExport, checker: ts.TypeChecker, options: RenderOptions): string[] {
  if (target.kind === 'function' && target.fn) return renderFunctionDoc(target.name, target.fn, checker, options);
  if (target.kind === 'value') return [valueSummary(target.name)];
  return [typeSummary(target.name, target.kind as 'class' | 'interface' | 'type' | 'enum')];
}

function renderFunctionDoc(name: string, fn: FunctionLike, checker: ts.TypeChecker, options: RenderOptions): string[] {
  const params = fn.parameters.map((p, i) => describeParameter(p, i, checker, fn));
  const lines = [functionSummary(name, params.map((p) => p.name))];
  const tags: string[] = [];
  for (const param of params) {
    const type = usableType(param.type);
    if (options.javascript) {
      const shown = param.optional ? `[${param.name}${param.initializer ? `=${param.initializer}` : ''}]` : param.name;
      tags.push(options.typed && type ? `@param {${param.rest ? `...${type.replace(/\[\]$/, '')}` : type}} ${shown}` : `@param ${shown}`);
    } else {
      const notes = [type ? `\`${type}\`` : '', param.optional && !param.initializer ? 'optional' : '', param.initializer ? `default \`${param.initializer}\`` : '']
        .filter(Boolean)
        .join(', ');
      tags.push(`@param ${param.name}${notes ? ` - ${notes}` : ''}`);
    }
  }
  const signature = checker.getSignatureFromDeclaration(fn);
  const returnType = signature ? checker.typeToString(checker.getReturnTypeOfSignature(signature), fn, ts.TypeFormatFlags.NoTruncation) : undefined;
  const returns = usableType(returnType);
  if (returns && !['void', 'undefined', 'Promise<void>'].includes(returns)) {
    // Untyped JavaScript gets no bare `@returns`: it would say nothing.
    if (!options.javascript) tags.push(`@returns \`${returns}\``);
    else if (options.typed) tags.push(`@returns {${returns}}`);
  }
  return tags.length ? [...lines, '', ...tags] : lines;
}

interface ParameterInfo {
  name: string;
  type?: string;
  optional: boolean;
  rest: boolean;
  initializer?: string;
}

function describeParameter(param: ts.ParameterDeclaration, index: number, checker: ts.TypeChecker, fn: FunctionLike): ParameterInfo {
  const name = ts.isIdentifier(param.name) ? param.name.text : `param${index}`;
  const type = checker.typeToString(checker.getTypeAtLocation(param), fn, ts.TypeFormatFlags.NoTruncation);
  const initializer = param.initializer ? param.initializer.getText().replace(/\s+/g, ' ') : undefined;
  return {
    name,
    type,
    optional: Boolean(param.questionToken || param.initializer),
    rest: Boolean(param.dotDotDotToken),
    initializer: initializer && initializer.length <= 40 ? initializer : undefined,
  };
}

/** A type worth writing down: known, and short enough to read. */
function usableType(type: string | undefined): string | undefined {
  if (!type || type === 'any' || type === 'any[]' || type === 'unknown' || type.length > MAX_TYPE_LENGTH) return undefined;
  return type.replace(/\s+/g, ' ');
}
