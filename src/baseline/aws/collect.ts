import { GetAlternateContactCommand, ListRegionsCommand } from '@aws-sdk/client-account'
import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail'
import {
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
  DescribeDeliveryChannelsCommand,
} from '@aws-sdk/client-config-service'
import {
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVolumesCommand,
  type Tag as Ec2Tag,
} from '@aws-sdk/client-ec2'
import { DescribeServicesCommand, ListClustersCommand, ListServicesCommand } from '@aws-sdk/client-ecs'
import {
  GetDetectorCommand,
  GetFindingsCommand,
  ListDetectorsCommand,
  ListFindingsCommand,
} from '@aws-sdk/client-guardduty'
import { GenerateCredentialReportCommand, GetCredentialReportCommand } from '@aws-sdk/client-iam'
import { ListFunctionsCommand, ListTagsCommand } from '@aws-sdk/client-lambda'
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds'
import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand as GetBucketPublicAccessBlockCommand,
  ListBucketsCommand,
} from '@aws-sdk/client-s3'
import { GetPublicAccessBlockCommand } from '@aws-sdk/client-s3-control'
import { DescribeHubCommand } from '@aws-sdk/client-securityhub'
import { parseCredentialReport } from './credential-report.ts'
import { REAL_CLOCK, type Budget } from './budget.ts'
import { GLOBAL_REGION, type AwsClients } from './clients.ts'
import {
  seen,
  unseen,
  type AccountSnapshot,
  type Bucket,
  type Contact,
  type Detector,
  type EcsService,
  type GuardDutyFinding,
  type Instance,
  type InventoryResource,
  type Observed,
  type PublicAccessBlock,
  type RegionSnapshot,
  type SecurityGroup,
  type Trail,
} from '../snapshot.ts'

/** What collecting one account needs. */
export interface CollectDeps {
  readonly clients: AwsClients
  readonly budget: Budget
  readonly now: () => Date
  /** The Authority's home region, where region discovery falls back to EC2 DescribeRegions. */
  readonly homeRegion?: string
  /** Waits between credential-report polls; injectable so tests do not wait. */
  readonly sleep?: (ms: number) => Promise<void>
  /** The lowest GuardDuty severity collected as a finding (the catalogue's HIGH, 7.0). */
  readonly guardDutyMinSeverity: number
}

/** An SDK error in one line: its name and message, which is what a scan's unobserved part records. */
export const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : String(error)

/** Runs a read and wraps its result: any error leaves that part unobserved instead of failing the scan. */
async function observe<T>(read: () => Promise<T>): Promise<Observed<T>> {
  try {
    return seen(await read())
  } catch (error) {
    return unseen(describeError(error))
  }
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : '')

/** Follows NextToken pagination to the end. */
async function allPages<P, T>(
  fetch: (token: string | undefined) => Promise<{ items: readonly T[]; next: string | undefined; page?: P }>,
): Promise<T[]> {
  const items: T[] = []
  let token: string | undefined
  do {
    const page = await fetch(token)
    items.push(...page.items)
    token = page.next
  } while (token !== undefined && token !== '')
  return items
}

const tagMap = (tags: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> | undefined) =>
  Object.fromEntries((tags ?? []).flatMap(tag => (tag.Key === undefined ? [] : [[tag.Key, tag.Value ?? '']])))

/** Collects one account across its enabled regions. Parts that fail are recorded as unobserved, never thrown. */
export async function collectAccount(deps: CollectDeps, accountId: string): Promise<AccountSnapshot> {
  const collectedAt = deps.now()
  const call = <T>(api: string, region: string, run: () => Promise<T>) =>
    deps.budget.call(api, `${accountId}|${region}`, run)
  const regions = await enabledRegions(deps, call)
  // Everything after region discovery is independent: the budget's lanes, not the order of awaits, pace the calls.
  const bucketsRead = observe(() => collectBuckets(deps, call))
  const bucketResources = async (region: string): Promise<{ resources: InventoryResource[]; observed: boolean }> => {
    const buckets = await bucketsRead
    return {
      observed: buckets.observed,
      resources: buckets.observed
        ? buckets.value
            .filter(bucket => bucket.region === region)
            .map(bucket => ({
              arn: bucket.arn,
              type: 'AWS::S3::Bucket' as const,
              id: bucket.name,
              region,
              tags: bucket.tags,
              managedByAws: false,
            }))
        : [],
    }
  }
  const [
    regionSnapshots,
    trails,
    credentialReport,
    rootPasswordChanges,
    securityContact,
    accountPublicAccessBlock,
    buckets,
  ] = await Promise.all([
    Promise.all(regions.map(region => collectRegion(deps, call, accountId, region, bucketResources(region)))),
    observe(() => collectTrails(deps, call, regions)),
    observe(() => collectCredentialReport(deps, call)),
    observe(() => collectRootPasswordChanges(deps, call)),
    observe(() => collectSecurityContact(deps, call)),
    observe(() => collectAccountPublicAccessBlock(deps, call, accountId)),
    bucketsRead,
  ])
  return {
    accountId,
    collectedAt,
    regions: regionSnapshots,
    trails,
    credentialReport,
    rootPasswordChanges,
    securityContact,
    accountPublicAccessBlock,
    buckets: buckets.observed ? seen(buckets.value.map(({ tags: _tags, ...bucket }) => bucket)) : buckets,
  }
}

type Call = <T>(api: string, region: string, run: () => Promise<T>) => Promise<T>

/** Every region enabled for the account: Account ListRegions, or EC2 DescribeRegions where that is not allowed. */
async function enabledRegions(deps: CollectDeps, call: Call): Promise<string[]> {
  try {
    const regions = await allPages(async token => {
      const page = await call('account:ListRegions', GLOBAL_REGION, () =>
        deps.clients
          .account()
          .send(
            new ListRegionsCommand({ RegionOptStatusContains: ['ENABLED', 'ENABLED_BY_DEFAULT'], NextToken: token }),
          ),
      )
      return { items: page.Regions ?? [], next: page.NextToken }
    })
    return regions.flatMap(region => (region.RegionName === undefined ? [] : [region.RegionName])).sort()
  } catch {
    const home = deps.homeRegion ?? 'eu-west-2'
    const page = await call('ec2:DescribeRegions', home, () =>
      deps.clients.ec2(home).send(new DescribeRegionsCommand({ AllRegions: false })),
    )
    return (page.Regions ?? []).flatMap(region => (region.RegionName === undefined ? [] : [region.RegionName])).sort()
  }
}

/** Why a region's inventory is incomplete, or null when every listing behind it was read. */
function inventoryGap(failed: Observed<unknown> | undefined, bucketsObserved: boolean): string | null {
  if (failed !== undefined && !failed.observed) return failed.error
  return bucketsObserved ? null : 'S3 buckets could not be listed'
}

/** The region's inventory: observed only when every listing behind it was, since a gap would hide resources. */
const inventory = (
  error: string | null,
  resources: () => InventoryResource[],
): Observed<readonly InventoryResource[]> => (error === null ? seen(resources()) : unseen(error))

async function collectRegion(
  deps: CollectDeps,
  call: Call,
  accountId: string,
  region: string,
  bucketsRead: Promise<{ resources: InventoryResource[]; observed: boolean }>,
): Promise<RegionSnapshot> {
  const [guardDuty, config, securityHubEnabled, instances, securityGroups, ecs, volumes, rds, lambda] =
    await Promise.all([
      observe(() => collectGuardDuty(deps, call, region)),
      observe(() => collectConfig(deps, call, region)),
      observe(() => collectSecurityHub(deps, call, region)),
      observe(() => collectInstances(deps, call, accountId, region)),
      observe(() => collectSecurityGroups(deps, call, accountId, region)),
      observe(() => collectEcsServices(deps, call, region)),
      observe(() => collectVolumes(deps, call, accountId, region)),
      observe(() => collectRdsInstances(deps, call, region)),
      observe(() => collectLambdaFunctions(deps, call, region)),
    ])
  const { resources: buckets, observed: bucketsObserved } = await bucketsRead
  const parts = [instances, securityGroups, ecs, volumes, rds, lambda] as const
  const failed = parts.find(part => !part.observed)
  const resources = inventory(inventoryGap(failed, bucketsObserved), () => [
    ...(instances.observed ? instances.value.resources : []),
    ...(securityGroups.observed ? securityGroups.value.resources : []),
    ...(ecs.observed ? ecs.value.resources : []),
    ...(volumes.observed ? volumes.value : []),
    ...(rds.observed ? rds.value : []),
    ...(lambda.observed ? lambda.value : []),
    ...buckets,
  ])
  const map = <T, U>(part: Observed<T>, pick: (value: T) => U): Observed<U> =>
    part.observed ? seen(pick(part.value)) : part
  return {
    region,
    guardDuty,
    config,
    securityHubEnabled,
    resources,
    instances: map(instances, value => value.instances),
    securityGroups: map(securityGroups, value => value.groups),
    ecsServices: map(ecs, value => value.services),
  }
}

async function collectGuardDuty(
  deps: CollectDeps,
  call: Call,
  region: string,
): Promise<{ detectors: Detector[]; findings: GuardDutyFinding[] }> {
  const client = deps.clients.guardDuty(region)
  const ids = await allPages(async token => {
    const page = await call('guardduty:ListDetectors', region, () =>
      client.send(new ListDetectorsCommand({ NextToken: token })),
    )
    return { items: page.DetectorIds ?? [], next: page.NextToken }
  })
  const detectors: Detector[] = []
  const findings: GuardDutyFinding[] = []
  for (const id of ids) {
    const detector = await call('guardduty:GetDetector', region, () =>
      client.send(new GetDetectorCommand({ DetectorId: id })),
    )
    detectors.push({ id, status: detector.Status === 'ENABLED' ? 'ENABLED' : 'DISABLED' })
    const findingIds = await allPages(async token => {
      const page = await call('guardduty:ListFindings', region, () =>
        client.send(
          new ListFindingsCommand({
            DetectorId: id,
            FindingCriteria: {
              Criterion: {
                severity: { GreaterThanOrEqual: deps.guardDutyMinSeverity },
                'service.archived': { Equals: ['false'] },
              },
            },
            NextToken: token,
          }),
        ),
      )
      return { items: page.FindingIds ?? [], next: page.NextToken }
    })
    // GetFindings takes at most 50 IDs at a time.
    for (let start = 0; start < findingIds.length; start += 50) {
      const batch = findingIds.slice(start, start + 50)
      const page = await call('guardduty:GetFindings', region, () =>
        client.send(new GetFindingsCommand({ DetectorId: id, FindingIds: batch })),
      )
      for (const finding of page.Findings ?? [])
        findings.push({
          id: finding.Id ?? '',
          type: finding.Type ?? '',
          severity: finding.Severity ?? 0,
          title: finding.Title ?? finding.Type ?? '',
          ...(finding.Resource?.ResourceType === undefined ? {} : { resourceArn: finding.Resource.ResourceType }),
        })
    }
  }
  return { detectors, findings }
}

async function collectConfig(deps: CollectDeps, call: Call, region: string) {
  const client = deps.clients.config(region)
  const [recorders, statuses, channels] = await Promise.all([
    call('config:DescribeConfigurationRecorders', region, () =>
      client.send(new DescribeConfigurationRecordersCommand({})),
    ),
    call('config:DescribeConfigurationRecorderStatus', region, () =>
      client.send(new DescribeConfigurationRecorderStatusCommand({})),
    ),
    call('config:DescribeDeliveryChannels', region, () => client.send(new DescribeDeliveryChannelsCommand({}))),
  ])
  const recording = new Map(
    (statuses.ConfigurationRecordersStatus ?? []).map(status => [status.name, status.recording]),
  )
  return {
    recorders: (recorders.ConfigurationRecorders ?? []).map(recorder => ({
      name: recorder.name ?? 'default',
      recording: recording.get(recorder.name) === true,
      servicePrincipal: recorder.servicePrincipal ?? null,
    })),
    deliveryChannels: (channels.DeliveryChannels ?? []).map(channel => ({
      name: channel.name ?? 'default',
      s3BucketName: channel.s3BucketName ?? null,
    })),
  }
}

/** Security Hub answers DescribeHub with InvalidAccessException when the account is not subscribed in the region. */
async function collectSecurityHub(deps: CollectDeps, call: Call, region: string): Promise<boolean> {
  try {
    await call('securityhub:DescribeHub', region, () =>
      deps.clients.securityHub(region).send(new DescribeHubCommand({})),
    )
    return true
  } catch (error) {
    if (errorName(error) === 'InvalidAccessException' || errorName(error) === 'ResourceNotFoundException') return false
    throw error
  }
}

const ec2Tags = (tags: Ec2Tag[] | undefined) => tagMap(tags)

async function collectInstances(deps: CollectDeps, call: Call, accountId: string, region: string) {
  const client = deps.clients.ec2(region)
  const reservations = await allPages(async token => {
    const page = await call('ec2:DescribeInstances', region, () =>
      client.send(new DescribeInstancesCommand({ NextToken: token, MaxResults: 1000 })),
    )
    return { items: page.Reservations ?? [], next: page.NextToken }
  })
  const raw = reservations.flatMap(reservation => reservation.Instances ?? [])
  const instances: Instance[] = raw.map(instance => ({
    id: instance.InstanceId ?? '',
    arn: `arn:aws:ec2:${region}:${accountId}:instance/${instance.InstanceId ?? ''}`,
    state: instance.State?.Name ?? 'unknown',
    publicIp: instance.PublicIpAddress ?? null,
    securityGroupIds: (instance.SecurityGroups ?? []).flatMap(group =>
      group.GroupId === undefined ? [] : [group.GroupId],
    ),
  }))
  const resources: InventoryResource[] = raw
    .filter(instance => instance.State?.Name !== 'terminated')
    .map(instance => ({
      arn: `arn:aws:ec2:${region}:${accountId}:instance/${instance.InstanceId ?? ''}`,
      type: 'AWS::EC2::Instance',
      id: instance.InstanceId ?? '',
      region,
      tags: ec2Tags(instance.Tags),
      managedByAws: false,
    }))
  return { instances: instances.filter(instance => instance.state !== 'terminated'), resources }
}

async function collectSecurityGroups(deps: CollectDeps, call: Call, accountId: string, region: string) {
  const client = deps.clients.ec2(region)
  const groups = await allPages(async token => {
    const page = await call('ec2:DescribeSecurityGroups', region, () =>
      client.send(new DescribeSecurityGroupsCommand({ NextToken: token, MaxResults: 1000 })),
    )
    return { items: page.SecurityGroups ?? [], next: page.NextToken }
  })
  const rules = await allPages(async token => {
    const page = await call('ec2:DescribeSecurityGroupRules', region, () =>
      client.send(new DescribeSecurityGroupRulesCommand({ NextToken: token, MaxResults: 1000 })),
    )
    return { items: page.SecurityGroupRules ?? [], next: page.NextToken }
  })
  const arnOf = (id: string) => `arn:aws:ec2:${region}:${accountId}:security-group/${id}`
  const result: SecurityGroup[] = groups.map(group => ({
    id: group.GroupId ?? '',
    arn: arnOf(group.GroupId ?? ''),
    ingress: rules
      .filter(rule => rule.GroupId === group.GroupId && rule.IsEgress !== true)
      .map(rule => ({
        ruleId: rule.SecurityGroupRuleId ?? '',
        protocol: rule.IpProtocol ?? '-1',
        fromPort: rule.FromPort ?? null,
        toPort: rule.ToPort ?? null,
        cidrIpv4: rule.CidrIpv4 ?? null,
        cidrIpv6: rule.CidrIpv6 ?? null,
      })),
  }))
  const resources: InventoryResource[] = groups.map(group => ({
    arn: arnOf(group.GroupId ?? ''),
    type: 'AWS::EC2::SecurityGroup',
    id: group.GroupId ?? '',
    region,
    tags: ec2Tags(group.Tags),
    // Each VPC's `default` group is made by AWS and cannot be deleted.
    managedByAws: group.GroupName === 'default',
  }))
  return { groups: result, resources }
}

async function collectVolumes(deps: CollectDeps, call: Call, accountId: string, region: string) {
  const volumes = await allPages(async token => {
    const page = await call('ec2:DescribeVolumes', region, () =>
      deps.clients.ec2(region).send(new DescribeVolumesCommand({ NextToken: token, MaxResults: 500 })),
    )
    return { items: page.Volumes ?? [], next: page.NextToken }
  })
  return volumes.map((volume): InventoryResource => ({
    arn: `arn:aws:ec2:${region}:${accountId}:volume/${volume.VolumeId ?? ''}`,
    type: 'AWS::EC2::Volume',
    id: volume.VolumeId ?? '',
    region,
    tags: ec2Tags(volume.Tags),
    managedByAws: false,
  }))
}

async function collectRdsInstances(deps: CollectDeps, call: Call, region: string) {
  const instances = await allPages(async token => {
    const page = await call('rds:DescribeDBInstances', region, () =>
      deps.clients.rds(region).send(new DescribeDBInstancesCommand({ Marker: token })),
    )
    return { items: page.DBInstances ?? [], next: page.Marker }
  })
  return instances.map((instance): InventoryResource => ({
    arn: instance.DBInstanceArn ?? '',
    type: 'AWS::RDS::DBInstance',
    id: instance.DBInstanceIdentifier ?? '',
    region,
    tags: tagMap(instance.TagList),
    managedByAws: false,
  }))
}

async function collectLambdaFunctions(deps: CollectDeps, call: Call, region: string) {
  const client = deps.clients.lambda(region)
  const functions = await allPages(async token => {
    const page = await call('lambda:ListFunctions', region, () =>
      client.send(new ListFunctionsCommand({ Marker: token })),
    )
    return { items: page.Functions ?? [], next: page.NextMarker }
  })
  const resources: InventoryResource[] = []
  for (const fn of functions) {
    const arn = fn.FunctionArn ?? ''
    const tags = await call('lambda:ListTags', region, () => client.send(new ListTagsCommand({ Resource: arn })))
    resources.push({
      arn,
      type: 'AWS::Lambda::Function',
      id: fn.FunctionName ?? '',
      region,
      tags: tags.Tags ?? {},
      managedByAws: false,
    })
  }
  return resources
}

async function collectEcsServices(deps: CollectDeps, call: Call, region: string) {
  const client = deps.clients.ecs(region)
  const clusters = await allPages(async token => {
    const page = await call('ecs:ListClusters', region, () =>
      client.send(new ListClustersCommand({ nextToken: token })),
    )
    return { items: page.clusterArns ?? [], next: page.nextToken }
  })
  const services: EcsService[] = []
  const resources: InventoryResource[] = []
  for (const cluster of clusters) {
    const arns = await allPages(async token => {
      const page = await call('ecs:ListServices', region, () =>
        client.send(new ListServicesCommand({ cluster, nextToken: token })),
      )
      return { items: page.serviceArns ?? [], next: page.nextToken }
    })
    // DescribeServices takes at most 10 services at a time.
    for (let start = 0; start < arns.length; start += 10) {
      const page = await call('ecs:DescribeServices', region, () =>
        client.send(
          new DescribeServicesCommand({ cluster, services: arns.slice(start, start + 10), include: ['TAGS'] }),
        ),
      )
      for (const service of page.services ?? []) {
        const arn = service.serviceArn ?? ''
        services.push({
          arn,
          assignPublicIp: service.networkConfiguration?.awsvpcConfiguration?.assignPublicIp === 'ENABLED',
        })
        resources.push({
          arn,
          type: 'AWS::ECS::Service',
          id: service.serviceName ?? arn,
          region,
          tags: Object.fromEntries((service.tags ?? []).map(tag => [tag.key ?? '', tag.value ?? ''])),
          managedByAws: false,
        })
      }
    }
  }
  return { services, resources }
}

/**
 * Trails from DescribeTrails with shadow trails, de-duplicated by ARN; each trail's status and event selectors are
 * read from its home region, where CloudTrail answers for it.
 */
async function collectTrails(deps: CollectDeps, call: Call, regions: readonly string[]): Promise<Trail[]> {
  const byArn = new Map<string, Trail>()
  const region = regions.includes(deps.homeRegion ?? 'eu-west-2')
    ? (deps.homeRegion ?? 'eu-west-2')
    : (regions[0] ?? GLOBAL_REGION)
  const listed = await call('cloudtrail:DescribeTrails', region, () =>
    deps.clients.cloudTrail(region).send(new DescribeTrailsCommand({ includeShadowTrails: true })),
  )
  for (const trail of listed.trailList ?? []) {
    const arn = trail.TrailARN ?? ''
    if (byArn.has(arn)) continue
    const home = trail.HomeRegion ?? region
    const client = deps.clients.cloudTrail(home)
    const status = await call('cloudtrail:GetTrailStatus', home, () =>
      client.send(new GetTrailStatusCommand({ Name: arn })),
    )
    const selectors = await call('cloudtrail:GetEventSelectors', home, () =>
      client.send(new GetEventSelectorsCommand({ TrailName: arn })),
    )
    const management =
      (selectors.EventSelectors ?? []).some(
        selector => selector.IncludeManagementEvents !== false && (selector.ReadWriteType ?? 'All') === 'All',
      ) ||
      (selectors.AdvancedEventSelectors ?? []).some(selector =>
        (selector.FieldSelectors ?? []).some(
          field => field.Field === 'eventCategory' && (field.Equals ?? []).includes('Management'),
        ),
      )
    byArn.set(arn, {
      name: trail.Name ?? arn,
      arn,
      homeRegion: home,
      isMultiRegion: trail.IsMultiRegionTrail === true,
      isLogging: status.IsLogging === true,
      includesManagementEvents: management,
      s3BucketName: trail.S3BucketName ?? null,
      latestDeliveryError:
        status.LatestDeliveryError === undefined || status.LatestDeliveryError === ''
          ? null
          : status.LatestDeliveryError,
    })
  }
  return [...byArn.values()]
}

/** The credential report: generated (and polled until complete), then read and parsed. */
async function collectCredentialReport(deps: CollectDeps, call: Call) {
  const iam = deps.clients.iam()
  const sleep = deps.sleep ?? REAL_CLOCK.sleep
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const generated = await call('iam:GenerateCredentialReport', GLOBAL_REGION, () =>
      iam.send(new GenerateCredentialReportCommand({})),
    )
    if (generated.State === 'COMPLETE') break
    await sleep(2000)
  }
  const report = await call('iam:GetCredentialReport', GLOBAL_REGION, () =>
    iam.send(new GetCredentialReportCommand({})),
  )
  if (report.Content === undefined) throw new Error('GetCredentialReport returned no content')
  return parseCredentialReport(Buffer.from(report.Content).toString('utf8'))
}

/**
 * Root password changes: the credential report says `not_supported` for root's password_last_changed, so they come
 * from CloudTrail `PasswordUpdated` events by the root identity, which are recorded in us-east-1.
 */
async function collectRootPasswordChanges(deps: CollectDeps, call: Call): Promise<Date[]> {
  const client = deps.clients.cloudTrail(GLOBAL_REGION)
  const events = await allPages(async token => {
    const page = await call('cloudtrail:LookupEvents', GLOBAL_REGION, () =>
      client.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'PasswordUpdated' }],
          NextToken: token,
        }),
      ),
    )
    return { items: page.Events ?? [], next: page.NextToken }
  })
  return events
    .filter(event => {
      try {
        const detail = JSON.parse(event.CloudTrailEvent ?? '{}') as { userIdentity?: { type?: string } }
        return detail.userIdentity?.type === 'Root'
      } catch {
        return false
      }
    })
    .flatMap(event => (event.EventTime === undefined ? [] : [event.EventTime]))
}

async function collectSecurityContact(deps: CollectDeps, call: Call): Promise<Contact | null> {
  try {
    const found = await call('account:GetAlternateContact', GLOBAL_REGION, () =>
      deps.clients.account().send(new GetAlternateContactCommand({ AlternateContactType: 'SECURITY' })),
    )
    const contact = found.AlternateContact
    return { name: contact?.Name ?? '', title: contact?.Title ?? '', email: contact?.EmailAddress ?? '' }
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return null
    throw error
  }
}

const toBlock = (config: {
  BlockPublicAcls?: boolean | undefined
  IgnorePublicAcls?: boolean | undefined
  BlockPublicPolicy?: boolean | undefined
  RestrictPublicBuckets?: boolean | undefined
}): PublicAccessBlock => ({
  blockPublicAcls: config.BlockPublicAcls === true,
  ignorePublicAcls: config.IgnorePublicAcls === true,
  blockPublicPolicy: config.BlockPublicPolicy === true,
  restrictPublicBuckets: config.RestrictPublicBuckets === true,
})

const NO_BLOCK = new Set(['NoSuchPublicAccessBlockConfiguration'])

async function collectAccountPublicAccessBlock(
  deps: CollectDeps,
  call: Call,
  accountId: string,
): Promise<PublicAccessBlock | null> {
  try {
    const found = await call('s3control:GetPublicAccessBlock', GLOBAL_REGION, () =>
      deps.clients.s3Control().send(new GetPublicAccessBlockCommand({ AccountId: accountId })),
    )
    return found.PublicAccessBlockConfiguration === undefined ? null : toBlock(found.PublicAccessBlockConfiguration)
  } catch (error) {
    if (NO_BLOCK.has(errorName(error))) return null
    throw error
  }
}

const PUBLIC_GROUPS = [
  'http://acs.amazonaws.com/groups/global/AllUsers',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
]

/** Reads a per-bucket setting, with the "not configured" error answered as the given value. */
async function orWhenMissing<T>(read: () => Promise<T>, missing: readonly string[], fallback: T): Promise<T> {
  try {
    return await read()
  } catch (error) {
    if (missing.includes(errorName(error))) return fallback
    throw error
  }
}

/** Every bucket with its access settings, encryption and tags, read from the bucket's own region. */
async function collectBuckets(
  deps: CollectDeps,
  call: Call,
): Promise<Array<Bucket & { tags: Record<string, string> }>> {
  const listed = await allPages(async token => {
    const page = await call('s3:ListBuckets', GLOBAL_REGION, () =>
      deps.clients.s3(GLOBAL_REGION).send(new ListBucketsCommand({ ContinuationToken: token, MaxBuckets: 1000 })),
    )
    return { items: page.Buckets ?? [], next: page.ContinuationToken }
  })
  // Buckets, and each bucket's five settings, are read at once: each API has its own lane in the bucket's region.
  return Promise.all(
    listed.map(async (listedBucket): Promise<Bucket & { tags: Record<string, string> }> => {
      const name = listedBucket.Name ?? ''
      const region = listedBucket.BucketRegion ?? GLOBAL_REGION
      const s3 = deps.clients.s3(region)
      const [block, policyIsPublic, acl, encryption, tags] = await Promise.all([
        orWhenMissing(
          async () => {
            const found = await call('s3:GetPublicAccessBlock', region, () =>
              s3.send(new GetBucketPublicAccessBlockCommand({ Bucket: name })),
            )
            return found.PublicAccessBlockConfiguration === undefined
              ? null
              : toBlock(found.PublicAccessBlockConfiguration)
          },
          ['NoSuchPublicAccessBlockConfiguration'],
          null,
        ),
        orWhenMissing(
          async () => {
            const found = await call('s3:GetBucketPolicyStatus', region, () =>
              s3.send(new GetBucketPolicyStatusCommand({ Bucket: name })),
            )
            return found.PolicyStatus?.IsPublic === true
          },
          ['NoSuchBucketPolicy'],
          false,
        ),
        call('s3:GetBucketAcl', region, () => s3.send(new GetBucketAclCommand({ Bucket: name }))),
        orWhenMissing(
          async () => {
            const found = await call('s3:GetBucketEncryption', region, () =>
              s3.send(new GetBucketEncryptionCommand({ Bucket: name })),
            )
            return (
              found.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ??
              null
            )
          },
          ['ServerSideEncryptionConfigurationNotFoundError'],
          null,
        ),
        orWhenMissing(
          async () => {
            const found = await call('s3:GetBucketTagging', region, () =>
              s3.send(new GetBucketTaggingCommand({ Bucket: name })),
            )
            return tagMap(found.TagSet)
          },
          ['NoSuchTagSet'],
          {},
        ),
      ])
      return {
        name,
        arn: `arn:aws:s3:::${name}`,
        region,
        publicAccessBlock: block,
        policyIsPublic,
        aclPublicGrantees: [
          ...new Set(
            (acl.Grants ?? []).flatMap(grant =>
              grant.Grantee?.URI !== undefined && PUBLIC_GROUPS.includes(grant.Grantee.URI) ? [grant.Grantee.URI] : [],
            ),
          ),
        ],
        publicObjectKeys: [],
        defaultEncryption: encryption,
        tags,
      }
    }),
  )
}
