import type { Evaluation } from '../findings.ts'
import type { BaselineSettings } from '../settings.ts'
import type { AccountSnapshot } from '../snapshot.ts'
import { computeNotPublic } from './compute.ts'
import { idleUsers, rootAccessKeys, rootNotRotated, rootUsed, usersWithoutMfa } from './iam.ts'
import { resourcesInEuRegions, resourcesTagged } from './resources.ts'
import {
  cloudTrailCopy,
  cloudTrailLogging,
  configRecording,
  guardDutyEnabled,
  guardDutyHighFindings,
  securityContact,
  securityHubEnabled,
} from './services.ts'
import { bucketsEncrypted, bucketsNotPublic } from './storage.ts'

/** Every rule's requirement ID, one per row of the guidance's table (and the security contact). */
export const RULE_IDS = [
  'AWS-CONTACT-01',
  'AWS-GD-02',
  'AWS-GD-04',
  'AWS-CT-02',
  'AWS-CT-03',
  'AWS-CFG-02',
  'AWS-SH-02',
  'AWS-TAG-02',
  'AWS-REG-02',
  'AWS-IAM-07',
  'AWS-IAM-10',
  'AWS-IAM-11',
  'AWS-IAM-12',
  'AWS-IAM-15',
  'AWS-ENC-03',
  'AWS-S3W-02',
  'AWS-CMP-04',
] as const
export type RuleId = (typeof RULE_IDS)[number]

/** Rules evaluated once per account (region `global`), as `evaluateAccount` runs them; the rest run per region. */
export const ACCOUNT_WIDE_RULES: ReadonlySet<string> = new Set([
  'AWS-CONTACT-01',
  'AWS-CT-02',
  'AWS-CT-03',
  'AWS-IAM-07',
  'AWS-IAM-10',
  'AWS-IAM-11',
  'AWS-IAM-12',
  'AWS-IAM-15',
  'AWS-ENC-03',
  'AWS-S3W-02',
])

/** Runs every rule over one account's snapshot: account-wide rules once, regional rules per enabled region. */
export function evaluateAccount(snapshot: AccountSnapshot, settings: BaselineSettings): Evaluation[] {
  const { accountId } = snapshot
  const regional = snapshot.regions.flatMap(region => [
    guardDutyEnabled(accountId, region),
    guardDutyHighFindings(accountId, region, settings),
    configRecording(accountId, region),
    securityHubEnabled(accountId, region),
    resourcesTagged(accountId, region, settings),
    resourcesInEuRegions(accountId, region, settings),
    computeNotPublic(accountId, region, settings),
  ])
  return [
    securityContact(snapshot, settings),
    cloudTrailLogging(snapshot),
    cloudTrailCopy(snapshot, settings),
    rootAccessKeys(snapshot),
    idleUsers(snapshot, settings),
    usersWithoutMfa(snapshot),
    rootUsed(snapshot),
    rootNotRotated(snapshot, settings),
    bucketsEncrypted(snapshot, settings),
    bucketsNotPublic(snapshot, settings),
    ...regional,
  ]
}
