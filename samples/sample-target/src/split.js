/**
 * Splits `cents` into `parts` amounts that differ by at most one cent and add up to `cents`.
 * @param {number} cents a non-negative integer
 * @param {number} parts a positive integer
 * @returns {number[]}
 */
export function splitEvenly(cents, parts) {
  const share = Math.floor(cents / parts);
  return Array.from({ length: parts }, () => share);
}
