// A simulated AWS organisation for the baseline benchmark and its test: N accounts × 17 regions, each account generated from a
// seed (so a run is repeatable and nothing is held for accounts not being scanned), served through `AwsClients`
// whose clients answer from the simulated data after a network latency, and throttle like AWS when a
// per-(account, region, API) rate is exceeded. Every violation the generator plants is recorded with the violation
// key the rules must report, so the benchmark can check the scan found exactly those and no others.
import type { AccountClient } from '@aws-sdk/client-account'
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail'
import type { ConfigServiceClient } from '@aws-sdk/client-config-service'
import type { EC2Client } from '@aws-sdk/client-ec2'
import type { ECSClient } from '@aws-sdk/client-ecs'
import type { GuardDutyClient } from '@aws-sdk/client-guardduty'
import type { IAMClient } from '@aws-sdk/client-iam'
import type { LambdaClient } from '@aws-sdk/client-lambda'
import type { RDSClient } from '@aws-sdk/client-rds'
import type { S3Client } from '@aws-sdk/client-s3'
import type { S3ControlClient } from '@aws-sdk/client-s3-control'
import type { SecurityHubClient } from '@aws-sdk/client-securityhub'
import { GLOBAL_REGION, type AwsClients } from '../src/baseline/aws/clients.ts'
import type { Rate } from '../src/baseline/aws/budget.ts'
import { GLOBAL, violationKey } from '../src/baseline/findings.ts'
import type { Contact } from '../src/baseline/snapshot.ts'

/** The 17 regions enabled by default in an AWS account. */
export const REGIONS = [
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
] as const

/** The Cyber Security account's CloudTrail bucket the simulated trails deliver to. */
export const SECURITY_BUCKET = 'moj-cyber-security-cloudtrail'

/** How the simulated AWS behaves on the wire. */
export interface NetworkOptions {
  /** Mean round trip of one call, in milliseconds. */
  readonly latencyMs: number
  /** The round trip varies by up to this much either way; half of it is on the way in, shifting arrival times. */
  readonly jitterMs: number
  /**
   * AWS's own limit per (account, region, API) as a multiple of the budget's rate for that API (1.2 = 20% above);
   * Infinity for an AWS that never throttles.
   */
  readonly headroom: number
  /** The budget's rate for an API, from which the simulated limit is set. */
  readonly rateFor: (api: string) => Rate
  readonly now: () => number
}

/** A violation the generator planted, as the rules must report it. */
export interface Seeded {
  readonly ruleId: string
  readonly region: string
  readonly resourceArn: string
}

/** One simulated account: its data, the violations planted in it, and what its clients were asked. */
export interface SimulatedAccount {
  readonly accountId: string
  readonly clients: AwsClients
  readonly seeded: readonly Seeded[]
  /** Calls answered (not throttled), per `region|api`: what the ideal bound is computed from. */
  readonly answered: Map<string, number>
  readonly throttled: { count: number }
}

const DAY = 86_400_000

/** mulberry32: a small, fast, seeded generator, so every run simulates the same organisation. */
/* eslint-disable no-bitwise -- a seeded generator is bit arithmetic */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}
/* eslint-enable no-bitwise */

/** An AWS SDK error as the SDK throws it: the error's name is the service's exception name. */
function awsError(name: string, message = name): Error {
  const error = new Error(message)
  error.name = name
  return error
}

const GOOD_TAGS = (application: string) => ({
  'business-unit': 'HMPPS',
  application,
  'is-production': 'true',
  owner: 'Probation Digital: probation-digital@justice.gov.uk',
})

type Tags = Record<string, string>
const tagList = (tags: Tags) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }))

interface SimInstance {
  id: string
  region: string
  publicIp: string | null
  groups: string[]
  tags: Tags
}
interface SimGroup {
  id: string
  name: string
  tags: Tags
  ingress: Array<{ id: string; cidr: string | null; cidr6?: string; port: number }>
}
interface SimBucket {
  name: string
  region: string
  encrypted: boolean
  publicAcl: boolean
  tags: Tags | null
}
interface SimRegion {
  detector: 'ENABLED' | 'DISABLED' | null
  highFindings: string[]
  mediumFindings: string[]
  recorder: 'recording' | 'stopped' | 'service-linked-only'
  securityHub: boolean
  instances: SimInstance[]
  groups: SimGroup[]
  volumes: Array<{ id: string; tags: Tags }>
  rds: Array<{ id: string; tags: Tags }>
  lambdas: Array<{ name: string; tags: Tags }>
  ecs: Array<{ cluster: string; name: string; publicIp: boolean; tags: Tags }>
}

/** The account's data, generated from the seed and the account's index. */
function generate(seed: number, index: number, accountId: string, scannedAt: Date) {
  const rnd = random(seed * 1_000_003 + index)
  const chance = (p: number) => rnd() < p
  const between = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1))
  const seeded: Seeded[] = []
  const plant = (ruleId: string, region: string, resourceArn: string) => seeded.push({ ruleId, region, resourceArn })
  let serial = 0
  const hex = () => {
    serial += 1
    return `${index.toString(16).padStart(5, '0')}${serial.toString(16).padStart(7, '0')}`
  }
  const ec2Arn = (region: string, kind: string, id: string) => `arn:aws:ec2:${region}:${accountId}:${kind}/${id}`
  // Tags for a resource: usually to the MoJ standard; sometimes never tagged or with an invalid business unit.
  const tagsFor = (application: string, arn: string, region: string): Tags => {
    if (chance(0.04)) {
      plant('AWS-TAG-02', region, arn)
      return {}
    }
    if (chance(0.02)) {
      plant('AWS-TAG-02', region, arn)
      return { ...GOOD_TAGS(application), 'business-unit': 'Probation' }
    }
    return GOOD_TAGS(application)
  }

  const regions = new Map<string, SimRegion>()
  for (const region of REGIONS) {
    const defaultGroup: SimGroup = {
      id: `sg-${hex()}`,
      name: 'default',
      tags: {},
      ingress: [{ id: `sgr-${hex()}`, cidr: null, port: -1 }],
    }
    const sim: SimRegion = {
      detector: 'ENABLED',
      highFindings: [],
      mediumFindings: [],
      recorder: 'recording',
      securityHub: true,
      instances: [],
      groups: [defaultGroup],
      volumes: [],
      rds: [],
      lambdas: [],
      ecs: [],
    }
    regions.set(region, sim)
    const detectorRoll = rnd()
    if (detectorRoll < 0.02) {
      sim.detector = null
      plant('AWS-GD-02', region, `arn:aws:guardduty:${region}:${accountId}:detector/none`)
    } else if (detectorRoll < 0.04) {
      sim.detector = 'DISABLED' // suspended: GuardDuty reports it as DISABLED
    }
    if (chance(0.02)) sim.recorder = chance(0.5) ? 'stopped' : 'service-linked-only'
    if (chance(0.02)) {
      sim.securityHub = false
      plant('AWS-SH-02', region, `arn:aws:securityhub:${region}:${accountId}:hub/default`)
    }
  }
  // Workloads run in the EU regions: most in London, some in Ireland.
  for (const [region, count] of [
    ['eu-west-2', between(1, 5)],
    ['eu-west-1', between(0, 2)],
  ] as const) {
    const sim = regions.get(region)
    if (sim === undefined) continue
    const appGroup: SimGroup = {
      id: `sg-${hex()}`,
      name: 'app',
      tags: {},
      ingress: [{ id: `sgr-${hex()}`, cidr: '10.0.0.0/8', port: 443 }],
    }
    appGroup.tags = tagsFor('case-notes', ec2Arn(region, 'security-group', appGroup.id), region)
    const openGroup: SimGroup = {
      id: `sg-${hex()}`,
      name: 'bastion',
      tags: {},
      ingress: [
        { id: `sgr-${hex()}`, cidr: '0.0.0.0/0', port: 22 },
        { id: `sgr-${hex()}`, cidr: null, cidr6: '::/0', port: 22 },
      ],
    }
    openGroup.tags = tagsFor('bastion', ec2Arn(region, 'security-group', openGroup.id), region)
    sim.groups.push(appGroup, openGroup)
    for (let i = 0; i < count; i += 1) {
      const id = `i-${hex()}`
      const arn = ec2Arn(region, 'instance', id)
      // Reachable from the world: a public IP behind an open group. A public IP behind the internal group alone,
      // or the open group without a public IP, is not.
      const exposed = chance(0.06)
      if (exposed) plant('AWS-CMP-04', region, arn)
      const shape = exposed ? 'exposed' : (['private', 'public-internal', 'private-open'] as const)[between(0, 2)]
      sim.instances.push({
        id,
        region,
        publicIp: shape === 'exposed' || shape === 'public-internal' ? `203.0.113.${between(1, 254)}` : null,
        groups: shape === 'exposed' || shape === 'private-open' ? [appGroup.id, openGroup.id] : [appGroup.id],
        tags: tagsFor('case-notes', arn, region),
      })
      const volume = `vol-${hex()}`
      sim.volumes.push({ id: volume, tags: tagsFor('case-notes', ec2Arn(region, 'volume', volume), region) })
    }
    for (let i = between(0, 2); i > 0; i -= 1) {
      const id = `db-${hex()}`
      sim.rds.push({ id, tags: tagsFor('case-notes', `arn:aws:rds:${region}:${accountId}:db:${id}`, region) })
    }
    for (let i = between(0, 4); i > 0; i -= 1) {
      const name = `fn-${hex()}`
      sim.lambdas.push({
        name,
        tags: tagsFor('case-notes', `arn:aws:lambda:${region}:${accountId}:function:${name}`, region),
      })
    }
    if (chance(0.6)) {
      const cluster = `arn:aws:ecs:${region}:${accountId}:cluster/main`
      for (let i = between(1, 3); i > 0; i -= 1) {
        const name = `svc-${hex()}`
        const arn = `arn:aws:ecs:${region}:${accountId}:service/main/${name}`
        const publicIp = chance(0.05)
        if (publicIp) plant('AWS-CMP-04', region, arn)
        sim.ecs.push({ cluster, name, publicIp, tags: tagsFor('case-notes', arn, region) })
      }
    }
    // GuardDuty findings in the workload regions: HIGH ones are findings, MEDIUM ones are filtered out.
    if (sim.detector !== null) {
      if (chance(0.1)) {
        const finding = `f-${hex()}`
        sim.highFindings.push(finding)
        plant('AWS-GD-04', region, `arn:aws:guardduty:${region}:${accountId}:detector/det-${region}/finding/${finding}`)
      }
      for (let i = between(0, 3); i > 0; i -= 1) sim.mediumFindings.push(`f-${hex()}`)
    }
  }
  // A resource left running outside the EU regions: correctly tagged, private, but in the wrong place.
  if (chance(0.08)) {
    const region = (['us-east-1', 'us-west-2', 'ap-southeast-2'] as const)[between(0, 2)] ?? 'us-east-1'
    const sim = regions.get(region)
    const id = `i-${hex()}`
    const arn = ec2Arn(region, 'instance', id)
    plant('AWS-REG-02', region, arn)
    sim?.instances.push({
      id,
      region,
      publicIp: null,
      groups: [sim.groups[0]?.id ?? ''],
      tags: tagsFor('x', arn, region),
    })
  }
  for (const [region, sim] of regions) {
    if (sim.detector === 'DISABLED')
      plant('AWS-GD-02', region, `arn:aws:guardduty:${region}:${accountId}:detector/det-${region}`)
    if (sim.recorder !== 'recording')
      plant(
        'AWS-CFG-02',
        region,
        `arn:aws:config:${region}:${accountId}:configuration-recorder/${sim.recorder === 'stopped' ? 'default' : 'none'}`,
      )
  }

  // Buckets: London mostly; a public one only where the account has no account-level Public Access Block.
  const buckets: SimBucket[] = []
  const publicBucket = chance(0.1)
  for (let i = between(2, 6); i > 0; i -= 1) {
    const name = `bucket-${accountId}-${hex()}`
    const region = chance(0.8) ? 'eu-west-2' : 'eu-west-1'
    const arn = `arn:aws:s3:::${name}`
    const encrypted = !chance(0.08)
    if (!encrypted) plant('AWS-ENC-03', region, arn)
    const tags = tagsFor('case-notes', arn, region)
    buckets.push({ name, region, encrypted, publicAcl: false, tags: Object.keys(tags).length === 0 ? null : tags })
  }
  const first = buckets[0]
  if (publicBucket && first !== undefined) {
    first.publicAcl = true
    plant('AWS-S3W-02', first.region, `arn:aws:s3:::${first.name}`)
  }

  // IAM: people with MFA who use the console, a build user with a key; some idle, some without MFA.
  const csvDate = (date: Date | null) => (date === null ? 'N/A' : date.toISOString().replace('.000Z', '+00:00'))
  const daysAgo = (days: number) => new Date(scannedAt.getTime() - days * DAY)
  const rows: string[] = []
  for (let i = between(3, 8); i > 0; i -= 1) {
    const user = `user-${hex()}`
    const arn = `arn:aws:iam::${accountId}:user/${user}`
    const idle = chance(0.08)
    const noMfa = !idle && chance(0.08)
    if (idle) plant('AWS-IAM-10', GLOBAL, arn)
    if (noMfa) plant('AWS-IAM-11', GLOBAL, arn)
    const lastUsed = daysAgo(idle ? between(31, 200) : between(0, 20))
    rows.push(
      `${user},${arn},${csvDate(daysAgo(400))},true,${csvDate(lastUsed)},${csvDate(daysAgo(90))},N/A,${noMfa ? 'false' : 'true'},false,N/A,N/A,false,N/A,N/A`,
    )
  }
  rows.push(
    `build,arn:aws:iam::${accountId}:user/build,${csvDate(daysAgo(400))},false,N/A,N/A,N/A,false,true,${csvDate(daysAgo(60))},${csvDate(daysAgo(1))},false,N/A,N/A`,
  )
  const rootArn = `arn:aws:iam::${accountId}:root`
  const rootRoll = rnd()
  let rootUsed: Date | null = null
  const rootPasswordChanges: Date[] = []
  if (rootRoll < 0.04) {
    rootUsed = daysAgo(2) // used, not yet rotated, still inside the 7 days
    plant('AWS-IAM-12', GLOBAL, rootArn)
  } else if (rootRoll < 0.08) {
    rootUsed = daysAgo(10) // used and not rotated within 7 days
    plant('AWS-IAM-12', GLOBAL, rootArn)
    plant('AWS-IAM-15', GLOBAL, rootArn)
  } else if (rootRoll < 0.12) {
    rootUsed = daysAgo(10) // used, and the password changed the next day (from CloudTrail): compliant
    rootPasswordChanges.push(daysAgo(9))
  }
  const rootKey = chance(0.04)
  if (rootKey) plant('AWS-IAM-07', GLOBAL, rootArn)
  rows.unshift(
    `<root_account>,${rootArn},${csvDate(daysAgo(2000))},not_supported,${csvDate(rootUsed)},not_supported,not_supported,true,${rootKey ? 'true' : 'false'},${rootKey ? csvDate(daysAgo(500)) : 'N/A'},N/A,false,N/A,N/A`,
  )
  const report = [
    'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date',
    ...rows,
  ].join('\n')

  // CloudTrail: an organisation trail delivering to Cyber Security; sometimes stopped, sometimes to the wrong bucket.
  const trailRoll = rnd()
  const trail = {
    logging: trailRoll >= 0.06,
    bucket: trailRoll >= 0.06 && trailRoll < 0.1 ? `local-trail-${accountId}` : SECURITY_BUCKET,
  }
  if (!trail.logging) plant('AWS-CT-02', GLOBAL, `arn:aws:cloudtrail::${accountId}:trail/*`)
  if (!trail.logging || trail.bucket !== SECURITY_BUCKET)
    plant('AWS-CT-03', GLOBAL, `arn:aws:cloudtrail::${accountId}:trail/*`)

  const contactRoll = rnd()
  const contact: Contact | null =
    contactRoll < 0.05
      ? null
      : {
          name: 'Operational Security Team',
          title: 'Mx',
          email: contactRoll < 0.08 ? 'it-helpdesk@example.com' : 'OperationalSecurityTeam@justice.gov.uk',
        }
  if (contactRoll < 0.08) plant('AWS-CONTACT-01', GLOBAL, `arn:aws:account::${accountId}:alternate-contact/SECURITY`)

  return { regions, buckets, accountBlock: !publicBucket, report, rootPasswordChanges, trail, contact, seeded }
}

type Data = ReturnType<typeof generate>

/** The simulated AWS answer to one call, or a thrown SDK error; keyed by `service:Command`. */
function answer(data: Data, accountId: string, region: string, api: string, input: Record<string, unknown>): unknown {
  const sim = data.regions.get(region)
  const bucket = () => {
    const found = data.buckets.find(b => b.name === input.Bucket)
    if (found === undefined) throw awsError('NoSuchBucket')
    return found
  }
  const needRegion = () => {
    if (sim === undefined) throw awsError('UnrecognizedClientException', `${region} is not enabled`)
    return sim
  }
  const fullBlock = {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  }
  switch (api) {
    case 'account:ListRegions':
      return { Regions: REGIONS.map(RegionName => ({ RegionName, RegionOptStatus: 'ENABLED_BY_DEFAULT' })) }
    case 'account:GetAlternateContact':
      if (data.contact === null) throw awsError('ResourceNotFoundException')
      return {
        AlternateContact: {
          AlternateContactType: 'SECURITY',
          Name: data.contact.name,
          Title: data.contact.title,
          EmailAddress: data.contact.email,
        },
      }
    case 'iam:GenerateCredentialReport':
      return { State: 'COMPLETE' }
    case 'iam:GetCredentialReport':
      return { Content: Buffer.from(data.report), ReportFormat: 'text/csv' }
    case 's3control:GetPublicAccessBlock':
      if (!data.accountBlock) throw awsError('NoSuchPublicAccessBlockConfiguration')
      return { PublicAccessBlockConfiguration: fullBlock }
    case 's3:ListBuckets':
      return { Buckets: data.buckets.map(b => ({ Name: b.name, BucketRegion: b.region })) }
    case 's3:GetPublicAccessBlock':
      if (bucket().publicAcl) throw awsError('NoSuchPublicAccessBlockConfiguration')
      return { PublicAccessBlockConfiguration: fullBlock }
    case 's3:GetBucketPolicyStatus':
      bucket()
      throw awsError('NoSuchBucketPolicy')
    case 's3:GetBucketAcl':
      return {
        Owner: { ID: 'owner' },
        Grants: [
          { Grantee: { Type: 'CanonicalUser', ID: 'owner' }, Permission: 'FULL_CONTROL' },
          ...(bucket().publicAcl
            ? [
                {
                  Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
                  Permission: 'READ',
                },
              ]
            : []),
        ],
      }
    case 's3:GetBucketEncryption':
      if (!bucket().encrypted) throw awsError('ServerSideEncryptionConfigurationNotFoundError')
      return {
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      }
    case 's3:GetBucketTagging': {
      const { tags } = bucket()
      if (tags === null) throw awsError('NoSuchTagSet')
      return { TagSet: tagList(tags) }
    }
    case 'cloudtrail:DescribeTrails':
      return {
        trailList: [
          {
            Name: 'organisation-trail',
            TrailARN: `arn:aws:cloudtrail:eu-west-2:${accountId}:trail/organisation-trail`,
            HomeRegion: 'eu-west-2',
            IsMultiRegionTrail: true,
            S3BucketName: data.trail.bucket,
          },
        ],
      }
    case 'cloudtrail:GetTrailStatus':
      return { IsLogging: data.trail.logging }
    case 'cloudtrail:GetEventSelectors':
      return { EventSelectors: [{ IncludeManagementEvents: true, ReadWriteType: 'All' }] }
    case 'cloudtrail:LookupEvents':
      return {
        Events: data.rootPasswordChanges.map(at => ({
          EventName: 'PasswordUpdated',
          EventTime: at,
          CloudTrailEvent: JSON.stringify({ userIdentity: { type: 'Root' }, eventName: 'PasswordUpdated' }),
        })),
      }
    case 'guardduty:ListDetectors':
      return { DetectorIds: needRegion().detector === null ? [] : [`det-${region}`] }
    case 'guardduty:GetDetector':
      return { Status: needRegion().detector }
    case 'guardduty:ListFindings': {
      const min = (input.FindingCriteria as { Criterion?: { severity?: { GreaterThanOrEqual?: number } } } | undefined)
        ?.Criterion?.severity?.GreaterThanOrEqual
      const medium = min === undefined || min <= 5 ? needRegion().mediumFindings : []
      return { FindingIds: [...needRegion().highFindings, ...medium] }
    }
    case 'guardduty:GetFindings':
      return {
        Findings: ((input.FindingIds as string[] | undefined) ?? []).map(Id => ({
          Id,
          Type: 'Backdoor:EC2/C&CActivity.B',
          Severity: needRegion().highFindings.includes(Id) ? 8 : 5,
          Title: 'EC2 instance is querying a known command and control server',
          Resource: { ResourceType: 'Instance' },
        })),
      }
    case 'config:DescribeConfigurationRecorders':
      return {
        ConfigurationRecorders: [
          ...(needRegion().recorder === 'service-linked-only' ? [] : [{ name: 'default' }]),
          ...(needRegion().recorder === 'service-linked-only'
            ? [{ name: 'AWSConfigurationRecorderForSecurityHub', servicePrincipal: 'securityhub.amazonaws.com' }]
            : []),
        ],
      }
    case 'config:DescribeConfigurationRecorderStatus':
      return {
        ConfigurationRecordersStatus: [
          needRegion().recorder === 'service-linked-only'
            ? { name: 'AWSConfigurationRecorderForSecurityHub', recording: true }
            : { name: 'default', recording: needRegion().recorder === 'recording' },
        ],
      }
    case 'config:DescribeDeliveryChannels':
      return { DeliveryChannels: [{ name: 'default', s3BucketName: `config-${accountId}` }] }
    case 'securityhub:DescribeHub':
      if (!needRegion().securityHub)
        throw awsError('InvalidAccessException', 'Account is not subscribed to AWS Security Hub')
      return { HubArn: `arn:aws:securityhub:${region}:${accountId}:hub/default` }
    case 'ec2:DescribeInstances':
      return {
        Reservations: needRegion().instances.map(instance => ({
          Instances: [
            {
              InstanceId: instance.id,
              State: { Name: 'running' },
              ...(instance.publicIp === null ? {} : { PublicIpAddress: instance.publicIp }),
              SecurityGroups: instance.groups.map(GroupId => ({ GroupId })),
              Tags: tagList(instance.tags),
            },
          ],
        })),
      }
    case 'ec2:DescribeSecurityGroups':
      return {
        SecurityGroups: needRegion().groups.map(group => ({
          GroupId: group.id,
          GroupName: group.name,
          Tags: tagList(group.tags),
        })),
      }
    case 'ec2:DescribeSecurityGroupRules':
      return {
        SecurityGroupRules: needRegion().groups.flatMap(group => [
          ...group.ingress.map(rule => ({
            SecurityGroupRuleId: rule.id,
            GroupId: group.id,
            IsEgress: false,
            IpProtocol: rule.port === -1 ? '-1' : 'tcp',
            FromPort: rule.port,
            ToPort: rule.port,
            ...(rule.cidr === null ? {} : { CidrIpv4: rule.cidr }),
            ...(rule.cidr6 === undefined ? {} : { CidrIpv6: rule.cidr6 }),
            ...(rule.cidr === null && rule.cidr6 === undefined ? { ReferencedGroupInfo: { GroupId: group.id } } : {}),
          })),
          {
            SecurityGroupRuleId: `${group.id}-egress`,
            GroupId: group.id,
            IsEgress: true,
            IpProtocol: '-1',
            CidrIpv4: '0.0.0.0/0',
          },
        ]),
      }
    case 'ec2:DescribeVolumes':
      return { Volumes: needRegion().volumes.map(volume => ({ VolumeId: volume.id, Tags: tagList(volume.tags) })) }
    case 'rds:DescribeDBInstances':
      return {
        DBInstances: needRegion().rds.map(db => ({
          DBInstanceIdentifier: db.id,
          DBInstanceArn: `arn:aws:rds:${region}:${accountId}:db:${db.id}`,
          TagList: tagList(db.tags),
        })),
      }
    case 'lambda:ListFunctions':
      return {
        Functions: needRegion().lambdas.map(fn => ({
          FunctionName: fn.name,
          FunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${fn.name}`,
        })),
      }
    case 'lambda:ListTags': {
      const name = String(input.Resource).split(':').at(-1)
      return { Tags: needRegion().lambdas.find(fn => fn.name === name)?.tags ?? {} }
    }
    case 'ecs:ListClusters':
      return { clusterArns: [...new Set(needRegion().ecs.map(service => service.cluster))] }
    case 'ecs:ListServices':
      return {
        serviceArns: needRegion()
          .ecs.filter(service => service.cluster === input.cluster)
          .map(service => `arn:aws:ecs:${region}:${accountId}:service/main/${service.name}`),
      }
    case 'ecs:DescribeServices':
      return {
        services: ((input.services as string[] | undefined) ?? []).map(arn => {
          const service = needRegion().ecs.find(s => arn.endsWith(`/${s.name}`))
          return {
            serviceArn: arn,
            serviceName: service?.name,
            networkConfiguration: {
              awsvpcConfiguration: { assignPublicIp: service?.publicIp === true ? 'ENABLED' : 'DISABLED' },
            },
            tags: Object.entries(service?.tags ?? {}).map(([key, value]) => ({ key, value })),
          }
        }),
      }
    default:
      throw new Error(`the simulated AWS does not answer ${api}`)
  }
}

/**
 * AWS's own throttle for one (account, region, API): a token bucket holding one call, refilled at the budget's rate
 * times the headroom. Calls the budget spaces correctly pass; calls whose arrival the network jitter bunched up
 * closer than AWS allows are throttled, as they would be.
 */
function throttle(rate: number, now: () => number): () => boolean {
  if (rate === Infinity) return () => true
  let tokens = 1
  let last = now()
  return () => {
    const t = now()
    tokens = Math.min(1, tokens + ((t - last) * rate) / 1000)
    last = t
    if (tokens < 1) return false
    tokens -= 1
    return true
  }
}

const delay = (ms: number) =>
  new Promise<void>(resolve => {
    setTimeout(resolve, Math.max(0, ms))
  })

/** A simulated account: its clients answer from data generated for `index` with the given network behaviour. */
export function simulatedAccount(props: {
  seed: number
  index: number
  scannedAt: Date
  network: NetworkOptions
}): SimulatedAccount {
  const accountId = String(100_000_000_000 + props.index)
  const data = generate(props.seed, props.index, accountId, props.scannedAt)
  const { network } = props
  const jitter = random(props.seed * 7919 + props.index + 1)
  const answered = new Map<string, number>()
  const throttled = { count: 0 }
  const buckets = new Map<string, () => boolean>()
  const client = (service: string, region: string) => ({
    async send(command: { input?: unknown }) {
      const api = `${service}:${command.constructor.name.replace(/Command$/, '')}`
      const lane = `${region}|${api}`
      // The way in: up to twice the jitter, so arrivals shift against the budget's spacing.
      const uplink = jitter() * 2 * network.jitterMs
      await delay(uplink)
      let allowed = buckets.get(lane)
      if (allowed === undefined) {
        allowed = throttle(network.rateFor(api).perSecond * network.headroom, network.now)
        buckets.set(lane, allowed)
      }
      const admitted = allowed()
      await delay(network.latencyMs - network.jitterMs)
      if (!admitted) {
        throttled.count += 1
        throw awsError('ThrottlingException', 'Rate exceeded')
      }
      answered.set(lane, (answered.get(lane) ?? 0) + 1)
      return answer(data, accountId, region, api, (command.input ?? {}) as Record<string, unknown>)
    },
  })
  const cast = <T>(service: string, region: string) => client(service, region) as unknown as T
  const cache = new Map<string, unknown>()
  const made = <T>(service: string, region: string): T => {
    const key = `${service}:${region}`
    if (!cache.has(key)) cache.set(key, cast<T>(service, region))
    return cache.get(key) as T
  }
  const clients: AwsClients = {
    guardDuty: region => made<GuardDutyClient>('guardduty', region),
    cloudTrail: region => made<CloudTrailClient>('cloudtrail', region),
    config: region => made<ConfigServiceClient>('config', region),
    securityHub: region => made<SecurityHubClient>('securityhub', region),
    ec2: region => made<EC2Client>('ec2', region),
    ecs: region => made<ECSClient>('ecs', region),
    rds: region => made<RDSClient>('rds', region),
    lambda: region => made<LambdaClient>('lambda', region),
    s3: region => made<S3Client>('s3', region),
    s3Control: () => made<S3ControlClient>('s3control', GLOBAL_REGION),
    iam: () => made<IAMClient>('iam', GLOBAL_REGION),
    account: () => made<AccountClient>('account', GLOBAL_REGION),
  }
  return { accountId, clients, seeded: data.seeded, answered, throttled }
}

/** The violation keys a simulated account must be reported with. */
export const seededKeys = (account: Pick<SimulatedAccount, 'accountId' | 'seeded'>): Set<string> =>
  new Set(account.seeded.map(s => violationKey({ ...s, accountId: account.accountId })))
