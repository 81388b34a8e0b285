/**
 * A URL-friendly version of `text`: lower case, words joined by dashes.
 * @param {string} text
 * @returns {string}
 */
export function slugify(text)
{
    return text.toLowerCase().trim().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "")
}

/**
 * `text` cut to at most `max` characters, ending in an ellipsis when cut.
 * @param {string} text
 * @param {number} max
 * @returns {string}
 */
export function truncate(text, max) {
  if (text.length <= max) return text
  return text.slice(0, Math.max(0, max - 1)) + "…"
}
