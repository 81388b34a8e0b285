import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRule } from '../src/rules.js';

test('compiles a rule over quantity and price', () => {
  const bulk = compileRule('quantity >= 10 && unitPriceCents < 500');
  assert.equal(bulk({ quantity: 12, unitPriceCents: 300 }), true);
  assert.equal(bulk({ quantity: 2, unitPriceCents: 300 }), false);
});
