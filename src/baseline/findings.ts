/**
 * What a rule reports for one scope (an account, or an account's region): whether it could look at all, and what it
 * found wrong. A scope that was observed with no findings is compliant, and clears the clocks of its violations;
 * an unobserved scope leaves them as they are.
 */

/** The region recorded for account-wide rules (IAM, the security contact, trails, S3 settings). */
export const GLOBAL = 'global'

/** One thing found wrong: which resource, which requirement, and what showed it. */
export interface Finding {
  /** The catalogue requirement the rule checks, such as AWS-GD-02. */
  readonly ruleId: string
  readonly accountId: string
  readonly region: string
  /** The resource's ARN, or a stable synthetic ARN for something missing (a region with no detector). */
  readonly resourceArn: string
  /** One sentence for people. */
  readonly summary: string
  /** What the snapshot showed, for the ledger and the auditor. */
  readonly evidence: Readonly<Record<string, unknown>>
}

/** A rule's verdict for one scope. */
export interface Evaluation {
  readonly ruleId: string
  readonly accountId: string
  readonly region: string
  readonly observed: boolean
  /** Why the scope could not be observed, when it was not. */
  readonly error?: string
  readonly findings: readonly Finding[]
}

/** The stable key of a violation: the same resource failing the same rule in the same place. */
export const violationKey = (finding: Pick<Finding, 'ruleId' | 'accountId' | 'region' | 'resourceArn'>): string =>
  `${finding.accountId}|${finding.region}|${finding.ruleId}|${finding.resourceArn}`
