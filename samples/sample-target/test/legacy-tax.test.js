import { test } from 'node:test';
import assert from 'node:assert/strict';
import { taxCents } from '../src/legacy-tax.js';

test('applies the state rate', () => {
  assert.equal(taxCents(10000, 'CA'), 725);
});

test('charges nothing for a state without a rate', () => {
  assert.equal(taxCents(10000, 'OR'), 0);
});
