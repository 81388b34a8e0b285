import ts from 'typescript';

export interface DangerousCall {
  line: number;
  rule: 'eval' | 'new-function' | 'child-process-dynamic' | 'tls-verification-disabled' | 'vm-code-execution';
  message: string;
}

const CHILD_PROCESS_FUNCTIONS = new Set(['exec', 'execSync', 'spawn', 'spawnSync', 'execFile', 'execFileSync', 'fork']);
const VM_FUNCTIONS = new Set(['runInThisContext', 'runInNewContext', 'runInContext', 'compileFunction']);

/**
 * Dangerous constructs in a source file, found on its syntax tree (the
 * code is parsed, never run): eval and its kin, child_process calls whose
 * command is not a literal, and disabled TLS certificate checks. The
 * caller keeps those on lines the change added.
 */
export function findDangerousCalls(fileName: string, source: string): DangerousCall[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, scriptKind(fileName));
  const childProcessNames = new Set<string>(); // import * as cp / const cp = require('child_process')
  const childProcessFunctions = new Set<string>(); // import { exec } / const { exec } = require(...)
  const found: DangerousCall[] = [];
  const lineOf = (node: ts.Node) => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
  const isChildProcess = (text: string) => text === 'child_process' || text === 'node:child_process';

  const collectImports = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && isChildProcess(node.moduleSpecifier.text)) {
      const clause = node.importClause;
      if (clause?.name) childProcessNames.add(clause.name.text);
      if (clause?.namedBindings && ts.isNamespaceImport(clause.namedBindings)) childProcessNames.add(clause.namedBindings.name.text);
      if (clause?.namedBindings && ts.isNamedImports(clause.namedBindings)) {
        for (const element of clause.namedBindings.elements) childProcessFunctions.add(element.name.text);
      }
    }
    if (ts.isVariableDeclaration(node) && node.initializer && isRequireOf(node.initializer, isChildProcess)) {
      if (ts.isIdentifier(node.name)) childProcessNames.add(node.name.text);
      if (ts.isObjectBindingPattern(node.name)) for (const element of node.name.elements) if (ts.isIdentifier(element.name)) childProcessFunctions.add(element.name.text);
    }
    ts.forEachChild(node, collectImports);
  };
  collectImports(file);

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (ts.isIdentifier(callee) && callee.text === 'eval') found.push({ line: lineOf(node), rule: 'eval', message: 'eval() runs arbitrary code' });
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      const viaModule = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && childProcessNames.has(callee.expression.text);
      const direct = ts.isIdentifier(callee) && childProcessFunctions.has(callee.text);
      if (name && CHILD_PROCESS_FUNCTIONS.has(name) && (viaModule || direct)) {
        const [command] = node.arguments;
        if (command && !isLiteral(command)) {
          found.push({ line: lineOf(node), rule: 'child-process-dynamic', message: `child_process.${name}() with a command built at run time (command injection)` });
        }
      }
      if (name && VM_FUNCTIONS.has(name) && ts.isPropertyAccessExpression(callee)) {
        found.push({ line: lineOf(node), rule: 'vm-code-execution', message: `vm.${name}() compiles and runs code` });
      }
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Function') {
      found.push({ line: lineOf(node), rule: 'new-function', message: 'new Function() compiles code from a string' });
    }
    if (ts.isPropertyAssignment(node) && propertyName(node.name) === 'rejectUnauthorized' && node.initializer.kind === ts.SyntaxKind.FalseKeyword) {
      found.push({ line: lineOf(node), rule: 'tls-verification-disabled', message: 'rejectUnauthorized: false disables TLS certificate checks' });
    }
    if (ts.isPropertyAssignment(node) && propertyName(node.name) === 'strictSSL' && node.initializer.kind === ts.SyntaxKind.FalseKeyword) {
      found.push({ line: lineOf(node), rule: 'tls-verification-disabled', message: 'strictSSL: false disables TLS certificate checks' });
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && /NODE_TLS_REJECT_UNAUTHORIZED/.test(node.left.getText(file))) {
      const value = node.right;
      if ((ts.isStringLiteral(value) || ts.isNumericLiteral(value)) && value.text === '0') {
        found.push({ line: lineOf(node), rule: 'tls-verification-disabled', message: 'NODE_TLS_REJECT_UNAUTHORIZED=0 disables TLS certificate checks for the whole process' });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function isRequireOf(node: ts.Expression, accept: (module: string) => boolean): boolean {
  return (
    ts.isCallExpression(node) &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === 'require' &&
    node.arguments.length === 1 &&
    ts.isStringLiteral(node.arguments[0]) &&
    accept(node.arguments[0].text)
  );
}

function isLiteral(node: ts.Expression): boolean {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);
}

function propertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

function scriptKind(fileName: string): ts.ScriptKind {
  if (/\.tsx$/.test(fileName)) return ts.ScriptKind.TSX;
  if (/\.[cm]?ts$/.test(fileName)) return ts.ScriptKind.TS;
  if (/\.jsx$/.test(fileName)) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}
