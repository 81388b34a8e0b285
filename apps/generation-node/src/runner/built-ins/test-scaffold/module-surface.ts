import ts from 'typescript';
import { type ParameterVocabulary, type Shape, shapeFromName, shapeOfType } from './type-shapes';

export interface ParameterSpec {
  name: string;
  /** Undefined: no input can be made for it. */
  shape: Shape | undefined;
  optional: boolean;
  rest: boolean;
  /** Where the shape came from: the declared or inferred type, another function's parameter of that name, or the name alone. */
  origin: 'type' | 'vocabulary' | 'name' | 'none';
}

export interface MethodSpec {
  name: string;
  params: ParameterSpec[];
}

export interface ExportSpec {
  /** The name it is exported under (`default` for a default export). */
  exportName: string;
  /** The name the test binds it to. */
  localName: string;
  kind: 'function' | 'class';
  params: ParameterSpec[];
  methods: MethodSpec[];
}

/** The exported functions and classes a module declares itself (not re-exports), in source order. */
export function moduleSurface(program: ts.Program, fileName: string, vocabulary: ParameterVocabulary): ExportSpec[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(fileName);
  if (!source) return [];
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) return [];
  const specs: Array<ExportSpec & { pos: number }> = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
    if (!declaration || declaration.getSourceFile() !== source) continue;
    const exportName = exported.getName();
    const localName = exportName === 'default' ? defaultLocalName(symbol, source) : exportName;
    const fn = functionOf(declaration);
    if (fn) {
      specs.push({ exportName, localName, kind: 'function', params: fn.parameters.map((p) => parameterSpec(p, checker, vocabulary)), methods: [], pos: declaration.pos });
    } else if (ts.isClassDeclaration(declaration) && !hasModifier(declaration, ts.SyntaxKind.AbstractKeyword)) {
      const constructor = declaration.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && m.body !== undefined) ??
        declaration.members.find(ts.isConstructorDeclaration);
      const methods = declaration.members
        .filter((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && isPublicInstance(m))
        .filter((m, i, all) => all.findIndex((o) => (o.name as ts.Identifier).text === (m.name as ts.Identifier).text) === i)
        .map((m) => ({ name: (m.name as ts.Identifier).text, params: m.parameters.map((p) => parameterSpec(p, checker, vocabulary)) }))
        .sort((a, b) => methodStage(a.name) - methodStage(b.name));
      specs.push({
        exportName,
        localName,
        kind: 'class',
        params: constructor ? constructor.parameters.map((p) => parameterSpec(p, checker, vocabulary)) : [],
        methods,
        pos: declaration.pos,
      });
    }
  }
  return specs.sort((a, b) => a.pos - b.pos).map(({ pos: _pos, ...spec }) => spec);
}

/**
 * Methods are called in this order on one instance: what fills it first,
 * what reads it next, what empties it last — so the reads see a populated
 * object (declaration order within a stage).
 */
function methodStage(name: string): number {
  if (/^(add|set|put|push|insert|register|create|append|enqueue|load|init|open|start|write|store|save|record|track)/i.test(name)) return 0;
  if (/^(remove|delete|clear|pop|shift|dequeue|reset|destroy|dispose|close|stop|drop|purge|evict|unregister)/i.test(name)) return 2;
  return 1;
}

function functionOf(declaration: ts.Declaration): ts.SignatureDeclaration | undefined {
  if (ts.isFunctionDeclaration(declaration)) return declaration;
  if (ts.isVariableDeclaration(declaration) && declaration.initializer) {
    let init: ts.Expression = declaration.initializer;
    while (ts.isParenthesizedExpression(init) || ts.isAsExpression(init) || ts.isSatisfiesExpression(init)) init = init.expression;
    if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
  }
  return undefined;
}

function parameterSpec(param: ts.ParameterDeclaration, checker: ts.TypeChecker, vocabulary: ParameterVocabulary): ParameterSpec {
  const name = ts.isIdentifier(param.name) ? param.name.text : 'options';
  const optional = Boolean(param.questionToken || param.initializer);
  const rest = Boolean(param.dotDotDotToken);
  let type = checker.getTypeAtLocation(param);
  if (optional) type = checker.getNonNullableType(type);
  const fromType = shapeOfType(checker, type);
  if (fromType.kind !== 'unknown') return { name, shape: fromType, optional, rest, origin: 'type' };
  // Only an unannotated parameter is guessed at: a declared type that cannot be synthesized stays a no.
  const annotated = Boolean(param.type || ts.getJSDocType(param));
  if (!annotated && ts.isIdentifier(param.name)) {
    const known = vocabulary.get(name);
    if (known) return { name, shape: known, optional, rest, origin: 'vocabulary' };
    const guessed = shapeFromName(name);
    if (guessed) return { name, shape: guessed, optional, rest, origin: 'name' };
  }
  return { name, shape: undefined, optional, rest, origin: 'none' };
}

function isPublicInstance(member: ts.MethodDeclaration): boolean {
  const modifiers = ts.getModifiers(member) ?? [];
  return !modifiers.some((m) => m.kind === ts.SyntaxKind.StaticKeyword || m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword || m.kind === ts.SyntaxKind.AbstractKeyword) &&
    !ts.isPrivateIdentifier(member.name) && member.body !== undefined;
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

function defaultLocalName(symbol: ts.Symbol, source: ts.SourceFile): string {
  const name = symbol.getName();
  if (name && name !== 'default') return name;
  const base = source.fileName.split('/').pop()!.replace(/\.[^.]+$/, '');
  const camel = base.replace(/[-_.]+([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase()).replace(/^[^A-Za-z_$]+/, '');
  return camel || 'subject';
}
