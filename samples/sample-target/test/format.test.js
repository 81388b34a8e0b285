import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCents } from '../src/format.js';

test('formats dollars and cents', () => {
  assert.equal(formatCents(12345), '$123.45');
  assert.equal(formatCents(5), '$0.05');
});

test('keeps the sign of negative amounts', () => {
  assert.equal(formatCents(-105), '-$1.05');
});
