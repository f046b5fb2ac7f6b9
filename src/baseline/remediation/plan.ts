import { GLOBAL_REGION } from '../aws/clients.ts'
import type { Violation } from '../clocks.ts'
import { SAFE_REMEDIATIONS, type Remediation } from '../ladders.ts'
import type { RuleId } from '../rules/index.ts'
import type { BaselineSettings } from '../settings.ts'
import type { Contact } from '../snapshot.ts'
import { filledCall, plannedCall, type PlannedCall } from './calls.ts'

/**
 * Planning: what fixing one violation would send to AWS, as plain data printed before anything is sent (the issue's
 * "shows its plan before it acts"). A plan is worked out from the violation's evidence alone; the state a change
 * replaces is read at apply time by the plan's `read` calls, so the rollback restores what was really there.
 */

/** The deployment's choices remediation needs. */
export interface RemediationContext {
  /** The Cyber Security account's CloudTrail bucket, for a trail Assure has to create. */
  readonly securityLogBucket: string | null
  /** The name and home region of a trail Assure creates when the account has none. */
  readonly trail?: { readonly name: string; readonly region: string }
  /** The bucket a Config delivery channel Assure creates delivers to (default: the security log bucket). */
  readonly configBucket?: string | null
  /** The role a Config recorder Assure creates uses (default: the account's Config service-linked role). */
  readonly configRoleArn?: string
  /** The catalogue's security contact, with the phone number PutAlternateContact requires. */
  readonly securityContact: Contact & { readonly phoneNumber?: string | null }
  /** Quarantine security groups (no ingress, no egress) by VPC ID, for isolating instances. */
  readonly quarantineGroups: Readonly<Record<string, string>>
  /** The managed policy that denies everything, attached as a permissions boundary to suspend a user. */
  readonly denyAllBoundaryArn: string | null
  /** Whether suspending a user also deletes their console password (a recorded, reversible step). */
  readonly removeConsoleAccess: boolean
}

/**
 * The context for a deployment: the security log bucket and contact from the baseline settings (the catalogue's
 * contact), the rest from the deployment's configuration. Console access removal is off unless enabled.
 */
export function remediationContext(
  settings: Pick<BaselineSettings, 'securityLogBucket' | 'securityContact'>,
  deployment: {
    securityContactPhone?: string | null
    quarantineGroups?: Readonly<Record<string, string>>
    denyAllBoundaryArn?: string | null
    removeConsoleAccess?: boolean
    trail?: { name: string; region: string }
    configBucket?: string | null
    configRoleArn?: string
  } = {},
): RemediationContext {
  return {
    securityLogBucket: settings.securityLogBucket,
    securityContact: { ...settings.securityContact, phoneNumber: deployment.securityContactPhone ?? null },
    quarantineGroups: deployment.quarantineGroups ?? {},
    denyAllBoundaryArn: deployment.denyAllBoundaryArn ?? null,
    removeConsoleAccess: deployment.removeConsoleAccess ?? false,
    ...(deployment.trail === undefined ? {} : { trail: deployment.trail }),
    ...(deployment.configBucket === undefined ? {} : { configBucket: deployment.configBucket }),
    ...(deployment.configRoleArn === undefined ? {} : { configRoleArn: deployment.configRoleArn }),
  }
}

/** What fixing one violation would do: the exact calls, in order. */
export interface PlannedAction {
  readonly actionVersion: 1
  readonly remediation: Remediation
  readonly ruleId: string
  readonly violationKey: string
  readonly accountId: string
  readonly region: string
  readonly resourceArn: string
  /** False only for the safe remediations (re-enabling a detective service, setting the contact). */
  readonly destructive: boolean
  readonly calls: readonly PlannedCall[]
}

/** A violation Assure will not fix automatically, and why: the enforcer escalates it instead. */
export interface Skipped {
  readonly skipped: string
}

/** The remediation each rule's ladder ends in (see ladders.ts); rules with none are only notified. */
export const RULE_REMEDIATION: Partial<Record<RuleId, Remediation>> = {
  'AWS-CONTACT-01': 'set-security-contact',
  'AWS-GD-02': 'enable-guardduty',
  'AWS-CT-02': 'enable-cloudtrail',
  'AWS-CFG-02': 'enable-config',
  'AWS-SH-02': 'enable-security-hub',
  'AWS-TAG-02': 'isolate-resource',
  'AWS-REG-02': 'stop-resource',
  'AWS-IAM-10': 'suspend-user',
  'AWS-IAM-11': 'suspend-user',
  'AWS-S3W-02': 'block-bucket-public-access',
  'AWS-CMP-04': 'revoke-world-ingress',
}

type Planned = readonly PlannedCall[] | Skipped

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null)
const isSkipped = (planned: Planned): planned is Skipped => 'skipped' in planned

/**
 * Plans the remediation of a violation: the kind from the rule's ladder step (or given), the calls from its
 * evidence and the deployment's choices. Returns why not when there is no safe automatic fix.
 */
export function planRemediation(
  violation: Violation,
  context: RemediationContext,
  remediation: Remediation | undefined = RULE_REMEDIATION[violation.ruleId as RuleId],
): PlannedAction | Skipped {
  if (remediation === undefined) return { skipped: `${violation.ruleId} has no automatic remediation` }
  const planned = PLANNERS[remediation](violation, context)
  if (isSkipped(planned)) return planned
  return {
    actionVersion: 1,
    remediation,
    ruleId: violation.ruleId,
    violationKey: violation.key,
    accountId: violation.accountId,
    region: violation.region,
    resourceArn: violation.resourceArn,
    destructive: !SAFE_REMEDIATIONS.has(remediation),
    calls: planned,
  }
}

const read = { purpose: 'read' } as const

/** Guidance, GuardDuty: a suspended detector is re-enabled with UpdateDetector; CreateDetector only when none exists. */
function enableGuardDuty(violation: Violation): Planned {
  const detectorId = text(violation.evidence.detectorId)
  if (detectorId === null) return [plannedCall('guardduty:CreateDetector', violation.region, { Enable: true })]
  return [
    plannedCall('guardduty:GetDetector', violation.region, { DetectorId: detectorId }, read),
    plannedCall('guardduty:UpdateDetector', violation.region, { DetectorId: detectorId, Enable: true }),
  ]
}

interface TrailEvidence {
  readonly name?: unknown
  readonly arn?: unknown
  readonly homeRegion?: unknown
  readonly problems?: unknown
}

/**
 * Guidance, CloudTrail: enabled all of the time. A stopped multi-region trail is started with StartLogging, sent to
 * its home region (CloudTrail refuses it elsewhere); with no trail at all one is created to deliver to the Cyber
 * Security bucket, then started. A trail wrong in other ways (single-region, no management events, failing
 * delivery) was configured by someone: Assure does not rewrite it, it escalates.
 */
function enableCloudTrail(violation: Violation, context: RemediationContext): Planned {
  const trails = Array.isArray(violation.evidence.trails) ? (violation.evidence.trails as TrailEvidence[]) : []
  const stopped = trails.find(
    trail =>
      Array.isArray(trail.problems) &&
      trail.problems.length === 1 &&
      trail.problems[0] === 'not logging' &&
      text(trail.arn) !== null &&
      text(trail.homeRegion) !== null,
  )
  if (stopped !== undefined) {
    const arn = text(stopped.arn) ?? ''
    const home = text(stopped.homeRegion) ?? ''
    return [
      plannedCall('cloudtrail:GetTrailStatus', home, { Name: arn }, read),
      plannedCall('cloudtrail:StartLogging', home, { Name: arn }),
    ]
  }
  if (trails.length > 0)
    return { skipped: 'no trail would be fixed by StartLogging alone; its configuration needs people' }
  if (context.securityLogBucket === null)
    return { skipped: 'no Cyber Security log bucket is configured for a new trail' }
  const trail = context.trail ?? { name: 'assure-baseline', region: GLOBAL_REGION }
  const arn = `arn:aws:cloudtrail:${trail.region}:${violation.accountId}:trail/${trail.name}`
  return [
    plannedCall('cloudtrail:CreateTrail', trail.region, {
      Name: trail.name,
      S3BucketName: context.securityLogBucket,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
    }),
    plannedCall('cloudtrail:StartLogging', trail.region, { Name: arn }),
  ]
}

interface RecorderEvidence {
  readonly name?: unknown
  readonly servicePrincipal?: unknown
}

/**
 * Guidance, Config: the account's own recorder recording, with a delivery channel. A missing recorder is created
 * recording every supported type (global ones included), a missing channel created, and the recorder started.
 */
function enableConfig(violation: Violation, context: RemediationContext): Planned {
  const { region, accountId } = violation
  const recorders = Array.isArray(violation.evidence.recorders)
    ? (violation.evidence.recorders as RecorderEvidence[])
    : []
  const own = recorders.find(recorder => recorder.servicePrincipal === null || recorder.servicePrincipal === undefined)
  const channels = typeof violation.evidence.deliveryChannels === 'number' ? violation.evidence.deliveryChannels : 0
  const bucket = context.configBucket ?? context.securityLogBucket
  if (channels === 0 && bucket === null) return { skipped: 'no bucket is configured for a Config delivery channel' }
  const name = text(own?.name) ?? 'default'
  const calls: PlannedCall[] = []
  if (own === undefined)
    calls.push(
      plannedCall('config:PutConfigurationRecorder', region, {
        ConfigurationRecorder: {
          name,
          roleARN:
            context.configRoleArn ??
            `arn:aws:iam::${accountId}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
          recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
        },
      }),
    )
  if (channels === 0)
    calls.push(
      plannedCall('config:PutDeliveryChannel', region, {
        DeliveryChannel: { name: 'default', s3BucketName: bucket ?? '' },
      }),
    )
  if (own !== undefined)
    calls.push(
      plannedCall('config:DescribeConfigurationRecorderStatus', region, { ConfigurationRecorderNames: [name] }, read),
    )
  calls.push(plannedCall('config:StartConfigurationRecorder', region, { ConfigurationRecorderName: name }))
  return calls
}

/** Guidance, SecurityHub: enabled in every region, with the default standards. */
const enableSecurityHub = (violation: Violation): Planned => [
  plannedCall('securityhub:EnableSecurityHub', violation.region, { EnableDefaultStandards: true }),
]

/** Guidance, Security incidents: the account's security contact is the Authority's Operational Security Team. */
function setSecurityContact(_violation: Violation, context: RemediationContext): Planned {
  const contact = context.securityContact
  const phone = contact.phoneNumber ?? null
  // PutAlternateContact requires a phone number; the catalogue's contact has none unless the deployment adds one.
  if (phone === null || phone === '') return { skipped: 'the security contact has no phone number configured' }
  return [
    plannedCall('account:GetAlternateContact', GLOBAL_REGION, { AlternateContactType: 'SECURITY' }, read),
    plannedCall('account:PutAlternateContact', GLOBAL_REGION, {
      AlternateContactType: 'SECURITY',
      Name: contact.name,
      Title: contact.title,
      EmailAddress: contact.email,
      PhoneNumber: phone,
    }),
  ]
}

/** The parts of a resource ARN remediation needs: its service, type and the rest. */
function parseArn(arn: string): { service: string; resource: string } {
  const [, , service = '', , , ...rest] = arn.split(':')
  return { service, resource: rest.join(':') }
}

const afterSlash = (resource: string) => resource.slice(resource.indexOf('/') + 1)

/** An ECS service ARN's cluster and service names (the long ARN format, `service/cluster/name`). */
function ecsService(arn: string): { cluster: string; service: string } | null {
  const parts = parseArn(arn).resource.split('/')
  if (parts.length !== 3 || parts[0] !== 'service') return null
  return { cluster: parts[1] ?? '', service: parts[2] ?? '' }
}

/**
 * Guidance, Tagging: untagged objects "are forcefully and automatically shutdown/disabled or isolated after 7
 * consecutive days"; Guidance, Regions: non-EU resources "are automatically and forcefully shut down after 12 hours".
 * Stopping or isolating what runs: shared by the stop (non-EU, 12 hours) and isolate (untagged, 7 days) steps, which
 * differ only for EC2 instances (stopped, or moved to the VPC's quarantine group when one is configured). Volumes,
 * buckets and security groups have no safe automatic isolation: detaching a volume or blocking a bucket can lose or
 * break data, and a security group is isolated only by changing everything attached to it, so those are escalated
 * to people.
 */
function haltResource(mode: 'stop' | 'isolate') {
  return (violation: Violation, context: RemediationContext): Planned => {
    const { region, resourceArn } = violation
    const { service, resource } = parseArn(resourceArn)
    const type = service === 's3' ? 's3:bucket' : `${service}:${resource.split(/[/:]/)[0] ?? ''}`
    switch (type) {
      case 'ec2:instance': {
        const id = afterSlash(resource)
        const describe = plannedCall('ec2:DescribeInstances', region, { InstanceIds: [id] }, read)
        // The guidance allows "shutdown/disabled or isolated": with no quarantine group configured, isolating an
        // untagged instance stops it rather than leaving the 7-day step undone.
        if (mode === 'stop' || Object.keys(context.quarantineGroups).length === 0)
          return [describe, plannedCall('ec2:StopInstances', region, { InstanceIds: [id] })]
        return [
          describe,
          filledCall(
            'ec2:ModifyInstanceAttribute',
            region,
            { InstanceId: id },
            { kind: 'quarantine-group', groupsByVpc: { ...context.quarantineGroups } },
          ),
        ]
      }
      case 'rds:db': {
        // AWS starts a stopped RDS instance again after seven days; the next scan then finds it and escalates.
        const id = resource.slice('db:'.length)
        return [plannedCall('rds:StopDBInstance', region, { DBInstanceIdentifier: id })]
      }
      case 'lambda:function': {
        const name = resource.slice('function:'.length)
        return [
          plannedCall('lambda:GetFunctionConcurrency', region, { FunctionName: name }, read),
          plannedCall('lambda:PutFunctionConcurrency', region, { FunctionName: name, ReservedConcurrentExecutions: 0 }),
        ]
      }
      case 'ecs:service': {
        const parsed = ecsService(resourceArn)
        if (parsed === null) return { skipped: 'the ECS service ARN does not name its cluster' }
        return [
          plannedCall('ecs:DescribeServices', region, { cluster: parsed.cluster, services: [parsed.service] }, read),
          plannedCall('ecs:UpdateService', region, { ...parsed, desiredCount: 0 }),
        ]
      }
      case 'ec2:volume':
        return { skipped: 'an EBS volume has no safe automatic isolation' }
      case 's3:bucket':
        return { skipped: 'an S3 bucket has no safe automatic isolation' }
      case 'ec2:security-group':
        return { skipped: 'a security group has no safe automatic isolation' }
      default:
        return { skipped: `no automatic ${mode} for ${resourceArn}` }
    }
  }
}

/**
 * Guidance, IAM: idle users and users without MFA are suspended: every active access key deactivated and a deny-all
 * permissions boundary attached, which stops the user doing anything while keeping everything needed to restore them.
 * Console access is removed only when the deployment enables it, as its own recorded step.
 */
function suspendUser(violation: Violation, context: RemediationContext): Planned {
  const user = text(violation.evidence.user)
  if (user === null) return { skipped: 'the violation does not name the IAM user' }
  if (context.denyAllBoundaryArn === null) return { skipped: 'no deny-all permissions boundary is configured' }
  const calls = [
    plannedCall('iam:ListAccessKeys', GLOBAL_REGION, { UserName: user }, read),
    filledCall(
      'iam:UpdateAccessKey',
      GLOBAL_REGION,
      { UserName: user, Status: 'Inactive' },
      { kind: 'each-active-access-key' },
    ),
    plannedCall('iam:GetUser', GLOBAL_REGION, { UserName: user }, read),
    plannedCall('iam:PutUserPermissionsBoundary', GLOBAL_REGION, {
      UserName: user,
      PermissionsBoundary: context.denyAllBoundaryArn,
    }),
  ]
  if (context.removeConsoleAccess)
    calls.push(
      plannedCall('iam:GetLoginProfile', GLOBAL_REGION, { UserName: user }, read),
      plannedCall('iam:DeleteLoginProfile', GLOBAL_REGION, { UserName: user }),
    )
  return calls
}

/**
 * Guidance, 'World' Access: "the S3 object permissions are forcefully and automatically changed to remove 'world'
 * access": all four Public Access Block settings on the bucket, IgnorePublicAcls covering its objects' ACLs too.
 */
function blockBucket(violation: Violation): Planned {
  const bucket = text(violation.evidence.bucket)
  if (bucket === null) return { skipped: 'the violation does not name the bucket' }
  return [
    plannedCall('s3:GetPublicAccessBlock', violation.region, { Bucket: bucket }, read),
    plannedCall('s3:PutPublicAccessBlock', violation.region, {
      Bucket: bucket,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    }),
  ]
}

interface OpenRuleEvidence {
  readonly groupId?: unknown
  readonly ruleId?: unknown
}

/**
 * Guidance, 'World' Access: "the relevant security groups are forcefully and automatically changed to remove
 * 'world' access". Exactly the offending ingress rules are
 * revoked, group by group, each group's rules read first so they can be authorised again; an ECS service stops
 * giving its tasks public IPs. Revoking a rule changes every instance that shares the group, which is one reason
 * this is not a safe remediation.
 */
function revokeWorldIngress(violation: Violation): Planned {
  const { region } = violation
  const service = text(violation.evidence.service)
  if (service !== null) {
    const parsed = ecsService(service)
    if (parsed === null) return { skipped: 'the ECS service ARN does not name its cluster' }
    return [
      plannedCall('ecs:DescribeServices', region, { cluster: parsed.cluster, services: [parsed.service] }, read),
      filledCall(
        'ecs:UpdateService',
        region,
        { ...parsed, networkConfiguration: { awsvpcConfiguration: { assignPublicIp: 'DISABLED' } } },
        { kind: 'keep-awsvpc-configuration' },
      ),
    ]
  }
  const open = Array.isArray(violation.evidence.openRules) ? (violation.evidence.openRules as OpenRuleEvidence[]) : []
  const byGroup = new Map<string, string[]>()
  for (const rule of open) {
    const groupId = text(rule.groupId)
    const ruleId = text(rule.ruleId)
    if (groupId === null || ruleId === null) continue
    const ids = byGroup.get(groupId) ?? []
    if (!ids.includes(ruleId)) ids.push(ruleId)
    byGroup.set(groupId, ids)
  }
  if (byGroup.size === 0) return { skipped: 'the violation names no security group rules' }
  return [...byGroup].flatMap(([groupId, ids]) => [
    plannedCall('ec2:DescribeSecurityGroupRules', region, { SecurityGroupRuleIds: ids }, read),
    plannedCall('ec2:RevokeSecurityGroupIngress', region, { GroupId: groupId, SecurityGroupRuleIds: ids }),
  ])
}

const PLANNERS: Record<Remediation, (violation: Violation, context: RemediationContext) => Planned> = {
  'enable-guardduty': enableGuardDuty,
  'enable-cloudtrail': enableCloudTrail,
  'enable-config': enableConfig,
  'enable-security-hub': enableSecurityHub,
  'set-security-contact': setSecurityContact,
  'isolate-resource': haltResource('isolate'),
  'stop-resource': haltResource('stop'),
  'suspend-user': suspendUser,
  'block-bucket-public-access': blockBucket,
  'revoke-world-ingress': revokeWorldIngress,
}
