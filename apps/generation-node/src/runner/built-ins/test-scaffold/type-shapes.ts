import ts from 'typescript';

/**
 * What an argument must look like, reduced from a TypeScript type to what
 * can be synthesized: primitives, literal unions, arrays, plain objects and
 * a few built-ins. `unknown` means no honest input can be made for it.
 */
export type Shape =
  | { kind: 'number'; integer?: boolean }
  | { kind: 'string' }
  | { kind: 'boolean' }
  | { kind: 'bigint' }
  | { kind: 'literal'; values: Array<string | number | boolean | null> }
  | { kind: 'array'; element: Shape }
  | { kind: 'tuple'; elements: Shape[] }
  | { kind: 'object'; properties: Array<{ name: string; shape: Shape; optional: boolean }> }
  | { kind: 'date' }
  | { kind: 'map' }
  | { kind: 'set' }
  | { kind: 'function' }
  | { kind: 'null' }
  | { kind: 'undefined' }
  | { kind: 'unknown'; why: string };

const MAX_DEPTH = 4;
const MAX_PROPERTIES = 20;

export function shapeOfType(checker: ts.TypeChecker, type: ts.Type, depth = 0): Shape {
  if (depth > MAX_DEPTH) return { kind: 'unknown', why: 'nested too deeply' };
  const flags = type.flags;
  if (flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return { kind: 'unknown', why: checker.typeToString(type) };
  if (flags & ts.TypeFlags.Never) return { kind: 'unknown', why: 'never' };
  if (flags & ts.TypeFlags.EnumLike) return { kind: 'unknown', why: 'an enum' };
  if (flags & ts.TypeFlags.StringLiteral) return { kind: 'literal', values: [(type as ts.StringLiteralType).value] };
  if (flags & ts.TypeFlags.NumberLiteral) return { kind: 'literal', values: [(type as ts.NumberLiteralType).value] };
  if (flags & ts.TypeFlags.BooleanLiteral) return { kind: 'literal', values: [checker.typeToString(type) === 'true'] };
  if (flags & ts.TypeFlags.Number) return { kind: 'number' };
  if (flags & ts.TypeFlags.String) return { kind: 'string' };
  if (flags & ts.TypeFlags.Boolean) return { kind: 'boolean' };
  if (flags & ts.TypeFlags.BigInt) return { kind: 'bigint' };
  if (flags & ts.TypeFlags.Null) return { kind: 'null' };
  if (flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) return { kind: 'undefined' };
  if (type.isUnion()) return shapeOfUnion(checker, type, depth);
  if (type.isIntersection()) return { kind: 'unknown', why: 'an intersection type' };
  if (flags & ts.TypeFlags.TypeParameter) {
    const constraint = checker.getBaseConstraintOfType(type);
    return constraint && constraint !== type ? shapeOfType(checker, constraint, depth + 1) : { kind: 'unknown', why: 'an unconstrained type parameter' };
  }
  if (checker.isTupleType(type)) {
    const elements = checker.getTypeArguments(type as ts.TypeReference).map((t) => shapeOfType(checker, t, depth + 1));
    return elements.some((e) => e.kind === 'unknown') ? { kind: 'unknown', why: 'a tuple with an unknown element' } : { kind: 'tuple', elements };
  }
  if (checker.isArrayType(type)) {
    const [element] = checker.getTypeArguments(type as ts.TypeReference);
    const shape = element ? shapeOfType(checker, element, depth + 1) : ({ kind: 'unknown', why: 'an untyped array' } as Shape);
    return { kind: 'array', element: shape };
  }
  if (flags & ts.TypeFlags.Object) {
    const name = type.getSymbol()?.getName();
    if (name === 'Date') return { kind: 'date' };
    if (name === 'Map' || name === 'ReadonlyMap') return { kind: 'map' };
    if (name === 'Set' || name === 'ReadonlySet') return { kind: 'set' };
    if (type.getCallSignatures().length > 0) return { kind: 'function' };
    if (type.getConstructSignatures().length > 0) return { kind: 'unknown', why: 'a class' };
    const symbol = type.getSymbol();
    // Instances of classes carry behaviour an object literal cannot fake.
    if (symbol && symbol.flags & ts.SymbolFlags.Class) return { kind: 'unknown', why: `an instance of ${symbol.getName()}` };
    if (checker.getIndexInfosOfType(type).length > 0 && checker.getPropertiesOfType(type).length === 0) return { kind: 'object', properties: [] };
    const properties = checker.getPropertiesOfType(type);
    if (properties.length > MAX_PROPERTIES) return { kind: 'unknown', why: 'an object with too many properties' };
    const shaped: Array<{ name: string; shape: Shape; optional: boolean }> = [];
    for (const property of properties) {
      const declaration = property.valueDeclaration ?? property.declarations?.[0];
      if (!declaration) continue;
      const propertyType = checker.getTypeOfSymbolAtLocation(property, declaration);
      const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
      const shape = shapeOfType(checker, optional ? checker.getNonNullableType(propertyType) : propertyType, depth + 1);
      if (shape.kind === 'unknown') {
        if (optional) continue;
        return { kind: 'unknown', why: `property ${property.getName()} is ${shape.why}` };
      }
      if (shape.kind === 'function' && isMethodLike(declaration)) return { kind: 'unknown', why: `an object with method ${property.getName()}` };
      shaped.push({ name: property.getName(), shape, optional });
    }
    return { kind: 'object', properties: shaped };
  }
  return { kind: 'unknown', why: checker.typeToString(type) };
}

function shapeOfUnion(checker: ts.TypeChecker, type: ts.UnionType, depth: number): Shape {
  const members = type.types.map((t) => shapeOfType(checker, t, depth + 1));
  const defined = members.filter((m) => m.kind !== 'undefined' && m.kind !== 'null');
  if (defined.length === 0) return members[0] ?? { kind: 'undefined' };
  if (defined.every((m) => m.kind === 'literal')) {
    return { kind: 'literal', values: defined.flatMap((m) => (m.kind === 'literal' ? m.values : [])) };
  }
  // `boolean` arrives as true | false; `string | undefined` as its defined part.
  const usable = defined.find((m) => m.kind !== 'unknown');
  return usable ?? defined[0];
}

function isMethodLike(declaration: ts.Declaration): boolean {
  return ts.isMethodDeclaration(declaration) || ts.isMethodSignature(declaration);
}

/** A guess from a parameter's name, for parameters whose type says nothing (JavaScript without JSDoc). */
export function shapeFromName(name: string): Shape | undefined {
  const lower = name.toLowerCase();
  if (/^(is|has|should|can|allow|enable|use)[A-Z_]|^(enabled|disabled|flag|force|strict|verbose|dry|member|fragile)$/.test(name)) return { kind: 'boolean' };
  if (
    /^(n|i|j|k|x|y|z|count|size|length|limit|max|min|index|idx|amount|cents|total|quantity|qty|percent|percentage|rate|ratio|threshold|width|height|depth|age|year|month|day|ms|seconds|timeout|delay|offset|step|parts|times|retries|attempts|weight|price|score|level|port|precision|digits)$/.test(lower) ||
    /(Count|Cents|Ms|Size|Index|Amount|Total|Percent|Rate|Limit|Grams|Seconds|Number|Num|Max|Min)$/.test(name)
  ) {
    return { kind: 'number' };
  }
  if (
    /^(s|str|text|name|title|label|id|key|sku|code|slug|path|file|url|uri|message|msg|word|prefix|suffix|separator|sep|delimiter|email|state|country|currency|locale|lang|language|format|pattern|query|input|value|description|content|body|token|tag|type|kind|mode|status)$/.test(
      lower,
    ) ||
    /(Name|Id|Text|Key|Code|Path|Url|Label|Title|Message|Str)$/.test(name)
  ) {
    return { kind: 'string' };
  }
  return undefined;
}

/**
 * Shapes of typed parameters anywhere in the program, by name: when
 * `summarize(items)` says nothing about `items` but `totalValueCents(items:
 * Item[])` does, the repository's own vocabulary fills the gap.
 */
export class ParameterVocabulary {
  private readonly byName = new Map<string, Shape>();

  static fromProgram(program: ts.Program, isRepositoryFile: (fileName: string) => boolean): ParameterVocabulary {
    const vocabulary = new ParameterVocabulary();
    const checker = program.getTypeChecker();
    for (const source of program.getSourceFiles()) {
      if (source.isDeclarationFile || !isRepositoryFile(source.fileName)) continue;
      const visit = (node: ts.Node) => {
        if (ts.isParameter(node) && ts.isIdentifier(node.name) && (node.type || ts.getJSDocType(node))) {
          const shape = shapeOfType(checker, checker.getTypeAtLocation(node));
          if (shape.kind !== 'unknown' && !vocabulary.byName.has(node.name.text)) vocabulary.byName.set(node.name.text, shape);
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    return vocabulary;
  }

  get(name: string): Shape | undefined {
    return this.byName.get(name);
  }
}
