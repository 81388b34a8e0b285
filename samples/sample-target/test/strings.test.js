import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slugify, truncate } from '../src/strings.js';

test('slugifies', () => {
  assert.equal(slugify('  Blue Widget (Large) '), 'blue-widget-large');
});

test('truncates with an ellipsis', () => {
  assert.equal(truncate('abcdef', 4), 'abc…');
  assert.equal(truncate('abc', 4), 'abc');
});
