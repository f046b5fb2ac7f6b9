/**
 * Action patterns for the SIEM tables: `auth.sign_in.failure` names one action, `auth.sign_in.*` every action under
 * `auth.sign_in.`, and `*` every action. Tables resolve an action to its most specific pattern (an exact name, then the
 * longest prefix, then `*`), so the order of rows never changes the result and new actions fall to their family.
 */
export function matchesPattern(pattern: string, action: string): boolean {
  if (pattern === '*') return true
  if (pattern.endsWith('.*')) return action.startsWith(pattern.slice(0, -1))
  return pattern === action
}

function specificity(pattern: string): number {
  if (pattern === '*') return 0
  if (pattern.endsWith('.*')) return pattern.length
  return Number.MAX_SAFE_INTEGER
}

/** The row whose matching pattern is most specific for `action`; the first such row on a tie. */
export function mostSpecific<T>(
  rows: readonly T[],
  patternsOf: (row: T) => readonly string[],
  action: string,
): T | undefined {
  let best: { row: T; score: number } | undefined
  for (const row of rows) {
    for (const pattern of patternsOf(row)) {
      if (!matchesPattern(pattern, action)) continue
      const score = specificity(pattern)
      if (best === undefined || score > best.score) best = { row, score }
    }
  }
  return best?.row
}
