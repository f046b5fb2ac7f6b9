import { readFileSync } from 'node:fs'
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations'
import type { Services } from '../services.ts'
import { createBudget } from './aws/budget.ts'
import { clientsForRole, GLOBAL_REGION, type AwsClients } from './aws/clients.ts'
import { runBaseline, type AccountReport, type RunReport } from './enforce.ts'
import { parseAllowList } from './intended.ts'
import { baselineRecipients } from './recipients.ts'
import { remediationContext } from './remediation/plan.ts'
import { sdkRemediator } from './remediator.ts'
import { scanAccounts } from './scan.ts'
import { baselineSettings, NOTHING_INTENDED } from './settings.ts'

/** The parts of the services a baseline run needs. */
export type BaselineServices = Pick<Services, 'config' | 'store' | 'catalogue' | 'mailer' | 'now'>

/** How Assure reaches AWS: the roles it assumes, overridable so tests can hand in mocked clients. */
export interface AwsAccess {
  readonly scanClients: (accountId: string) => AwsClients
  readonly remediationClients: (accountId: string) => AwsClients
  /** Member accounts of the AWS Organization, for `--organization`. */
  readonly organizationAccounts: () => Promise<string[]>
}

/** The standard provider chain's credentials, assuming the configured roles in each account. */
export function roleAccess(services: BaselineServices): AwsAccess {
  const { scanRole, remediationRole } = services.config.baseline
  const cache = new Map<string, AwsClients>()
  const clients = (role: string, purpose: string) => (accountId: string) => {
    const key = `${role}|${accountId}`
    let found = cache.get(key)
    if (found === undefined) {
      found = clientsForRole({ accountId, roleName: role, sessionName: `assure-baseline-${purpose}` })
      cache.set(key, found)
    }
    return found
  }
  return {
    scanClients: clients(scanRole, 'scan'),
    remediationClients: clients(remediationRole, 'remediate'),
    async organizationAccounts() {
      const client = new OrganizationsClient({ region: GLOBAL_REGION })
      const ids: string[] = []
      let token: string | undefined
      do {
        const page = await client.send(new ListAccountsCommand({ NextToken: token }))
        for (const account of page.Accounts ?? [])
          if (account.Id !== undefined && account.Status === 'ACTIVE') ids.push(account.Id)
        token = page.NextToken
      } while (token !== undefined)
      return ids
    },
  }
}

/** Every AWS account in the supplier register. */
export async function registeredAccounts(services: BaselineServices): Promise<string[]> {
  const rows = await services.store.db.selectFrom('cloud_accounts').select('account_id').distinct().execute()
  return rows.map(row => row.account_id).sort()
}

/**
 * Runs scan or enforce with the real SDK path and the deployment's configuration: role-assumed clients, one throttle
 * budget, the allow-list, the blast radius and who is told. The CLI and the scheduled job both run it.
 */
export async function runConfiguredBaseline(
  services: BaselineServices,
  access: AwsAccess,
  props: { mode: 'scan' | 'plan' | 'apply'; accounts: readonly string[]; onAccount?: (report: AccountReport) => void },
): Promise<RunReport> {
  const { baseline } = services.config
  const intended =
    baseline.allowListFile === null
      ? NOTHING_INTENDED
      : parseAllowList(readFileSync(baseline.allowListFile, 'utf8'), services.now())
  const settings = baselineSettings(services.catalogue, {
    securityLogBucket: baseline.securityLogBucket,
    encryption: baseline.encryption,
    intended,
  })
  const budget = createBudget()
  return runBaseline(
    {
      db: services.store.db,
      now: services.now,
      catalogue: services.catalogue,
      mailer: services.mailer,
      scan: (ids, handlers) =>
        scanAccounts({ clientsFor: access.scanClients, budget, settings, now: services.now }, ids, handlers),
      remediator: sdkRemediator({
        clientsFor: access.remediationClients,
        budget,
        context: remediationContext(settings, {
          securityContactPhone: baseline.securityContactPhone,
          quarantineGroups: baseline.quarantineGroups,
          denyAllBoundaryArn: baseline.denyAllBoundaryArn,
          removeConsoleAccess: baseline.removeConsoleAccess,
        }),
      }),
      recipients: baselineRecipients({
        db: services.store.db,
        config: baseline,
        cyberSecurity: settings.securityContact.email,
      }),
    },
    {
      mode: props.mode,
      accounts: props.accounts,
      applySafe: baseline.applySafe,
      blastRadius: {
        maxActionsPerAccount: baseline.maxActionsPerAccount,
        maxShareOfResources: baseline.maxShareOfResources,
      },
      ...(props.onAccount === undefined ? {} : { onAccount: props.onAccount }),
    },
  )
}
