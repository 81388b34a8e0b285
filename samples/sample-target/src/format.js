/**
 * Formats an amount of cents as dollars, e.g. `-$1.05`.
 * @param {number} cents an integer amount of cents
 * @returns {string}
 */
export function formatCents(cents) {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}$${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
