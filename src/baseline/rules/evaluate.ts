import type { Evaluation, Finding } from '../findings.ts'
import type { Observed } from '../snapshot.ts'

/** What a rule body returns for each thing wrong; the scope's account, region and rule are added for it. */
export type Problem = Omit<Finding, 'ruleId' | 'accountId' | 'region'> & { readonly region?: string }

/** Evaluates one scope: unobserved when its input was not read, otherwise the body's problems as findings. */
export function evaluate<T>(
  scope: { ruleId: string; accountId: string; region: string },
  input: Observed<T>,
  body: (value: T) => readonly Problem[],
): Evaluation {
  if (!input.observed) return { ...scope, observed: false, error: input.error, findings: [] }
  const findings = body(input.value).map(problem => ({ ...scope, ...problem, region: problem.region ?? scope.region }))
  return { ...scope, observed: true, findings }
}

/** Both inputs, observed only when both are. */
export function both<A, B>(a: Observed<A>, b: Observed<B>): Observed<readonly [A, B]> {
  if (!a.observed) return a
  if (!b.observed) return b
  return { observed: true, value: [a.value, b.value] }
}
