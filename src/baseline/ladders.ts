import { durationParameter, type Catalogue } from '../catalogue/catalogue.ts'
import type { RuleId } from './rules/index.ts'

/** Who a baseline notice goes to. */
export const AUDIENCES = [
  /** Whoever created the resource (CloudTrail), else its `owner` tag, else the account owner. */
  'creator',
  /** The IAM user the finding is about. */
  'user',
  /** The account's owner: the "AWS group account owners" of the guidance. */
  'account-owner',
  /** The infrastructure team that runs the account. */
  'infrastructure-team',
  /** "central hosting infrastructure teams, Head of Hosting and MoJ Cyber Security". */
  'central-teams',
  /** MoJ Cyber Security (the Authority's Operational Security Team). */
  'cyber-security',
] as const
export type Audience = (typeof AUDIENCES)[number]

/** What fixing a violation does: re-enabling a detective service is safe to automate; the rest changes workloads. */
export const REMEDIATIONS = [
  'enable-guardduty',
  'enable-cloudtrail',
  'enable-config',
  'enable-security-hub',
  'set-security-contact',
  'isolate-resource',
  'stop-resource',
  'suspend-user',
  'block-bucket-public-access',
  'revoke-world-ingress',
] as const
export type Remediation = (typeof REMEDIATIONS)[number]

/** Remediations that only re-enable something detective or set a contact: the configuration may let them run unasked. */
export const SAFE_REMEDIATIONS: ReadonlySet<Remediation> = new Set([
  'enable-guardduty',
  'enable-cloudtrail',
  'enable-config',
  'enable-security-hub',
  'set-security-contact',
])

/** Who a notice goes to, in the words of the pages and exports. */
export const AUDIENCE_WORDS: Readonly<Record<Audience, string>> = {
  creator: 'the creator',
  user: 'the user',
  'account-owner': 'the account owner',
  'infrastructure-team': 'the infrastructure team',
  'central-teams': 'the central teams',
  'cyber-security': 'Cyber Security',
}

/** What a remediation does, in the words of the pages and exports. */
export const REMEDIATION_WORDS: Readonly<Record<Remediation, string>> = {
  'enable-guardduty': 'Re-enable GuardDuty',
  'enable-cloudtrail': 'Start CloudTrail logging',
  'enable-config': 'Start the AWS Config recorder',
  'enable-security-hub': 'Enable Security Hub',
  'set-security-contact': 'Set the security contact',
  'isolate-resource': 'Isolate or stop the resource',
  'stop-resource': 'Stop the resource',
  'suspend-user': 'Suspend the user',
  'block-bucket-public-access': 'Block public access to the bucket',
  'revoke-world-ingress': 'Revoke the world-open security group rules',
}

/** One step of a rule's ladder: so long after the violation's clock started, tell these people, or act. */
export type Step =
  | {
      readonly key: string
      readonly kind: 'notify'
      readonly after: string
      readonly notify: readonly Audience[]
      readonly urgency: 'notice' | 'reminder' | 'urgent' | 'escalation'
    }
  | { readonly key: string; readonly kind: 'remediate'; readonly after: string; readonly action: Remediation }

const at = 'PT0S'
const notify = (
  key: string,
  after: string,
  audiences: readonly Audience[],
  urgency: 'notice' | 'reminder' | 'urgent' | 'escalation',
): Step => ({ key, kind: 'notify', after, notify: audiences, urgency })
const remediate = (after: string, action: Remediation): Step => ({ key: 'remediate', kind: 'remediate', after, action })

/** The ladder of a detective service that must be on "all of the time": alert at once and re-enable at once. */
const detective = (action: Remediation): Step[] => [
  notify('alert', at, ['account-owner', 'cyber-security'], 'notice'),
  remediate(at, action),
]

/**
 * Each rule's ladder, with the guidance's periods from the catalogue. The steps between the guidance's "at once"
 * and its deadline (the tagging reminders at 1 and 3 days, the account owner at 5) are Assure's defaults for its
 * "increasing urgency" and "increasing escalation", not guidance numbers.
 */
export function ladders(catalogue: Catalogue): Record<RuleId, readonly Step[]> {
  const period = (id: string) => durationParameter(catalogue, id)
  const untagged = period('aws-untagged-grace')
  return {
    'AWS-CONTACT-01': [notify('alert', at, ['account-owner'], 'notice'), remediate(at, 'set-security-contact')],
    'AWS-GD-02': detective('enable-guardduty'),
    // Guidance, GuardDuty: alerts fire for HIGH and above; a finding is for people to act on, not a setting to fix.
    'AWS-GD-04': [notify('alert', at, ['account-owner', 'cyber-security'], 'urgent')],
    'AWS-CT-02': detective('enable-cloudtrail'),
    // The carbon copy needs the Cyber Security account's bucket policy as well, so it is raised, not patched.
    'AWS-CT-03': [notify('alert', at, ['account-owner', 'cyber-security'], 'notice')],
    'AWS-CFG-02': detective('enable-config'),
    'AWS-SH-02': detective('enable-security-hub'),
    // Guidance, Tagging: the creator "in increasing urgency", the account owner "and increasing escalation", then
    // isolation "after 7 consecutive days" (aws-untagged-grace).
    'AWS-TAG-02': [
      notify('creator-1', at, ['creator'], 'notice'),
      notify('creator-2', 'P1D', ['creator'], 'reminder'),
      notify('creator-3', 'P3D', ['creator'], 'urgent'),
      notify('owner', 'P5D', ['creator', 'account-owner'], 'escalation'),
      remediate(untagged, 'isolate-resource'),
    ],
    // Guidance, Regions: alert infrastructure teams and the creator at once; shut down after 12 hours.
    'AWS-REG-02': [
      notify('alert', at, ['creator', 'infrastructure-team'], 'urgent'),
      remediate(period('aws-non-eu-grace'), 'stop-resource'),
    ],
    'AWS-IAM-07': [notify('alert', at, ['account-owner', 'cyber-security'], 'urgent')],
    // Guidance, IAM: idle users (already 30 days idle when found) get suspension notices and are suspended past the
    // threshold; the notice goes first in the same run.
    'AWS-IAM-10': [notify('suspension', at, ['user', 'account-owner'], 'notice'), remediate(at, 'suspend-user')],
    // Guidance, IAM: without MFA, the user and owners are notified after 7 consecutive days and the user suspended
    // past that threshold. Assure warns the user on the first day too.
    'AWS-IAM-11': [
      notify('warning', at, ['user'], 'notice'),
      notify('notice', period('aws-iam-no-mfa-grace'), ['user', 'account-owner'], 'escalation'),
      remediate(period('aws-iam-no-mfa-grace'), 'suspend-user'),
    ],
    'AWS-IAM-12': [notify('alert', at, ['account-owner'], 'urgent')],
    'AWS-IAM-15': [notify('alert', at, ['account-owner', 'cyber-security'], 'escalation')],
    // Guidance, Encryption: creator and owner at once; central teams after 7 days of non-action. No automatic fix.
    'AWS-ENC-03': [
      notify('alert', at, ['creator', 'account-owner'], 'notice'),
      notify('central', period('aws-s3-encryption-escalation'), ['central-teams'], 'escalation'),
    ],
    // Guidance, 'World' Access: creator and owner on a mismatch; central teams after 7 days; world access removed
    // after 7 days.
    'AWS-S3W-02': [
      notify('alert', at, ['creator', 'account-owner'], 'notice'),
      notify('central', period('aws-s3-world-access-escalation'), ['central-teams'], 'escalation'),
      remediate(period('aws-s3-world-access-removal'), 'block-bucket-public-access'),
    ],
    'AWS-CMP-04': [
      notify('alert', at, ['creator', 'account-owner'], 'notice'),
      notify('central', period('aws-compute-world-access-escalation'), ['central-teams'], 'escalation'),
      remediate(period('aws-compute-world-access-removal'), 'revoke-world-ingress'),
    ],
  }
}
