import { selfContainedType } from './jsdoc-types';

describe('JSDoc types worth writing', () => {
  const local = new Set(['Inventory']);

  it('keeps known types that resolve in the file', () => {
    for (const type of ['string', 'number[]', 'Promise<Map<string, number>>', '{ x: number; y?: string; }', "'a' | 'b'", 'Inventory', 'import("./inventory.js").Item[]', 'boolean | null']) {
      expect([type, selfContainedType(type, local)]).toEqual([type, type]);
    }
  });

  it('drops what says nothing or would not resolve', () => {
    for (const type of [undefined, 'any', 'any[]', 'unknown', 'Promise<any>', 'Item', 'Item[]', 'import("lodash").LoDashStatic', 'typeof helper', 'x'.repeat(121)]) {
      expect([type, selfContainedType(type, local)]).toEqual([type, undefined]);
    }
  });
});
