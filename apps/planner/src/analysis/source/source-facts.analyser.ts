import ts from 'typescript';
import { exportedDeclarations } from '@autocode/source-facts';

/** What one file's syntax tree says, cached per file content (see `FileAnalysisCache`). */
export interface SourceFacts {
  /** Functions whose cyclomatic complexity reaches the threshold, most complex first. */
  complexFunctions: Array<{ name: string; complexity: number; line: number }>;
  /** Exported functions and classes without a JSDoc comment. */
  undocumentedExports: Array<{ name: string; kind: 'function' | 'class'; line: number }>;
  /** Imported bindings never used. */
  unusedImports: Array<{ name: string; from: string; line: number }>;
  /** Relative module specifiers the file imports, requires or re-exports (`./x`, `../y/z.js`, `..`). */
  relativeImports: string[];
  /** Other specifiers it imports (`my-package`, `@scope/pkg/sub`, `@/alias/x`): packages, its own name, path aliases. */
  packageImports: string[];
  /** The relative specifiers among those whose bindings it exports again (a barrel's `export * from './x'`). */
  reExports: string[];
  /** Values the module itself exports (ES exports, `export default`, `module.exports` / `exports.x`); types and re-exports not counted. */
  exportCount: number;
  /** The parser recovered from syntax errors; findings may be incomplete. */
  syntaxErrors: number;
}

export interface SourceFactsOptions {
  /** Cyclomatic complexity at or above which a function is a hot spot. */
  complexityThreshold: number;
}

function scriptKindOf(path: string): ts.ScriptKind {
  if (/\.tsx$/.test(path)) return ts.ScriptKind.TSX;
  if (/\.[cm]?ts$/.test(path)) return ts.ScriptKind.TS;
  if (/\.jsx$/.test(path)) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}

/**
 * Complexity hot spots, undocumented exports, unused imports and the
 * module's relative imports and exports, from the TypeScript syntax tree
 * (no type checking: one file at a time, fast, and the same for JS).
 */
export function analyseSourceText(path: string, text: string, options: SourceFactsOptions): SourceFacts {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKindOf(path));
  const lineOf = (node: ts.Node) => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
  const syntaxErrors = (file as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics?.length ?? 0;
  const references = moduleReferences(file);
  return {
    complexFunctions: complexFunctions(file, lineOf).filter((f) => f.complexity >= options.complexityThreshold),
    undocumentedExports: undocumentedExports(file, lineOf),
    unusedImports: unusedImports(file, path, lineOf),
    relativeImports: references.relative,
    packageImports: references.packages,
    reExports: references.reExports,
    exportCount: countExports(file),
    syntaxErrors,
  };
}

// ---------------------------------------------------------------- complexity

function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** Branch points: each adds one path through the function. */
function decisionPoints(node: ts.Node): number {
  switch (node.kind) {
    case ts.SyntaxKind.IfStatement:
    case ts.SyntaxKind.ConditionalExpression:
    case ts.SyntaxKind.CaseClause:
    case ts.SyntaxKind.ForStatement:
    case ts.SyntaxKind.ForInStatement:
    case ts.SyntaxKind.ForOfStatement:
    case ts.SyntaxKind.WhileStatement:
    case ts.SyntaxKind.DoStatement:
    case ts.SyntaxKind.CatchClause:
      return 1;
    case ts.SyntaxKind.BinaryExpression: {
      const operator = (node as ts.BinaryExpression).operatorToken.kind;
      return [
        ts.SyntaxKind.AmpersandAmpersandToken,
        ts.SyntaxKind.BarBarToken,
        ts.SyntaxKind.QuestionQuestionToken,
        ts.SyntaxKind.AmpersandAmpersandEqualsToken,
        ts.SyntaxKind.BarBarEqualsToken,
        ts.SyntaxKind.QuestionQuestionEqualsToken,
      ].includes(operator)
        ? 1
        : 0;
    }
    default:
      return 0;
  }
}

/** A name that survives edits elsewhere in the file (no line numbers): `fn`, `Class.method`, `outer/<arrow 2>`. */
function functionName(node: ts.FunctionLikeDeclaration, parentName: string | undefined, index: number): string {
  const own = node.name && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name) || ts.isPrivateIdentifier(node.name)) ? node.name.text : undefined;
  const holder = node.parent;
  let name = own;
  if (!name && ts.isConstructorDeclaration(node)) name = 'constructor';
  if (!name && holder && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name)) name = holder.name.text;
  if (!name && holder && ts.isPropertyAssignment(holder) && ts.isIdentifier(holder.name)) name = holder.name.text;
  if (!name && holder && ts.isPropertyDeclaration(holder) && ts.isIdentifier(holder.name)) name = holder.name.text;
  if (!name && holder && ts.isExportAssignment(holder)) name = 'default';
  const cls = ts.isClassLike(node.parent) ? (node.parent.name?.text ?? 'class') : undefined;
  if (name && cls) name = `${cls}.${name}`;
  if (!name) name = `<function ${index}>`;
  return parentName ? `${parentName}/${name}` : name;
}

function complexFunctions(file: ts.SourceFile, lineOf: (n: ts.Node) => number): SourceFacts['complexFunctions'] {
  const found: SourceFacts['complexFunctions'] = [];
  const visit = (node: ts.Node, enclosing: string | undefined, counter: { n: number }) => {
    if (isFunctionLike(node)) {
      counter.n += 1;
      const name = functionName(node, enclosing, counter.n);
      let complexity = 1;
      const inner = { n: 0 };
      const walkBody = (child: ts.Node) => {
        if (isFunctionLike(child)) {
          visit(child, name, inner);
          return;
        }
        complexity += decisionPoints(child);
        ts.forEachChild(child, walkBody);
      };
      ts.forEachChild(node, walkBody);
      found.push({ name, complexity, line: lineOf(node) });
      return;
    }
    ts.forEachChild(node, (child) => visit(child, enclosing, counter));
  };
  visit(file, undefined, { n: 0 });
  return found.sort((a, b) => b.complexity - a.complexity || a.name.localeCompare(b.name));
}

// ---------------------------------------------------------- documentation

function hasExportModifier(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/**
 * Exported functions and classes nothing documents, by the rule the
 * doc-comments generator follows too (`@autocode/source-facts`): a JSDoc
 * block on any overload or on the implementation, across directives and
 * decorators, or a comment right above. Re-exports are documented where
 * they are declared, so they are not reported here.
 */
function undocumentedExports(file: ts.SourceFile, lineOf: (n: ts.Node) => number): SourceFacts['undocumentedExports'] {
  return exportedDeclarations(file)
    .filter((d) => (d.kind === 'function' || d.kind === 'class') && !d.documentation)
    .map((d) => ({ name: d.name, kind: d.kind as 'function' | 'class', line: lineOf(d.anchor) }));
}

// ------------------------------------------------------------------ imports

function unusedImports(file: ts.SourceFile, path: string, lineOf: (n: ts.Node) => number): SourceFacts['unusedImports'] {
  const imported: Array<{ name: string; from: string; node: ts.Node; binding: ts.Identifier }> = [];
  for (const statement of file.statements) {
    if (!ts.isImportDeclaration(statement) || !statement.importClause || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const from = statement.moduleSpecifier.text;
    const clause = statement.importClause;
    if (clause.name) imported.push({ name: clause.name.text, from, node: statement, binding: clause.name });
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) imported.push({ name: bindings.name.text, from, node: statement, binding: bindings.name });
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) imported.push({ name: element.name.text, from, node: statement, binding: element.name });
    }
  }
  if (imported.length === 0) return [];
  const bindingNodes = new Set<ts.Node>(imported.map((i) => i.binding));
  const used = new Set<string>();
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node) && !bindingNodes.has(node)) used.add(node.text);
    // Names used only in JSDoc types (`@param {Item} x`) count as used.
    const docs = (node as { jsDoc?: ts.Node[] }).jsDoc;
    if (docs) for (const doc of docs) ts.forEachChild(doc, visit);
    ts.forEachChild(node, visit);
  };
  visit(file);
  // With the classic JSX transform, React is used by every JSX element without being named.
  const jsx = /\.[jt]sx$/.test(path);
  return imported
    .filter((i) => !used.has(i.name) && !(jsx && i.name === 'React'))
    .map((i) => ({ name: i.name, from: i.from, line: lineOf(i.node) }));
}

/** Module specifiers the file imports, requires or re-exports; and the relative ones whose bindings it exports again. */
function moduleReferences(file: ts.SourceFile): { relative: string[]; packages: string[]; reExports: string[] } {
  const relative = new Set<string>();
  const packages = new Set<string>();
  const add = (node: ts.Node | undefined) => {
    if (!node || !ts.isStringLiteralLike(node) || !node.text) return;
    if (node.text.startsWith('.')) relative.add(node.text);
    else if (!node.text.startsWith('/') && !node.text.startsWith('node:')) packages.add(node.text);
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      if (isRequire || callee.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0]);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { relative: [...relative].sort(), packages: [...packages].sort(), reExports: reExportedModules(file) };
}

/**
 * Relative modules this one passes on: `export … from './x'`, `export *`,
 * and `import { a } from './x'; export { a }` (what a barrel does).
 */
function reExportedModules(file: ts.SourceFile): string[] {
  const found = new Set<string>();
  const importedFrom = new Map<string, string>();
  for (const statement of file.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        const init = d.initializer;
        const required = init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require' && init.arguments[0] && ts.isStringLiteralLike(init.arguments[0]) ? init.arguments[0].text : undefined;
        if (required?.startsWith('.') && ts.isIdentifier(d.name)) importedFrom.set(d.name.text, required);
      }
    }
    if (ts.isImportDeclaration(statement) && statement.importClause && ts.isStringLiteral(statement.moduleSpecifier) && statement.moduleSpecifier.text.startsWith('.')) {
      const from = statement.moduleSpecifier.text;
      const clause = statement.importClause;
      if (clause.name) importedFrom.set(clause.name.text, from);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) importedFrom.set(bindings.name.text, from);
      if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) importedFrom.set(element.name.text, from);
    }
  }
  for (const statement of file.statements) {
    if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      if (statement.moduleSpecifier.text.startsWith('.')) found.add(statement.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) {
        const from = importedFrom.get((element.propertyName ?? element.name).text);
        if (from) found.add(from);
      }
    } else if (ts.isExportAssignment(statement) && ts.isIdentifier(statement.expression)) {
      const from = importedFrom.get(statement.expression.text);
      if (from) found.add(from);
    } else if (isCommonJsExport(statement, file)) {
      // `module.exports = { ...require('./a'), b: require('./b'), c }` with `const c = require('./c')`.
      const visit = (node: ts.Node) => {
        if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
          if (node.arguments[0].text.startsWith('.')) found.add(node.arguments[0].text);
        } else if (ts.isIdentifier(node) && importedFrom.has(node.text)) found.add(importedFrom.get(node.text)!);
        ts.forEachChild(node, visit);
      };
      visit((statement.expression as ts.BinaryExpression).right);
    }
  }
  return [...found].sort();
}

/**
 * Values the module itself exports (what a test could exercise): not type
 * declarations, not re-exports of other modules (those are counted where
 * they are declared).
 */
/** `module.exports = …`, `exports.x = …`, `module.exports.x = …`. */
function isCommonJsExport(statement: ts.Statement, file: ts.SourceFile): statement is ts.ExpressionStatement {
  if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression) || statement.expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  return /^(module\.)?exports(\.|\[|$)/.test(statement.expression.left.getText(file));
}

function countExports(file: ts.SourceFile): number {
  const typeNames = new Set<string>();
  const importedNames = new Set<string>();
  for (const statement of file.statements) {
    if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) typeNames.add(statement.name.text);
    if (ts.isImportDeclaration(statement) && statement.importClause) {
      const clause = statement.importClause;
      if (clause.name) importedNames.add(clause.name.text);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) importedNames.add(bindings.name.text);
      if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) importedNames.add(element.name.text);
    }
  }
  const declared = (statement: ts.Statement) => ts.canHaveModifiers(statement) && (ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);
  let count = 0;
  const visitTop = (statement: ts.Statement) => {
    if (ts.isExportAssignment(statement)) {
      if (!(ts.isIdentifier(statement.expression) && importedNames.has(statement.expression.text))) count += 1;
    } else if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause;
      if (statement.moduleSpecifier || statement.isTypeOnly || !clause || !ts.isNamedExports(clause)) return;
      for (const element of clause.elements) {
        const local = (element.propertyName ?? element.name).text;
        if (!element.isTypeOnly && !typeNames.has(local) && !importedNames.has(local)) count += 1;
      }
    } else if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || declared(statement)) return;
    else if (ts.isVariableStatement(statement) && hasExportModifier(statement)) count += statement.declarationList.declarations.length;
    else if (hasExportModifier(statement)) count += 1;
    else if (isCommonJsExport(statement, file)) count += 1;
  };
  file.statements.forEach(visitTop);
  return count;
}
