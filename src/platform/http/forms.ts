import type { Problem } from '../errors.ts'

/** GOV.UK error summary and per-field messages from validation problems, linking each to its field. */
export function formErrors(problems: readonly Problem[], firstInput: Record<string, string> = {}) {
  const fieldErrors: Record<string, string> = {}
  for (const problem of problems) {
    const field = problem.path === '' ? 'form' : problem.path
    fieldErrors[field] ??= problem.message
  }
  return {
    errors: Object.entries(fieldErrors).map(([field, message]) => ({
      text: message,
      href: `#${firstInput[field] ?? field}`,
    })),
    fieldErrors,
  }
}
