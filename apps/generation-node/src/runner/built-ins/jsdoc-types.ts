const MAX_TYPE_LENGTH = 120;

/** Names a JSDoc type can use in any file: primitives, keywords and the standard library's global types. */
const GLOBAL_TYPE_NAMES = new Set(
  (
    'string number boolean bigint symbol null undefined object true false readonly keyof typeof ' +
    'Array ReadonlyArray Promise PromiseLike Map ReadonlyMap Set ReadonlySet WeakMap WeakSet Date RegExp Error TypeError RangeError ' +
    'Record Partial Required Readonly Pick Omit Function Object String Number Boolean BigInt Symbol JSON Math ' +
    'ArrayBuffer SharedArrayBuffer DataView Int8Array Uint8Array Uint8ClampedArray Int16Array Uint16Array Int32Array Uint32Array ' +
    'Float32Array Float64Array BigInt64Array BigUint64Array Iterable IterableIterator AsyncIterable AsyncIterableIterator ' +
    'Generator AsyncGenerator ArrayLike'
  ).split(' '),
);

/**
 * The type as a JSDoc type, when it says something and means the same in
 * the file it is written to: not `any`/`unknown`, short enough to read,
 * and naming only global types, types declared in that file, or types of
 * the repository's other modules through a relative `import("./x.js").T`.
 */
export function selfContainedType(type: string | undefined, localTypes: ReadonlySet<string>): string | undefined {
  if (!type) return undefined;
  const text = type.replace(/\s+/g, ' ');
  if (text.length > MAX_TYPE_LENGTH || /(^|[^\w$])(any|unknown)([^\w$]|$)/.test(text) || text.includes('typeof ')) return undefined;
  // `import("./inventory.js").Item` resolves wherever it is written (a package's would depend on what is installed).
  const withoutImports = text.replace(/import\((["'])\.{1,2}\/[^"']*\1\)(\.[A-Za-z_$][\w$]*)+/g, '');
  if (withoutImports.includes('import(')) return undefined;
  const names = withoutImports
    .replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '') // string literal types
    .replace(/([A-Za-z_$][\w$]*)\??:/g, '') // property names in object types
    .match(/[A-Za-z_$][\w$]*/g) ?? [];
  return names.every((n) => GLOBAL_TYPE_NAMES.has(n) || localTypes.has(n)) ? text : undefined;
}
