import ts from 'typescript';
import { type AttachedDocumentation, attachedDocumentation } from './attached-documentation';

export type FunctionLike = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression;
export type DeclarationKind = 'function' | 'class' | 'interface' | 'type' | 'enum' | 'value';

/** A symbol a module declares and exports, with every statement that declares it. */
export interface ExportedDeclaration {
  /** The name it is exported as (`default` for an anonymous default export). */
  name: string;
  kind: DeclarationKind;
  /** Overload signatures and the implementation, merged interfaces …, in source order. */
  declarations: ts.Statement[];
  /** Where its doc comment belongs: the first declaration (the first overload). */
  anchor: ts.Statement;
  /** A function's implementation (absent for overload-only `declare function`). */
  fn?: FunctionLike;
  /** Its documentation, on whichever declaration carries it (an overload, the implementation). */
  documentation?: AttachedDocumentation;
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

function skipParentheses(node: ts.Expression): ts.Expression {
  let current = node;
  while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isSatisfiesExpression(current)) current = current.expression;
  return current;
}

function functionInitializer(declaration: ts.VariableDeclaration): FunctionLike | undefined {
  const init = declaration.initializer && skipParentheses(declaration.initializer);
  return init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) ? init : undefined;
}

interface Local {
  kind: DeclarationKind;
  statements: ts.Statement[];
  fn?: FunctionLike;
}

/** Top-level declarations by name; functions keep all their overloads. */
function localDeclarations(source: ts.SourceFile): Map<string, Local> {
  const locals = new Map<string, Local>();
  const add = (name: string, kind: DeclarationKind, statement: ts.Statement, fn?: FunctionLike) => {
    const known = locals.get(name);
    if (known && known.kind === kind) {
      known.statements.push(statement);
      if (fn) known.fn = fn;
    } else if (!known) locals.set(name, { kind, statements: [statement], fn });
  };
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name) add(statement.name.text, 'function', statement, statement.body ? statement : undefined);
    else if (ts.isClassDeclaration(statement) && statement.name) add(statement.name.text, 'class', statement);
    else if (ts.isInterfaceDeclaration(statement)) add(statement.name.text, 'interface', statement);
    else if (ts.isTypeAliasDeclaration(statement)) add(statement.name.text, 'type', statement);
    else if (ts.isEnumDeclaration(statement)) add(statement.name.text, 'enum', statement);
    else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name)) continue;
        const fn = functionInitializer(declaration);
        add(declaration.name.text, fn ? 'function' : 'value', statement, fn);
      }
    }
  }
  return locals;
}

/**
 * The module's own exported declarations: `export function|class|const …`,
 * `export { a, b as c }` and `export default x` of local declarations,
 * `export default function/class` expressions. Re-exports from other
 * modules (`export { x } from './y'`, `export * from`, an imported binding
 * exported again) are not here: they are documented where they are declared.
 * Each declaration appears once, however many names export it.
 */
export function exportedDeclarations(source: ts.SourceFile): ExportedDeclaration[] {
  const locals = localDeclarations(source);
  const found = new Map<ts.Statement, ExportedDeclaration>();
  const addLocal = (exportedName: string, localName: string) => {
    const local = locals.get(localName);
    if (!local) return;
    const anchor = local.statements[0];
    if (found.has(anchor)) return;
    found.set(anchor, { name: exportedName, kind: local.kind, declarations: local.statements, anchor, fn: local.fn });
  };
  for (const statement of source.statements) {
    const exported = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
    if (exported && (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && !statement.name) {
      // `export default function () {}` / `export default class {}`.
      const fn = ts.isFunctionDeclaration(statement) && statement.body ? statement : undefined;
      found.set(statement, { name: 'default', kind: ts.isClassDeclaration(statement) ? 'class' : 'function', declarations: [statement], anchor: statement, fn });
    } else if (exported && (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement))) {
      const name = statement.name!.text;
      addLocal(name, name);
    } else if (exported && ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) addLocal(declaration.name.text, declaration.name.text);
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) addLocal(element.name.text, (element.propertyName ?? element.name).text);
    } else if (ts.isExportAssignment(statement) && !statement.isExportEquals) {
      const expression = skipParentheses(statement.expression);
      if (ts.isIdentifier(expression)) addLocal('default', expression.text);
      else if (ts.isArrowFunction(expression) || ts.isFunctionExpression(expression)) {
        found.set(statement, { name: expression.name?.text ?? 'default', kind: 'function', declarations: [statement], anchor: statement, fn: expression });
      } else if (ts.isClassExpression(expression)) found.set(statement, { name: expression.name?.text ?? 'default', kind: 'class', declarations: [statement], anchor: statement });
    }
  }
  return [...found.values()]
    .sort((a, b) => a.anchor.pos - b.anchor.pos)
    .map((d) => {
      const documentation = documentationOf(d.declarations, source);
      return documentation ? { ...d, documentation } : d;
    });
}

/** A JSDoc block on any of the declarations (an overload, the implementation) wins over a plain comment. */
function documentationOf(declarations: readonly ts.Statement[], source: ts.SourceFile): AttachedDocumentation | undefined {
  const all = declarations.map((d) => attachedDocumentation(d, source)).filter((d): d is AttachedDocumentation => Boolean(d));
  return all.find((d) => d.kind === 'jsdoc') ?? all[0];
}
