import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createBudget, type Budget } from '../src/baseline/aws/budget.ts'
import { GLOBAL, violationKey, type Evaluation } from '../src/baseline/findings.ts'
import { RULE_IDS } from '../src/baseline/rules/index.ts'
import { scanAccounts } from '../src/baseline/scan.ts'
import { baselineSettings } from '../src/baseline/settings.ts'
import { loadCatalogue } from '../src/catalogue/load.ts'
import { REGIONS, SECURITY_BUCKET, seededKeys, simulatedAccount } from '../bench/simulated-aws.ts'

const SCANNED_AT = new Date('2026-12-04T09:00:00Z')
const ACCOUNTS = 40
const INSTANT = { now: () => 0, sleep: () => Promise.resolve() }
const settings = baselineSettings(loadCatalogue(), { securityLogBucket: SECURITY_BUCKET })

/** Scans the simulated organisation through scanAccounts, collecting every evaluation and every planted key. */
async function scanOrganisation(props: { budget: Budget; headroom: number }) {
  const seeded = new Set<string>()
  const evaluations: Evaluation[] = []
  const network = {
    latencyMs: 0,
    jitterMs: 0,
    headroom: props.headroom,
    rateFor: props.budget.rateFor,
    now: () => 0,
  }
  const outcome = await scanAccounts(
    {
      clientsFor: accountId => {
        const account = simulatedAccount({
          seed: 6,
          index: Number(accountId) - 100_000_000_000,
          scannedAt: SCANNED_AT,
          network,
        })
        for (const key of seededKeys(account)) seeded.add(key)
        return account.clients
      },
      budget: props.budget,
      settings,
      now: () => SCANNED_AT,
    },
    Array.from({ length: ACCOUNTS }, (_, index) => String(100_000_000_000 + index)),
    {
      onResult: result => {
        evaluations.push(...result.evaluations)
      },
    },
  )
  const reported = new Set(evaluations.flatMap(e => e.findings.map(violationKey)))
  const unobserved = new Set(evaluations.filter(e => !e.observed).map(e => `${e.ruleId}|${e.region}`))
  return { outcome, seeded, reported, unobserved, evaluations }
}

describe('scanning the simulated organisation', () => {
  it('reports every violation planted across 40 accounts × 17 regions, and nothing else', async () => {
    const budget = createBudget({ clock: INSTANT })
    const { outcome, seeded, reported, evaluations } = await scanOrganisation({ budget, headroom: Infinity })
    assert.deepEqual(outcome, { scanned: ACCOUNTS, failed: 0 })
    assert.equal(new Set(evaluations.map(e => e.region)).size, REGIONS.length + 1, 'every region and the global scope')
    assert.deepEqual(
      [...new Set([...seeded].map(key => key.split('|')[2]))].sort(),
      [...RULE_IDS].sort(),
      'the organisation plants a violation of every rule',
    )
    assert.deepEqual(
      evaluations.filter(e => !e.observed),
      [],
    )
    assert.deepEqual([...reported].sort(), [...seeded].sort())
  })

  it('leaves what AWS throttled past the retries unobserved, and never reports a false violation', async () => {
    // AWS's limit never refills: each (account, region, API) answers once, so every second call is throttled.
    const budget = createBudget({ clock: INSTANT, maxRetries: 2 })
    const { outcome, seeded, reported, unobserved } = await scanOrganisation({ budget, headroom: 1 })
    assert.deepEqual(outcome, { scanned: ACCOUNTS, failed: 0 }, 'throttling fails parts of accounts, not accounts')
    assert.ok(budget.stats.throttled > 0 && budget.stats.retries > 0)
    assert.ok(unobserved.size > 0)
    assert.deepEqual(
      [...reported].filter(key => !seeded.has(key)),
      [],
      'no false violations',
    )
    const missing = [...seeded].filter(key => !reported.has(key))
    assert.ok(missing.length > 0)
    for (const key of missing) {
      const [, region = '', ruleId = ''] = key.split('|')
      assert.ok(
        unobserved.has(`${ruleId}|${region}`) || unobserved.has(`${ruleId}|${GLOBAL}`),
        `${key} was neither reported nor left unobserved`,
      )
    }
  })
})
