import type { Budget } from '../aws/budget.ts'
import type { AwsClients } from '../aws/clients.ts'
import { describeError } from '../aws/collect.ts'
import type { Remediation } from '../ladders.ts'
import {
  errorName,
  isKnownCommand,
  keyOf,
  plannedCall,
  requestIdOf,
  sendCall,
  type Fill,
  type PlannedCall,
  describeCall,
} from './calls.ts'
import type { PlannedAction } from './plan.ts'

/**
 * Applying a plan: its calls sent in order through the throttle budget, each change preceded by the read of what it
 * replaces, and each recorded with its AWS request ID and the calls that would undo it. AWS errors never escape:
 * the first failing call stops that action and is reported, so one account's failure does not abort a run.
 */

/** A JSON value: applied and rollback records are stored as they are. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json }

/** One call as sent, with what AWS answered. */
export interface AppliedCall {
  readonly service: string
  readonly command: string
  readonly region: string
  /** The input exactly as sent (completed, for a call the plan fills at apply time). */
  readonly input: Readonly<Record<string, unknown>>
  readonly purpose: 'read' | 'change'
  readonly requestId: string | null
  /** For a read: the state it found, which the rollback restores; null when there was none. */
  readonly previous?: Json
  /** For a change: the calls that undo it, worked out from the reads before it; empty when nothing needs undoing. */
  readonly undo?: readonly PlannedCall[]
  readonly note?: string
}

/** Why an action or rollback stopped: the call, and AWS's error. */
export interface CallError {
  readonly call: string
  readonly name: string
  readonly message: string
  readonly requestId: string | null
}

/** What applying a planned action changed. */
export interface AppliedAction {
  readonly actionVersion: 1
  readonly remediation: Remediation
  readonly ruleId: string
  readonly violationKey: string
  readonly accountId: string
  readonly region: string
  readonly resourceArn: string
  readonly destructive: boolean
  readonly status: 'applied' | 'failed'
  /** Every call sent, in order, the failing one included (without undo). */
  readonly calls: readonly AppliedCall[]
  readonly error?: CallError
}

type Output = Record<string, unknown>
type Reads = ReadonlyMap<string, Json>
const obj = (value: unknown): Output => (typeof value === 'object' && value !== null ? (value as Output) : {})
const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null)
const num = (value: unknown): number | null => (typeof value === 'number' ? value : null)

/** What each read records, and the error names that mean "there is none" (a state, not a failure). */
const READS: Record<string, { extract: (output: Output) => Json; absent?: readonly string[] }> = {
  'guardduty:GetDetector': { extract: o => ({ status: str(o.Status) }) },
  'guardduty:ListDetectors': { extract: o => ({ detectorIds: arr(o.DetectorIds).flatMap(id => str(id) ?? []) }) },
  'cloudtrail:GetTrailStatus': { extract: o => ({ isLogging: o.IsLogging === true }) },
  'config:DescribeConfigurationRecorderStatus': {
    extract: o => ({ recording: obj(arr(o.ConfigurationRecordersStatus)[0]).recording === true }),
  },
  'account:GetAlternateContact': {
    extract: o => {
      const contact = obj(o.AlternateContact)
      return {
        Name: str(contact.Name),
        Title: str(contact.Title),
        EmailAddress: str(contact.EmailAddress),
        PhoneNumber: str(contact.PhoneNumber),
      }
    },
    absent: ['ResourceNotFoundException'],
  },
  'ec2:DescribeInstances': {
    extract: o => {
      const instance = obj(arr(obj(arr(o.Reservations)[0]).Instances)[0])
      return {
        state: str(obj(instance.State).Name),
        vpcId: str(instance.VpcId),
        groups: arr(instance.SecurityGroups).flatMap(group => str(obj(group).GroupId) ?? []),
      }
    },
  },
  'ec2:DescribeSecurityGroupRules': {
    extract: o => ({
      rules: arr(o.SecurityGroupRules).map(raw => {
        const rule = obj(raw)
        return {
          ruleId: str(rule.SecurityGroupRuleId),
          groupId: str(rule.GroupId),
          isEgress: rule.IsEgress === true,
          protocol: str(rule.IpProtocol),
          fromPort: num(rule.FromPort),
          toPort: num(rule.ToPort),
          cidrIpv4: str(rule.CidrIpv4),
          cidrIpv6: str(rule.CidrIpv6),
          prefixListId: str(rule.PrefixListId),
          referencedGroupId: str(obj(rule.ReferencedGroupInfo).GroupId),
          description: str(rule.Description),
        }
      }),
    }),
  },
  'lambda:GetFunctionConcurrency': { extract: o => ({ reserved: num(o.ReservedConcurrentExecutions) }) },
  'ecs:DescribeServices': {
    extract: o => {
      const service = obj(arr(o.services)[0])
      const awsvpc = obj(obj(service.networkConfiguration).awsvpcConfiguration)
      return {
        desiredCount: num(service.desiredCount),
        awsvpcConfiguration:
          Object.keys(awsvpc).length === 0
            ? null
            : {
                subnets: arr(awsvpc.subnets).flatMap(id => str(id) ?? []),
                securityGroups: arr(awsvpc.securityGroups).flatMap(id => str(id) ?? []),
                assignPublicIp: str(awsvpc.assignPublicIp),
              },
      }
    },
  },
  'iam:ListAccessKeys': {
    extract: o => ({
      keys: arr(o.AccessKeyMetadata).map(raw => ({
        accessKeyId: str(obj(raw).AccessKeyId),
        status: str(obj(raw).Status),
      })),
    }),
  },
  'iam:GetUser': { extract: o => ({ boundary: str(obj(obj(o.User).PermissionsBoundary).PermissionsBoundaryArn) }) },
  'iam:GetLoginProfile': { extract: () => ({ exists: true }), absent: ['NoSuchEntity', 'NoSuchEntityException'] },
  's3:GetPublicAccessBlock': {
    extract: o => {
      const block = obj(o.PublicAccessBlockConfiguration)
      return {
        BlockPublicAcls: block.BlockPublicAcls === true,
        IgnorePublicAcls: block.IgnorePublicAcls === true,
        BlockPublicPolicy: block.BlockPublicPolicy === true,
        RestrictPublicBuckets: block.RestrictPublicBuckets === true,
      }
    },
    absent: ['NoSuchPublicAccessBlockConfiguration'],
  },
}

const field = (value: Json | undefined, key: string): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, Json>)[key]
    : undefined

/** An IpPermission that authorises a recorded ingress rule again, exactly as it was. */
function permissionOf(rule: Json): Record<string, unknown> {
  const get = (key: string) => field(rule, key) ?? null
  const description = get('description')
  const described = typeof description === 'string' ? { Description: description } : {}
  const permission: Record<string, unknown> = { IpProtocol: get('protocol') }
  if (typeof get('fromPort') === 'number') permission.FromPort = get('fromPort')
  if (typeof get('toPort') === 'number') permission.ToPort = get('toPort')
  if (typeof get('cidrIpv4') === 'string') permission.IpRanges = [{ CidrIp: get('cidrIpv4'), ...described }]
  if (typeof get('cidrIpv6') === 'string') permission.Ipv6Ranges = [{ CidrIpv6: get('cidrIpv6'), ...described }]
  if (typeof get('prefixListId') === 'string')
    permission.PrefixListIds = [{ PrefixListId: get('prefixListId'), ...described }]
  if (typeof get('referencedGroupId') === 'string')
    permission.UserIdGroupPairs = [{ GroupId: get('referencedGroupId'), ...described }]
  return permission
}

/** How one change is completed, skipped and undone, given the reads before it in the same action. */
interface ChangeRule {
  /** The inputs actually sent: the planned input, completed from the reads (or why it cannot be). */
  expand?: (input: Output, fill: Fill | undefined, reads: Reads) => Output[] | { error: string }
  /** Why the change need not be sent at all. */
  skip?: (reads: Reads) => string | null
  undo: (input: Output, reads: Reads, output: Output, region: string) => PlannedCall[]
}

const CHANGES: Record<string, ChangeRule> = {
  'guardduty:CreateDetector': {
    undo: (_input, _reads, output, region) => {
      const id = str(output.DetectorId)
      return id === null ? [] : [plannedCall('guardduty:DeleteDetector', region, { DetectorId: id })]
    },
  },
  'guardduty:UpdateDetector': {
    // Only a detector Assure found suspended is suspended again.
    undo: (input, reads, _output, region) =>
      field(reads.get('guardduty:GetDetector'), 'status') === 'ENABLED'
        ? []
        : [plannedCall('guardduty:UpdateDetector', region, { DetectorId: String(input.DetectorId), Enable: false })],
  },
  'cloudtrail:CreateTrail': {
    undo: (input, _reads, output, region) => [
      plannedCall('cloudtrail:DeleteTrail', region, { Name: str(output.TrailARN) ?? String(input.Name) }),
    ],
  },
  'cloudtrail:StartLogging': {
    undo: (input, reads, _output, region) =>
      field(reads.get('cloudtrail:GetTrailStatus'), 'isLogging') === true
        ? []
        : [plannedCall('cloudtrail:StopLogging', region, { Name: String(input.Name) })],
  },
  'config:PutConfigurationRecorder': {
    undo: (input, _reads, _output, region) => [
      plannedCall('config:DeleteConfigurationRecorder', region, {
        ConfigurationRecorderName: String(obj(input.ConfigurationRecorder).name),
      }),
    ],
  },
  'config:PutDeliveryChannel': {
    undo: (input, _reads, _output, region) => [
      plannedCall('config:DeleteDeliveryChannel', region, {
        DeliveryChannelName: String(obj(input.DeliveryChannel).name),
      }),
    ],
  },
  'config:StartConfigurationRecorder': {
    undo: (input, reads, _output, region) =>
      field(reads.get('config:DescribeConfigurationRecorderStatus'), 'recording') === true
        ? []
        : [
            plannedCall('config:StopConfigurationRecorder', region, {
              ConfigurationRecorderName: String(input.ConfigurationRecorderName),
            }),
          ],
  },
  'securityhub:EnableSecurityHub': {
    undo: (_input, _reads, _output, region) => [plannedCall('securityhub:DisableSecurityHub', region, {})],
  },
  'account:PutAlternateContact': {
    undo: (_input, reads, _output, region) => {
      const previous = reads.get('account:GetAlternateContact')
      if (previous === null || previous === undefined)
        return [plannedCall('account:DeleteAlternateContact', region, { AlternateContactType: 'SECURITY' })]
      return [
        plannedCall('account:PutAlternateContact', region, {
          AlternateContactType: 'SECURITY',
          Name: String(field(previous, 'Name') ?? ''),
          Title: String(field(previous, 'Title') ?? ''),
          EmailAddress: String(field(previous, 'EmailAddress') ?? ''),
          PhoneNumber: String(field(previous, 'PhoneNumber') ?? ''),
        }),
      ]
    },
  },
  'ec2:StopInstances': {
    undo: (input, reads, _output, region) => {
      const state = field(reads.get('ec2:DescribeInstances'), 'state')
      return state === 'running' || state === 'pending'
        ? [plannedCall('ec2:StartInstances', region, { InstanceIds: arr(input.InstanceIds).map(String) })]
        : []
    },
  },
  'ec2:ModifyInstanceAttribute': {
    expand: (input, fill, reads) => {
      if (fill?.kind !== 'quarantine-group') return [input]
      const vpcId = field(reads.get('ec2:DescribeInstances'), 'vpcId')
      const group = typeof vpcId === 'string' ? fill.groupsByVpc[vpcId] : undefined
      if (group === undefined) return { error: `no quarantine security group is configured for VPC ${String(vpcId)}` }
      return [{ ...input, Groups: [group] }]
    },
    undo: (input, reads, _output, region) => {
      const groups = field(reads.get('ec2:DescribeInstances'), 'groups')
      return [
        plannedCall('ec2:ModifyInstanceAttribute', region, {
          InstanceId: String(input.InstanceId),
          Groups: arr(groups).map(String),
        }),
      ]
    },
  },
  'ec2:RevokeSecurityGroupIngress': {
    undo: (input, reads, _output, region) => {
      const rules = arr(field(reads.get('ec2:DescribeSecurityGroupRules'), 'rules')) as Json[]
      const revoked = new Set(arr(input.SecurityGroupRuleIds).map(String))
      const specs = rules.filter(rule => revoked.has(String(field(rule, 'ruleId'))))
      if (specs.length === 0) return []
      return [
        plannedCall('ec2:AuthorizeSecurityGroupIngress', region, {
          GroupId: String(input.GroupId),
          IpPermissions: specs.map(permissionOf),
        }),
      ]
    },
  },
  'rds:StopDBInstance': {
    undo: (input, _reads, _output, region) => [
      plannedCall('rds:StartDBInstance', region, { DBInstanceIdentifier: String(input.DBInstanceIdentifier) }),
    ],
  },
  'lambda:PutFunctionConcurrency': {
    undo: (input, reads, _output, region) => {
      const reserved = field(reads.get('lambda:GetFunctionConcurrency'), 'reserved')
      const FunctionName = String(input.FunctionName)
      return typeof reserved === 'number'
        ? [
            plannedCall('lambda:PutFunctionConcurrency', region, {
              FunctionName,
              ReservedConcurrentExecutions: reserved,
            }),
          ]
        : [plannedCall('lambda:DeleteFunctionConcurrency', region, { FunctionName })]
    },
  },
  'ecs:UpdateService': {
    expand: (input, fill, reads) => {
      if (fill?.kind !== 'keep-awsvpc-configuration') return [input]
      const previous = field(reads.get('ecs:DescribeServices'), 'awsvpcConfiguration')
      if (previous === null || previous === undefined) return { error: 'the service has no awsvpc configuration' }
      return [
        {
          ...input,
          networkConfiguration: {
            awsvpcConfiguration: {
              ...obj(obj(input.networkConfiguration).awsvpcConfiguration),
              subnets: field(previous, 'subnets'),
              securityGroups: field(previous, 'securityGroups'),
              assignPublicIp: 'DISABLED',
            },
          },
        },
      ]
    },
    undo: (input, reads, _output, region) => {
      const previous = reads.get('ecs:DescribeServices')
      const target = { cluster: String(input.cluster), service: String(input.service) }
      if (input.desiredCount !== undefined) {
        const count = field(previous, 'desiredCount')
        return typeof count === 'number'
          ? [plannedCall('ecs:UpdateService', region, { ...target, desiredCount: count })]
          : []
      }
      const awsvpc = field(previous, 'awsvpcConfiguration')
      if (awsvpc === null || awsvpc === undefined) return []
      return [
        plannedCall('ecs:UpdateService', region, {
          ...target,
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: arr(field(awsvpc, 'subnets')).map(String),
              securityGroups: arr(field(awsvpc, 'securityGroups')).map(String),
              assignPublicIp: field(awsvpc, 'assignPublicIp') === 'ENABLED' ? 'ENABLED' : 'DISABLED',
            },
          },
        }),
      ]
    },
  },
  'iam:UpdateAccessKey': {
    expand: (input, fill, reads) => {
      if (fill?.kind !== 'each-active-access-key') return [input]
      const keys = arr(field(reads.get('iam:ListAccessKeys'), 'keys')) as Json[]
      return keys
        .filter(key => field(key, 'status') === 'Active')
        .map(key => ({ ...input, AccessKeyId: String(field(key, 'accessKeyId')) }))
    },
    undo: (input, _reads, _output, region) => [
      plannedCall('iam:UpdateAccessKey', region, {
        UserName: String(input.UserName),
        AccessKeyId: String(input.AccessKeyId),
        Status: 'Active',
      }),
    ],
  },
  'iam:PutUserPermissionsBoundary': {
    undo: (input, reads, _output, region) => {
      const previous = field(reads.get('iam:GetUser'), 'boundary')
      const UserName = String(input.UserName)
      return typeof previous === 'string'
        ? [plannedCall('iam:PutUserPermissionsBoundary', region, { UserName, PermissionsBoundary: previous })]
        : [plannedCall('iam:DeleteUserPermissionsBoundary', region, { UserName })]
    },
  },
  'iam:DeleteLoginProfile': {
    skip: reads => (reads.get('iam:GetLoginProfile') === null ? 'the user has no console password' : null),
    // IAM never reveals a password, so the old one cannot be put back: the rollback creates a new, random one that
    // must be reset (see rollback.ts).
    undo: (input, _reads, _output, region) => [
      plannedCall('iam:CreateLoginProfile', region, { UserName: String(input.UserName), PasswordResetRequired: true }),
    ],
  },
  's3:PutPublicAccessBlock': {
    undo: (input, reads, _output, region) => {
      const previous = reads.get('s3:GetPublicAccessBlock')
      const Bucket = String(input.Bucket)
      if (previous === null || previous === undefined)
        return [plannedCall('s3:DeletePublicAccessBlock', region, { Bucket })]
      return [
        plannedCall('s3:PutPublicAccessBlock', region, {
          Bucket,
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: field(previous, 'BlockPublicAcls') === true,
            IgnorePublicAcls: field(previous, 'IgnorePublicAcls') === true,
            BlockPublicPolicy: field(previous, 'BlockPublicPolicy') === true,
            RestrictPublicBuckets: field(previous, 'RestrictPublicBuckets') === true,
          },
        }),
      ]
    },
  },
}

/** A failed call as a record. */
export const callError = (
  call: Pick<PlannedCall, 'service' | 'command' | 'region' | 'input'>,
  error: unknown,
): CallError => ({
  call: describeCall(call),
  name: errorName(error),
  message: describeError(error),
  requestId: requestIdOf(error),
})

/** Thrown inside one action to stop it; caught by applyAction and never escapes. */
class Stop {
  readonly error: CallError

  constructor(error: CallError) {
    this.error = error
  }
}

/** One action's run: the calls sent so far and the reads they can use. */
interface Run {
  readonly clients: AwsClients
  readonly budget: Budget
  readonly accountId: string
  readonly reads: Map<string, Json>
  readonly calls: AppliedCall[]
}

async function performRead(run: Run, call: PlannedCall): Promise<void> {
  const key = keyOf(call)
  const rule = READS[key]
  try {
    const sent = await sendCall(run.clients, run.budget, run.accountId, call)
    const previous = rule === undefined ? null : rule.extract(sent.output)
    run.reads.set(key, previous)
    run.calls.push({ ...base(call), requestId: sent.requestId, previous })
  } catch (error) {
    if (rule?.absent?.includes(errorName(error)) === true) {
      run.reads.set(key, null)
      run.calls.push({ ...base(call), requestId: requestIdOf(error), previous: null })
      return
    }
    run.calls.push({ ...base(call), requestId: requestIdOf(error) })
    throw new Stop(callError(call, error))
  }
}

const base = (call: PlannedCall) => ({
  service: call.service,
  command: call.command,
  region: call.region,
  input: call.input,
  purpose: call.purpose,
})

async function performChange(run: Run, call: PlannedCall): Promise<void> {
  const key = keyOf(call)
  const rule = CHANGES[key]
  const skipped = rule?.skip?.(run.reads) ?? null
  if (skipped !== null) {
    run.calls.push({ ...base(call), requestId: null, undo: [], note: `not sent: ${skipped}` })
    return
  }
  const inputs = rule?.expand?.(call.input as Output, call.fill, run.reads) ?? [call.input as Output]
  if (!Array.isArray(inputs))
    throw new Stop({ call: describeCall(call), name: 'CannotComplete', message: inputs.error, requestId: null })
  if (inputs.length === 0) run.calls.push({ ...base(call), requestId: null, undo: [], note: 'nothing to change' })
  for (const input of inputs) {
    const sent = { ...call, input }
    try {
      const answer = await sendCall(run.clients, run.budget, run.accountId, sent)
      const undo = rule?.undo(input, run.reads, answer.output, call.region) ?? []
      run.calls.push({ ...base(sent), requestId: answer.requestId, undo })
    } catch (error) {
      if (await recovered(run, sent, error)) continue
      run.calls.push({ ...base(sent), requestId: requestIdOf(error) })
      throw new Stop(callError(sent, error))
    }
  }
}

/**
 * The failures that mean the account is already as wanted. CreateDetector answers BadRequestException when a
 * detector exists (made since the scan): Assure then finds it and enables it if suspended, as for a suspended
 * detector found by the scan. EnableSecurityHub answers ResourceConflictException when the hub is on: nothing to undo.
 */
async function recovered(run: Run, call: PlannedCall, error: unknown): Promise<boolean> {
  const key = keyOf(call)
  const name = errorName(error)
  if (key === 'securityhub:EnableSecurityHub' && name === 'ResourceConflictException') {
    run.calls.push({ ...base(call), requestId: requestIdOf(error), undo: [], note: 'Security Hub was already enabled' })
    return true
  }
  if (key !== 'guardduty:CreateDetector' || name !== 'BadRequestException') return false
  run.calls.push({
    ...base(call),
    requestId: requestIdOf(error),
    undo: [],
    note: `a detector already exists (${describeError(error)}): enabling it instead`,
  })
  await performRead(run, plannedCall('guardduty:ListDetectors', call.region, {}, { purpose: 'read' }))
  const ids = field(run.reads.get('guardduty:ListDetectors'), 'detectorIds')
  const [detectorId] = arr(ids).map(String)
  if (detectorId === undefined) throw new Stop(callError(call, error))
  await performRead(
    run,
    plannedCall('guardduty:GetDetector', call.region, { DetectorId: detectorId }, { purpose: 'read' }),
  )
  if (field(run.reads.get('guardduty:GetDetector'), 'status') === 'ENABLED') return true
  await performChange(
    run,
    plannedCall('guardduty:UpdateDetector', call.region, { DetectorId: detectorId, Enable: true }),
  )
  return true
}

/**
 * Applies a planned action: sends its calls in order and records per call the request ID and, for changes, the
 * calls that undo it. Returns `failed` with the error at the first failing call, never throwing for AWS errors.
 */
export async function applyAction(clients: AwsClients, budget: Budget, planned: PlannedAction): Promise<AppliedAction> {
  const run: Run = { clients, budget, accountId: planned.accountId, reads: new Map(), calls: [] }
  const record = {
    actionVersion: 1 as const,
    remediation: planned.remediation,
    ruleId: planned.ruleId,
    violationKey: planned.violationKey,
    accountId: planned.accountId,
    region: planned.region,
    resourceArn: planned.resourceArn,
    destructive: planned.destructive,
  }
  try {
    for (const call of planned.calls) {
      if (!isKnownCommand(keyOf(call)))
        throw new Stop({
          call: describeCall(call),
          name: 'UnknownCommand',
          message: 'Assure cannot send this command',
          requestId: null,
        })
      if (call.purpose === 'read') await performRead(run, call)
      else await performChange(run, call)
    }
    return { ...record, status: 'applied', calls: run.calls }
  } catch (error) {
    if (error instanceof Stop) return { ...record, status: 'failed', calls: run.calls, error: error.error }
    // Anything else is a fault in Assure, not an AWS answer.
    throw error
  }
}

/** The undo calls of an applied action, in the order a rollback sends them: the changes' undo in reverse. */
export const undoCalls = (applied: AppliedAction): PlannedCall[] =>
  [...applied.calls].reverse().flatMap(call => (call.purpose === 'change' ? (call.undo ?? []) : []))
