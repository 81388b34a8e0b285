import ts from 'typescript';

/** What one file's syntax tree says, cached per file content (see `FileAnalysisCache`). */
export interface SourceFacts {
  /** Functions whose cyclomatic complexity reaches the threshold, most complex first. */
  complexFunctions: Array<{ name: string; complexity: number; line: number }>;
  /** Exported functions and classes without a JSDoc comment. */
  undocumentedExports: Array<{ name: string; kind: 'function' | 'class'; line: number }>;
  /** Imported bindings never used. */
  unusedImports: Array<{ name: string; from: string; line: number }>;
  /** Relative module specifiers the file imports, requires or re-exports (`./x`, `../y/z.js`). */
  relativeImports: string[];
  /** Exported symbols (ES exports, `export default`, `module.exports` / `exports.x`). */
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
  return {
    complexFunctions: complexFunctions(file, lineOf).filter((f) => f.complexity >= options.complexityThreshold),
    undocumentedExports: undocumentedExports(file, lineOf),
    unusedImports: unusedImports(file, path, lineOf),
    relativeImports: relativeImports(file),
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

/** The comment right before a declaration is a JSDoc block (`/** … *\/`). */
function hasJsDoc(node: ts.Node, file: ts.SourceFile): boolean {
  const ranges = ts.getLeadingCommentRanges(file.text, node.getFullStart()) ?? [];
  const last = ranges[ranges.length - 1];
  return Boolean(last && last.kind === ts.SyntaxKind.MultiLineCommentTrivia && file.text.startsWith('/**', last.pos));
}

function isFunctionValued(initializer: ts.Expression | undefined): boolean {
  return Boolean(initializer && (ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer)));
}

function undocumentedExports(file: ts.SourceFile, lineOf: (n: ts.Node) => number): SourceFacts['undocumentedExports'] {
  const found: SourceFacts['undocumentedExports'] = [];
  // Local declarations, for `export { a, b }` lists.
  const locals = new Map<string, { node: ts.Node; kind: 'function' | 'class' }>();
  for (const statement of file.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name) locals.set(statement.name.text, { node: statement, kind: 'function' });
    if (ts.isClassDeclaration(statement) && statement.name) locals.set(statement.name.text, { node: statement, kind: 'class' });
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && isFunctionValued(d.initializer)) locals.set(d.name.text, { node: statement, kind: 'function' });
      }
    }
  }
  const report = (name: string, kind: 'function' | 'class', node: ts.Node) => {
    if (!hasJsDoc(node, file)) found.push({ name, kind, line: lineOf(node) });
  };
  for (const statement of file.statements) {
    if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && hasExportModifier(statement)) {
      const kind = ts.isClassDeclaration(statement) ? 'class' : 'function';
      // Overload signatures carry no body; the documented one is the first.
      if (ts.isFunctionDeclaration(statement) && !statement.body) continue;
      report(statement.name?.text ?? 'default', kind, statement);
    } else if (ts.isVariableStatement(statement) && hasExportModifier(statement)) {
      for (const d of statement.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && isFunctionValued(d.initializer)) report(d.name.text, 'function', statement);
      }
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) {
        const local = locals.get((element.propertyName ?? element.name).text);
        if (local) report(element.name.text, local.kind, local.node);
      }
    } else if (ts.isExportAssignment(statement) && (ts.isArrowFunction(statement.expression) || ts.isFunctionExpression(statement.expression) || ts.isClassExpression(statement.expression))) {
      report('default', ts.isClassExpression(statement.expression) ? 'class' : 'function', statement);
    }
  }
  // Unique by name: `export { a }` of an already exported `a` is one symbol.
  return [...new Map(found.map((f) => [f.name, f])).values()];
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

function relativeImports(file: ts.SourceFile): string[] {
  const specifiers = new Set<string>();
  const add = (node: ts.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node) && node.text.startsWith('.')) specifiers.add(node.text);
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
  return [...specifiers].sort();
}

function countExports(file: ts.SourceFile): number {
  let count = 0;
  const visitTop = (statement: ts.Statement) => {
    if (ts.isExportAssignment(statement)) count += 1;
    else if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause;
      count += clause && ts.isNamedExports(clause) ? clause.elements.length : 1;
    } else if (ts.isVariableStatement(statement) && hasExportModifier(statement)) count += statement.declarationList.declarations.length;
    else if (hasExportModifier(statement)) count += 1;
    else if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      // CommonJS: module.exports = …, exports.x = …, module.exports.x = …
      const target = statement.expression.left.getText(file);
      if (/^(module\.)?exports(\.|\[|$)/.test(target)) count += 1;
    }
  };
  file.statements.forEach(visitTop);
  return count;
}
