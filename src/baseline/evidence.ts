import type { Kysely, Selectable, Transaction } from 'kysely'
import type { BaselineResultsTable, Database } from '../platform/db/schema.ts'
import { RULE_REQUIREMENTS } from './export.ts'
import { registeredAccounts } from './pages.ts'
import { RULE_IDS, type RuleId } from './rules/index.ts'

/**
 * Each baseline rule's latest result as evidence for the catalogue requirements it checks, so a supplier's
 * self-assessment can cite it and the assessor can see it (issue 6: "each rule's latest result can evidence the
 * matching catalogue requirement in an assessment"; issue 5: evidence can be "an automated check result").
 */

type Db = Kysely<Database> | Transaction<Database>

/**
 * How long a scan stays good evidence: 7 days. This is Assure's default, not a guidance number: the guidance asks
 * for the controls "all the time", and a week-old observation is the oldest Assure treats as showing that.
 */
export const EVIDENCE_FRESHNESS_DAYS = 7

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000

/** The rules whose results evidence each requirement: the inverse of `RULE_REQUIREMENTS`, in rule order. */
export const REQUIREMENT_RULES: ReadonlyMap<string, readonly RuleId[]> = (() => {
  const map = new Map<string, RuleId[]>()
  for (const ruleId of RULE_IDS)
    for (const requirementId of RULE_REQUIREMENTS[ruleId])
      map.set(requirementId, [...(map.get(requirementId) ?? []), ruleId])
  return map
})()

/** The rules that evidence a requirement; none for a requirement no baseline rule checks. */
export const rulesEvidencing = (requirementId: string): readonly RuleId[] => REQUIREMENT_RULES.get(requirementId) ?? []

/** What one account's latest results show for a requirement. */
export type AccountEvidenceStatus = 'compliant' | 'findings' | 'unobserved' | 'never-scanned'

/** One account's part of the evidence. */
export interface AccountEvidence {
  readonly accountId: string
  readonly description: string
  readonly status: AccountEvidenceStatus
  /** Findings in the latest scan, over every evidencing rule and region. */
  readonly findings: number
  /** Scopes (rule and region) the latest scan could not observe, with why; a rule with no result counts as one. */
  readonly unobserved: ReadonlyArray<{ readonly ruleId: string; readonly region: string; readonly error: string }>
  /** When the latest scan that reached these rules ran; null when none has. */
  readonly scannedAt: Date | null
  readonly ageMs: number | null
  /** Scanned longer ago than the freshness window (or never). */
  readonly stale: boolean
}

/** The overall verdict, in the words of an assessment answer's statuses, or unknown. */
export type EvidenceVerdict = 'met' | 'partially-met' | 'not-met' | 'unknown'

/** A requirement's automated evidence for one supplier. */
export interface AutomatedEvidence {
  readonly requirementId: string
  readonly ruleIds: readonly RuleId[]
  readonly accounts: readonly AccountEvidence[]
  readonly verdict: EvidenceVerdict
  readonly freshForDays: number
  readonly checkedAt: Date
}

type ResultRow = Selectable<BaselineResultsTable>

/**
 * One account's status from its stored results for the evidencing rules. Only the account's latest scan counts:
 * every scan writes every rule for every enabled region, so an older row is a region the account no longer has
 * enabled. Findings count however old they are (nothing since has shown them fixed); compliance counts only if fresh.
 */
export function judgeAccount(props: {
  readonly account: { readonly accountId: string; readonly description: string }
  readonly ruleIds: readonly string[]
  readonly rows: readonly ResultRow[]
  readonly now: Date
  readonly freshForDays: number
}): AccountEvidence {
  const { account, ruleIds, now } = props
  const rows = props.rows.filter(row => row.account_id === account.accountId && ruleIds.includes(row.rule_id))
  const latest = rows.reduce<string | null>(
    (max, row) => (max === null || row.scanned_at > max ? row.scanned_at : max),
    null,
  )
  if (latest === null)
    return {
      ...account,
      status: 'never-scanned',
      findings: 0,
      unobserved: [],
      scannedAt: null,
      ageMs: null,
      stale: true,
    }
  const current = rows.filter(row => row.scanned_at === latest)
  const findings = current.reduce((n, row) => n + row.findings, 0)
  const unobserved = [
    ...current
      .filter(row => row.observed !== 1)
      .map(row => ({ ruleId: row.rule_id, region: row.region, error: row.error ?? 'Could not be observed' })),
    ...ruleIds
      .filter(ruleId => !current.some(row => row.rule_id === ruleId))
      .map(ruleId => ({ ruleId, region: 'global', error: 'No result from the latest scan' })),
  ]
  const scannedAt = new Date(latest)
  const ageMs = Math.max(0, now.getTime() - scannedAt.getTime())
  let status: AccountEvidenceStatus = 'compliant'
  if (findings > 0) status = 'findings'
  else if (unobserved.length > 0) status = 'unobserved'
  return { ...account, status, findings, unobserved, scannedAt, ageMs, stale: ageMs > props.freshForDays * DAY_MS }
}

/**
 * The overall verdict: not met if any account has findings; met only if every account was observed compliant within
 * the freshness window; partially met if some were; unknown otherwise (never scanned, not observable, stale, or no
 * AWS accounts registered).
 */
export function overallVerdict(accounts: readonly AccountEvidence[]): EvidenceVerdict {
  if (accounts.length === 0) return 'unknown'
  if (accounts.some(account => account.status === 'findings')) return 'not-met'
  const fresh = accounts.filter(account => account.status === 'compliant' && !account.stale).length
  if (fresh === accounts.length) return 'met'
  return fresh > 0 ? 'partially-met' : 'unknown'
}

/**
 * A requirement's automated evidence for a supplier, from the latest baseline results of its registered AWS
 * accounts (and only its own); null when no baseline rule evidences the requirement.
 */
export async function automatedEvidence(
  db: Db,
  props: { supplierId: string; requirementId: string; now: Date; freshForDays?: number },
): Promise<AutomatedEvidence | null> {
  const ruleIds = rulesEvidencing(props.requirementId)
  if (ruleIds.length === 0) return null
  const freshForDays = props.freshForDays ?? EVIDENCE_FRESHNESS_DAYS
  const accounts = await registeredAccounts(db, props.supplierId)
  const accountIds = accounts.map(account => account.accountId)
  const rows =
    accountIds.length === 0
      ? []
      : await db
          .selectFrom('baseline_results')
          .selectAll()
          .where('account_id', 'in', accountIds)
          .where('rule_id', 'in', [...ruleIds])
          .execute()
  const judged = accounts.map(account =>
    judgeAccount({
      account: { accountId: account.accountId, description: account.description },
      ruleIds,
      rows,
      now: props.now,
      freshForDays,
    }),
  )
  return {
    requirementId: props.requirementId,
    ruleIds,
    accounts: judged,
    verdict: overallVerdict(judged),
    freshForDays,
    checkedAt: props.now,
  }
}

/** How long ago, in words: "less than an hour ago", "5 hours ago", "3 days ago". */
export function describeAge(ageMs: number): string {
  if (ageMs < HOUR_MS) return 'less than an hour ago'
  if (ageMs < DAY_MS) {
    const hours = Math.floor(ageMs / HOUR_MS)
    return `${hours} ${hours === 1 ? 'hour' : 'hours'} ago`
  }
  const days = Math.floor(ageMs / DAY_MS)
  return `${days} ${days === 1 ? 'day' : 'days'} ago`
}

const VERDICTS: Record<EvidenceVerdict, { label: string; tag: string }> = {
  met: { label: 'Met', tag: 'govuk-tag--green' },
  'partially-met': { label: 'Partially met', tag: 'govuk-tag--yellow' },
  'not-met': { label: 'Not met', tag: 'govuk-tag--red' },
  unknown: { label: 'Unknown', tag: 'govuk-tag--grey' },
}

/** One account's line, in words. */
function accountLine(account: AccountEvidence): string {
  if (account.status === 'never-scanned') return 'Never scanned'
  if (account.status === 'findings') return `${account.findings} ${account.findings === 1 ? 'finding' : 'findings'}`
  if (account.status === 'unobserved')
    return `Could not check ${account.unobserved.length} ${account.unobserved.length === 1 ? 'scope' : 'scopes'}`
  return 'Observed compliant'
}

/** The evidence shaped for the answer and review pages' "Automated check (AWS baseline)" card. */
export function presentAutomatedEvidence(evidence: AutomatedEvidence) {
  const verdict = VERDICTS[evidence.verdict]
  return {
    requirementId: evidence.requirementId,
    rules: evidence.ruleIds.join(', '),
    verdict: evidence.verdict,
    verdictLabel: verdict.label,
    verdictTag: verdict.tag,
    freshForDays: evidence.freshForDays,
    checkedAt: evidence.checkedAt.toISOString(),
    accounts: evidence.accounts.map(account => ({
      accountId: account.accountId,
      description: account.description,
      status: account.status,
      line: accountLine(account),
      stale: account.stale && account.scannedAt !== null,
      scannedAt: account.scannedAt?.toISOString() ?? null,
      age: account.ageMs === null ? null : describeAge(account.ageMs),
      unobserved: account.unobserved.slice(0, 5).map(scope => `${scope.ruleId} in ${scope.region}: ${scope.error}`),
    })),
  }
}

export type AutomatedEvidenceView = ReturnType<typeof presentAutomatedEvidence>
