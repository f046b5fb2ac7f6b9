import { afterEach, beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mockClient } from 'aws-sdk-client-mock'
import { GetAlternateContactCommand } from '@aws-sdk/client-account'
import { CreateTrailCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail'
import { DescribeConfigurationRecorderStatusCommand } from '@aws-sdk/client-config-service'
import {
  DescribeInstancesCommand,
  DescribeSecurityGroupRulesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2'
import { DescribeServicesCommand } from '@aws-sdk/client-ecs'
import {
  CreateDetectorCommand,
  GetDetectorCommand,
  ListDetectorsCommand,
  UpdateDetectorCommand,
} from '@aws-sdk/client-guardduty'
import {
  GetLoginProfileCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  PutUserPermissionsBoundaryCommand,
} from '@aws-sdk/client-iam'
import { GetFunctionConcurrencyCommand } from '@aws-sdk/client-lambda'
import { GetPublicAccessBlockCommand } from '@aws-sdk/client-s3'
import { EnableSecurityHubCommand } from '@aws-sdk/client-securityhub'
import { awsClients, type AwsClients } from '../src/baseline/aws/clients.ts'
import { createBudget, type Budget } from '../src/baseline/aws/budget.ts'
import { applyScan, type Violation } from '../src/baseline/clocks.ts'
import { ladders, REMEDIATIONS, SAFE_REMEDIATIONS, type Remediation } from '../src/baseline/ladders.ts'
import { evaluateAccount, RULE_IDS } from '../src/baseline/rules/index.ts'
import { baselineSettings } from '../src/baseline/settings.ts'
import { seen, type AccountSnapshot } from '../src/baseline/snapshot.ts'
import { applyAction, type AppliedAction } from '../src/baseline/remediation/actions.ts'
import { describeCall, describePlan, describeRollback } from '../src/baseline/remediation/describe.ts'
import {
  planRemediation,
  remediationContext,
  RULE_REMEDIATION,
  type PlannedAction,
  type RemediationContext,
} from '../src/baseline/remediation/plan.ts'
import { rollbackAction } from '../src/baseline/remediation/rollback.ts'
import { loadCatalogue } from '../src/catalogue/load.ts'
import {
  ACCOUNT,
  ROOT,
  SCANNED_AT,
  SECURITY_BUCKET,
  bucket,
  compliantAccount,
  compliantRegion,
  daysBefore,
  user,
} from './fixtures/baseline/accounts.ts'

const catalogue = loadCatalogue()
const settings = baselineSettings(catalogue, { securityLogBucket: SECURITY_BUCKET })
const INSTANT = { now: () => 0, sleep: () => Promise.resolve() }
const REGIONS = ['eu-west-2', 'eu-west-1', 'us-east-1']
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/assure-deny-all`

const CONTEXT: RemediationContext = {
  securityLogBucket: SECURITY_BUCKET,
  securityContact: { ...settings.securityContact, phoneNumber: '+44 20 7946 0000' },
  quarantineGroups: { 'vpc-1': 'sg-quarantine' },
  denyAllBoundaryArn: BOUNDARY,
  removeConsoleAccess: true,
}

/** An AWS SDK error as the SDK throws it, with the request ID AWS gave it. */
function awsError(name: string, requestId = `req-${name}`): Error {
  const error = Object.assign(new Error(`${name} (test)`), { $metadata: { requestId } })
  error.name = name
  return error
}

/** An SDK answer with its request ID. */
const answer = (output: object, requestId: string) => ({ ...output, $metadata: { requestId } })

/** The violation a rule opens for a snapshot, as the store would hand it to the enforcer. */
function violationOf(snapshot: AccountSnapshot, ruleId: string): Violation {
  const opened = applyScan([], evaluateAccount(snapshot, settings), SCANNED_AT).opened.find(v => v.ruleId === ruleId)
  assert.ok(opened !== undefined, `no ${ruleId} violation`)
  return opened
}

/** A violation of a resource rule (tagging, regions) for a resource ARN, as the inventory names them. */
function resourceViolation(ruleId: 'AWS-TAG-02' | 'AWS-REG-02', resourceArn: string, region: string): Violation {
  return {
    key: `${ACCOUNT}|${region}|${ruleId}|${resourceArn}`,
    ruleId,
    accountId: ACCOUNT,
    region,
    resourceArn,
    summary: 'test',
    evidence: { resourceType: 'test', owner: null },
    firstSeenAt: SCANNED_AT,
    lastSeenAt: SCANNED_AT,
    clockStartedAt: SCANNED_AT,
    stepsTaken: [],
    resolvedAt: null,
  }
}

const plan = (violation: Violation, context: RemediationContext = CONTEXT): PlannedAction => {
  const planned = planRemediation(violation, context)
  assert.ok(!('skipped' in planned), `skipped: ${'skipped' in planned ? planned.skipped : ''}`)
  return planned
}

const withRegion = (overrides: Parameters<typeof compliantRegion>[1]) =>
  compliantAccount({ regions: [compliantRegion('eu-west-2', overrides), compliantRegion('eu-west-1')] })

type Stub = ReturnType<typeof mockClient>
const SERVICES = ['guardduty', 'cloudtrail', 'config', 'securityhub', 'ec2', 'ecs', 'rds', 'lambda', 's3'] as const

/**
 * Every client of one account mocked, regional and global, answering `{}` with a fresh request ID unless a test
 * says otherwise; `sent()` lists every command sent, across all clients, in order, as plan lines.
 */
function mockedAccount() {
  const clients = awsClients({ credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-only' } })
  const stubs = new Map<string, { stub: Stub; service: string; region: string }>()
  let counter = 0
  const add = (service: string, region: string, client: object) => {
    const stub = mockClient(client as never)
    stub.onAnyCommand().callsFake(() => {
      counter += 1
      return { $metadata: { requestId: `req-${counter}` } }
    })
    stubs.set(`${service}:${region}`, { stub, service, region })
  }
  const regional: Record<(typeof SERVICES)[number], (region: string) => object> = {
    guardduty: r => clients.guardDuty(r),
    cloudtrail: r => clients.cloudTrail(r),
    config: r => clients.config(r),
    securityhub: r => clients.securityHub(r),
    ec2: r => clients.ec2(r),
    ecs: r => clients.ecs(r),
    rds: r => clients.rds(r),
    lambda: r => clients.lambda(r),
    s3: r => clients.s3(r),
  }
  for (const service of SERVICES) for (const region of REGIONS) add(service, region, regional[service](region))
  add('iam', 'us-east-1', clients.iam())
  add('account', 'us-east-1', clients.account())
  add('s3control', 'us-east-1', clients.s3Control())
  const mock = (service: string, region = 'us-east-1'): Stub => {
    const found = stubs.get(`${service}:${region}`)
    assert.ok(found !== undefined, `no mock for ${service} ${region}`)
    return found.stub
  }
  const sentCalls = () =>
    [...stubs.values()]
      .flatMap(({ stub, service, region }) =>
        stub.calls().map(call => {
          const command = call.args[0] as { constructor: { name: string }; input: Record<string, unknown> }
          return {
            id: (call as unknown as { callId: number }).callId,
            service,
            region,
            command: command.constructor.name.replace(/Command$/, ''),
            input: command.input,
          }
        }),
      )
      .sort((a, b) => a.id - b.id)
  return {
    clients,
    mock,
    sentCalls,
    sent: () => sentCalls().map(call => describeCall(call)),
    reset: () => {
      for (const { stub } of stubs.values()) stub.resetHistory()
    },
    restore: () => {
      for (const { stub } of stubs.values()) stub.restore()
    },
  }
}

type Account = ReturnType<typeof mockedAccount>

/** A remediation's whole life: the violation, what AWS answers, the plan, what is sent, and what rollback sends. */
interface Case {
  readonly name: string
  readonly violation: () => Violation
  readonly context?: RemediationContext
  readonly setup?: (account: Account) => void
  readonly plan: readonly string[]
  /** What apply sends, when it differs from the plan's lines (reads unmarked, filled calls completed). */
  readonly sent?: readonly string[]
  readonly rollback: readonly string[]
}

const plain = (line: string) =>
  line.replace(/ \((read, for rollback|[^)]*found[^)]*|Groups = [^)]*|subnets [^)]*)\)$/, '')

const EC2_DESCRIBED = {
  Reservations: [
    {
      Instances: [
        {
          InstanceId: 'i-1',
          State: { Name: 'running' },
          VpcId: 'vpc-1',
          SecurityGroups: [{ GroupId: 'sg-app' }, { GroupId: 'sg-web' }],
        },
      ],
    },
  ],
}

const CASES: Case[] = [
  {
    name: 'GuardDuty: a suspended detector is enabled with UpdateDetector, and suspended again on rollback',
    violation: () =>
      violationOf(
        withRegion({ guardDuty: seen({ detectors: [{ id: 'det-1', status: 'DISABLED' }], findings: [] }) }),
        'AWS-GD-02',
      ),
    setup: a =>
      a
        .mock('guardduty', 'eu-west-2')
        .on(GetDetectorCommand)
        .resolves(answer({ Status: 'DISABLED' }, 'req-get')),
    plan: [
      'guardduty GetDetector eu-west-2 {"DetectorId":"det-1"} (read, for rollback)',
      'guardduty UpdateDetector eu-west-2 {"DetectorId":"det-1","Enable":true}',
    ],
    rollback: ['guardduty UpdateDetector eu-west-2 {"DetectorId":"det-1","Enable":false}'],
  },
  {
    name: 'GuardDuty: CreateDetector only when no detector exists, deleted on rollback',
    violation: () => violationOf(withRegion({ guardDuty: seen({ detectors: [], findings: [] }) }), 'AWS-GD-02'),
    setup: a =>
      a
        .mock('guardduty', 'eu-west-2')
        .on(CreateDetectorCommand)
        .resolves(answer({ DetectorId: 'det-new' }, 'req-c')),
    plan: ['guardduty CreateDetector eu-west-2 {"Enable":true}'],
    rollback: ['guardduty DeleteDetector eu-west-2 {"DetectorId":"det-new"}'],
  },
  {
    name: 'GuardDuty: CreateDetector refused with BadRequestException falls back to ListDetectors and UpdateDetector',
    violation: () => violationOf(withRegion({ guardDuty: seen({ detectors: [], findings: [] }) }), 'AWS-GD-02'),
    setup: a => {
      const guardDuty = a.mock('guardduty', 'eu-west-2')
      guardDuty.on(CreateDetectorCommand).rejects(awsError('BadRequestException'))
      guardDuty.on(ListDetectorsCommand).resolves(answer({ DetectorIds: ['det-2'] }, 'req-list'))
      guardDuty.on(GetDetectorCommand).resolves(answer({ Status: 'DISABLED' }, 'req-get'))
    },
    plan: ['guardduty CreateDetector eu-west-2 {"Enable":true}'],
    sent: [
      'guardduty CreateDetector eu-west-2 {"Enable":true}',
      'guardduty ListDetectors eu-west-2 {}',
      'guardduty GetDetector eu-west-2 {"DetectorId":"det-2"}',
      'guardduty UpdateDetector eu-west-2 {"DetectorId":"det-2","Enable":true}',
    ],
    rollback: ['guardduty UpdateDetector eu-west-2 {"DetectorId":"det-2","Enable":false}'],
  },
  {
    name: 'CloudTrail: a stopped trail is started from its home region, stopped on rollback',
    violation: () =>
      violationOf(
        compliantAccount({
          trails: seen([
            {
              name: 'org',
              arn: `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/org`,
              homeRegion: 'eu-west-1',
              isMultiRegion: true,
              isLogging: false,
              includesManagementEvents: true,
              s3BucketName: SECURITY_BUCKET,
              latestDeliveryError: null,
            },
          ]),
        }),
        'AWS-CT-02',
      ),
    setup: a =>
      a
        .mock('cloudtrail', 'eu-west-1')
        .on(GetTrailStatusCommand)
        .resolves(answer({ IsLogging: false }, 'r')),
    plan: [
      `cloudtrail GetTrailStatus eu-west-1 {"Name":"arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/org"} (read, for rollback)`,
      `cloudtrail StartLogging eu-west-1 {"Name":"arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/org"}`,
    ],
    rollback: [`cloudtrail StopLogging eu-west-1 {"Name":"arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/org"}`],
  },
  {
    name: 'CloudTrail: with no trail, CreateTrail to the security bucket then StartLogging; rollback stops and deletes it',
    violation: () => violationOf(compliantAccount({ trails: seen([]) }), 'AWS-CT-02'),
    setup: a =>
      a
        .mock('cloudtrail', 'us-east-1')
        .on(CreateTrailCommand)
        .resolves(answer({ TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/assure-baseline` }, 'req-ct')),
    plan: [
      `cloudtrail CreateTrail us-east-1 {"Name":"assure-baseline","S3BucketName":"${SECURITY_BUCKET}","IsMultiRegionTrail":true,"IncludeGlobalServiceEvents":true}`,
      `cloudtrail StartLogging us-east-1 {"Name":"arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/assure-baseline"}`,
    ],
    rollback: [
      `cloudtrail StopLogging us-east-1 {"Name":"arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/assure-baseline"}`,
      `cloudtrail DeleteTrail us-east-1 {"Name":"arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/assure-baseline"}`,
    ],
  },
  {
    name: 'Config: only Security Hub’s recorder present: recorder and channel created and started; rollback in reverse',
    violation: () =>
      violationOf(
        withRegion({
          config: seen({
            recorders: [{ name: 'securityhub', recording: true, servicePrincipal: 'securityhub.amazonaws.com' }],
            deliveryChannels: [],
          }),
        }),
        'AWS-CFG-02',
      ),
    plan: [
      `config PutConfigurationRecorder eu-west-2 {"ConfigurationRecorder":{"name":"default","roleARN":"arn:aws:iam::${ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig","recordingGroup":{"allSupported":true,"includeGlobalResourceTypes":true}}}`,
      `config PutDeliveryChannel eu-west-2 {"DeliveryChannel":{"name":"default","s3BucketName":"${SECURITY_BUCKET}"}}`,
      'config StartConfigurationRecorder eu-west-2 {"ConfigurationRecorderName":"default"}',
    ],
    rollback: [
      'config StopConfigurationRecorder eu-west-2 {"ConfigurationRecorderName":"default"}',
      'config DeleteDeliveryChannel eu-west-2 {"DeliveryChannelName":"default"}',
      'config DeleteConfigurationRecorder eu-west-2 {"ConfigurationRecorderName":"default"}',
    ],
  },
  {
    name: 'Config: the account’s own stopped recorder is started, and stopped on rollback',
    violation: () =>
      violationOf(
        withRegion({
          config: seen({
            recorders: [{ name: 'main', recording: false, servicePrincipal: null }],
            deliveryChannels: [{ name: 'default', s3BucketName: SECURITY_BUCKET }],
          }),
        }),
        'AWS-CFG-02',
      ),
    setup: a =>
      a
        .mock('config', 'eu-west-2')
        .on(DescribeConfigurationRecorderStatusCommand)
        .resolves(answer({ ConfigurationRecordersStatus: [{ name: 'main', recording: false }] }, 'r')),
    plan: [
      'config DescribeConfigurationRecorderStatus eu-west-2 {"ConfigurationRecorderNames":["main"]} (read, for rollback)',
      'config StartConfigurationRecorder eu-west-2 {"ConfigurationRecorderName":"main"}',
    ],
    rollback: ['config StopConfigurationRecorder eu-west-2 {"ConfigurationRecorderName":"main"}'],
  },
  {
    name: 'Security Hub: EnableSecurityHub with the default standards, disabled on rollback',
    violation: () => violationOf(withRegion({ securityHubEnabled: seen(false) }), 'AWS-SH-02'),
    plan: ['securityhub EnableSecurityHub eu-west-2 {"EnableDefaultStandards":true}'],
    rollback: ['securityhub DisableSecurityHub eu-west-2 {}'],
  },
  {
    name: 'Security Hub: already enabled since the scan (ResourceConflictException) is not disabled on rollback',
    violation: () => violationOf(withRegion({ securityHubEnabled: seen(false) }), 'AWS-SH-02'),
    setup: a =>
      a.mock('securityhub', 'eu-west-2').on(EnableSecurityHubCommand).rejects(awsError('ResourceConflictException')),
    plan: ['securityhub EnableSecurityHub eu-west-2 {"EnableDefaultStandards":true}'],
    rollback: [],
  },
  {
    name: 'Security contact: PutAlternateContact, the previous contact restored on rollback',
    violation: () =>
      violationOf(
        compliantAccount({ securityContact: seen({ name: 'Old Team', title: 'Ops', email: 'old@example.com' }) }),
        'AWS-CONTACT-01',
      ),
    setup: a =>
      a
        .mock('account')
        .on(GetAlternateContactCommand)
        .resolves(
          answer(
            {
              AlternateContact: {
                Name: 'Old Team',
                Title: 'Ops',
                EmailAddress: 'old@example.com',
                PhoneNumber: '+1 555 0100',
                AlternateContactType: 'SECURITY',
              },
            },
            'r',
          ),
        ),
    plan: [
      'account GetAlternateContact us-east-1 {"AlternateContactType":"SECURITY"} (read, for rollback)',
      'account PutAlternateContact us-east-1 {"AlternateContactType":"SECURITY","Name":"Operational Security Team","Title":"Mx","EmailAddress":"OperationalSecurityTeam@justice.gov.uk","PhoneNumber":"+44 20 7946 0000"}',
    ],
    rollback: [
      'account PutAlternateContact us-east-1 {"AlternateContactType":"SECURITY","Name":"Old Team","Title":"Ops","EmailAddress":"old@example.com","PhoneNumber":"+1 555 0100"}',
    ],
  },
  {
    name: 'Security contact: with none before, rollback deletes it',
    violation: () => violationOf(compliantAccount({ securityContact: seen(null) }), 'AWS-CONTACT-01'),
    setup: a => a.mock('account').on(GetAlternateContactCommand).rejects(awsError('ResourceNotFoundException')),
    plan: [
      'account GetAlternateContact us-east-1 {"AlternateContactType":"SECURITY"} (read, for rollback)',
      'account PutAlternateContact us-east-1 {"AlternateContactType":"SECURITY","Name":"Operational Security Team","Title":"Mx","EmailAddress":"OperationalSecurityTeam@justice.gov.uk","PhoneNumber":"+44 20 7946 0000"}',
    ],
    rollback: ['account DeleteAlternateContact us-east-1 {"AlternateContactType":"SECURITY"}'],
  },
  {
    name: 'Non-EU EC2 instance: StopInstances, started again on rollback because it was running',
    violation: () => resourceViolation('AWS-REG-02', `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-1`, 'us-east-1'),
    setup: a => a.mock('ec2', 'us-east-1').on(DescribeInstancesCommand).resolves(answer(EC2_DESCRIBED, 'r')),
    plan: [
      'ec2 DescribeInstances us-east-1 {"InstanceIds":["i-1"]} (read, for rollback)',
      'ec2 StopInstances us-east-1 {"InstanceIds":["i-1"]}',
    ],
    rollback: ['ec2 StartInstances us-east-1 {"InstanceIds":["i-1"]}'],
  },
  {
    name: 'Untagged EC2 instance: moved to its VPC’s quarantine group, its groups restored on rollback',
    violation: () => resourceViolation('AWS-TAG-02', `arn:aws:ec2:eu-west-2:${ACCOUNT}:instance/i-1`, 'eu-west-2'),
    setup: a => a.mock('ec2', 'eu-west-2').on(DescribeInstancesCommand).resolves(answer(EC2_DESCRIBED, 'r')),
    plan: [
      'ec2 DescribeInstances eu-west-2 {"InstanceIds":["i-1"]} (read, for rollback)',
      'ec2 ModifyInstanceAttribute eu-west-2 {"InstanceId":"i-1"} (Groups = the quarantine group of the instance’s VPC)',
    ],
    sent: [
      'ec2 DescribeInstances eu-west-2 {"InstanceIds":["i-1"]}',
      'ec2 ModifyInstanceAttribute eu-west-2 {"InstanceId":"i-1","Groups":["sg-quarantine"]}',
    ],
    rollback: ['ec2 ModifyInstanceAttribute eu-west-2 {"InstanceId":"i-1","Groups":["sg-app","sg-web"]}'],
  },
  {
    name: 'Untagged EC2 instance with no quarantine group configured: stopped, started again on rollback',
    violation: () => resourceViolation('AWS-TAG-02', `arn:aws:ec2:eu-west-2:${ACCOUNT}:instance/i-1`, 'eu-west-2'),
    context: { ...CONTEXT, quarantineGroups: {} },
    setup: a => a.mock('ec2', 'eu-west-2').on(DescribeInstancesCommand).resolves(answer(EC2_DESCRIBED, 'r')),
    plan: [
      'ec2 DescribeInstances eu-west-2 {"InstanceIds":["i-1"]} (read, for rollback)',
      'ec2 StopInstances eu-west-2 {"InstanceIds":["i-1"]}',
    ],
    rollback: ['ec2 StartInstances eu-west-2 {"InstanceIds":["i-1"]}'],
  },
  {
    name: 'Non-EU RDS instance: StopDBInstance, StartDBInstance on rollback',
    violation: () => resourceViolation('AWS-REG-02', `arn:aws:rds:us-east-1:${ACCOUNT}:db:reports`, 'us-east-1'),
    plan: ['rds StopDBInstance us-east-1 {"DBInstanceIdentifier":"reports"}'],
    rollback: ['rds StartDBInstance us-east-1 {"DBInstanceIdentifier":"reports"}'],
  },
  {
    name: 'Non-EU Lambda function: reserved concurrency 0, the previous reservation restored on rollback',
    violation: () =>
      resourceViolation('AWS-REG-02', `arn:aws:lambda:us-east-1:${ACCOUNT}:function:nightly`, 'us-east-1'),
    setup: a =>
      a
        .mock('lambda', 'us-east-1')
        .on(GetFunctionConcurrencyCommand)
        .resolves(answer({ ReservedConcurrentExecutions: 5 }, 'r')),
    plan: [
      'lambda GetFunctionConcurrency us-east-1 {"FunctionName":"nightly"} (read, for rollback)',
      'lambda PutFunctionConcurrency us-east-1 {"FunctionName":"nightly","ReservedConcurrentExecutions":0}',
    ],
    rollback: ['lambda PutFunctionConcurrency us-east-1 {"FunctionName":"nightly","ReservedConcurrentExecutions":5}'],
  },
  {
    name: 'Untagged Lambda function without a reservation: DeleteFunctionConcurrency on rollback',
    violation: () =>
      resourceViolation('AWS-TAG-02', `arn:aws:lambda:eu-west-2:${ACCOUNT}:function:nightly`, 'eu-west-2'),
    plan: [
      'lambda GetFunctionConcurrency eu-west-2 {"FunctionName":"nightly"} (read, for rollback)',
      'lambda PutFunctionConcurrency eu-west-2 {"FunctionName":"nightly","ReservedConcurrentExecutions":0}',
    ],
    rollback: ['lambda DeleteFunctionConcurrency eu-west-2 {"FunctionName":"nightly"}'],
  },
  {
    name: 'Non-EU ECS service: desiredCount 0, the previous count restored on rollback',
    violation: () => resourceViolation('AWS-REG-02', `arn:aws:ecs:us-east-1:${ACCOUNT}:service/main/api`, 'us-east-1'),
    setup: a =>
      a
        .mock('ecs', 'us-east-1')
        .on(DescribeServicesCommand)
        .resolves(answer({ services: [{ desiredCount: 3 }] }, 'r')),
    plan: [
      'ecs DescribeServices us-east-1 {"cluster":"main","services":["api"]} (read, for rollback)',
      'ecs UpdateService us-east-1 {"cluster":"main","service":"api","desiredCount":0}',
    ],
    rollback: ['ecs UpdateService us-east-1 {"cluster":"main","service":"api","desiredCount":3}'],
  },
  {
    name: 'Idle IAM user: active keys deactivated, deny-all boundary, console password deleted; all undone in reverse',
    violation: () =>
      violationOf(
        compliantAccount({
          credentialReport: seen([ROOT, user({ user: 'bob', passwordLastUsed: daysBefore(45) })]),
        }),
        'AWS-IAM-10',
      ),
    setup: a => {
      const iam = a.mock('iam')
      iam.on(ListAccessKeysCommand).resolves(
        answer(
          {
            AccessKeyMetadata: [
              { UserName: 'bob', AccessKeyId: 'AKIA1', Status: 'Active' },
              { UserName: 'bob', AccessKeyId: 'AKIA2', Status: 'Inactive' },
            ],
          },
          'r1',
        ),
      )
      iam.on(GetUserCommand).resolves(
        answer(
          {
            User: {
              UserName: 'bob',
              PermissionsBoundary: {
                PermissionsBoundaryType: 'Policy',
                PermissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/developer-boundary`,
              },
            },
          },
          'r2',
        ),
      )
      iam.on(GetLoginProfileCommand).resolves(answer({ LoginProfile: { UserName: 'bob' } }, 'r3'))
    },
    plan: [
      'iam ListAccessKeys us-east-1 {"UserName":"bob"} (read, for rollback)',
      'iam UpdateAccessKey us-east-1 {"UserName":"bob","Status":"Inactive"} (once per active access key found, with its AccessKeyId)',
      'iam GetUser us-east-1 {"UserName":"bob"} (read, for rollback)',
      `iam PutUserPermissionsBoundary us-east-1 {"UserName":"bob","PermissionsBoundary":"${BOUNDARY}"}`,
      'iam GetLoginProfile us-east-1 {"UserName":"bob"} (read, for rollback)',
      'iam DeleteLoginProfile us-east-1 {"UserName":"bob"}',
    ],
    sent: [
      'iam ListAccessKeys us-east-1 {"UserName":"bob"}',
      'iam UpdateAccessKey us-east-1 {"UserName":"bob","Status":"Inactive","AccessKeyId":"AKIA1"}',
      'iam GetUser us-east-1 {"UserName":"bob"}',
      `iam PutUserPermissionsBoundary us-east-1 {"UserName":"bob","PermissionsBoundary":"${BOUNDARY}"}`,
      'iam GetLoginProfile us-east-1 {"UserName":"bob"}',
      'iam DeleteLoginProfile us-east-1 {"UserName":"bob"}',
    ],
    rollback: [
      'iam CreateLoginProfile us-east-1 {"UserName":"bob","PasswordResetRequired":true}',
      `iam PutUserPermissionsBoundary us-east-1 {"UserName":"bob","PermissionsBoundary":"arn:aws:iam::${ACCOUNT}:policy/developer-boundary"}`,
      'iam UpdateAccessKey us-east-1 {"UserName":"bob","AccessKeyId":"AKIA1","Status":"Active"}',
    ],
  },
  {
    name: 'IAM user without MFA and no boundary or password before: the boundary is deleted on rollback',
    violation: () =>
      violationOf(
        compliantAccount({ credentialReport: seen([ROOT, user({ user: 'carol', mfaActive: false })]) }),
        'AWS-IAM-11',
      ),
    setup: a => {
      const iam = a.mock('iam')
      iam.on(ListAccessKeysCommand).resolves(answer({ AccessKeyMetadata: [] }, 'r1'))
      iam.on(GetUserCommand).resolves(answer({ User: { UserName: 'carol' } }, 'r2'))
      iam.on(GetLoginProfileCommand).rejects(awsError('NoSuchEntityException'))
    },
    plan: [
      'iam ListAccessKeys us-east-1 {"UserName":"carol"} (read, for rollback)',
      'iam UpdateAccessKey us-east-1 {"UserName":"carol","Status":"Inactive"} (once per active access key found, with its AccessKeyId)',
      'iam GetUser us-east-1 {"UserName":"carol"} (read, for rollback)',
      `iam PutUserPermissionsBoundary us-east-1 {"UserName":"carol","PermissionsBoundary":"${BOUNDARY}"}`,
      'iam GetLoginProfile us-east-1 {"UserName":"carol"} (read, for rollback)',
      'iam DeleteLoginProfile us-east-1 {"UserName":"carol"}',
    ],
    sent: [
      'iam ListAccessKeys us-east-1 {"UserName":"carol"}',
      'iam GetUser us-east-1 {"UserName":"carol"}',
      `iam PutUserPermissionsBoundary us-east-1 {"UserName":"carol","PermissionsBoundary":"${BOUNDARY}"}`,
      'iam GetLoginProfile us-east-1 {"UserName":"carol"}',
    ],
    rollback: ['iam DeleteUserPermissionsBoundary us-east-1 {"UserName":"carol"}'],
  },
  {
    name: 'Public S3 bucket with no block before: all four flags set, DeletePublicAccessBlock on rollback',
    violation: () =>
      violationOf(
        compliantAccount({
          accountPublicAccessBlock: seen(null),
          buckets: seen([
            bucket({
              name: 'public-reports',
              publicAccessBlock: null,
              aclPublicGrantees: ['http://acs.amazonaws.com/groups/global/AllUsers'],
            }),
          ]),
        }),
        'AWS-S3W-02',
      ),
    setup: a =>
      a
        .mock('s3', 'eu-west-2')
        .on(GetPublicAccessBlockCommand)
        .rejects(awsError('NoSuchPublicAccessBlockConfiguration')),
    plan: [
      's3 GetPublicAccessBlock eu-west-2 {"Bucket":"public-reports"} (read, for rollback)',
      's3 PutPublicAccessBlock eu-west-2 {"Bucket":"public-reports","PublicAccessBlockConfiguration":{"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":true}}',
    ],
    rollback: ['s3 DeletePublicAccessBlock eu-west-2 {"Bucket":"public-reports"}'],
  },
  {
    name: 'Public S3 bucket with a partial block: the previous block restored on rollback',
    violation: () =>
      violationOf(
        compliantAccount({
          accountPublicAccessBlock: seen(null),
          buckets: seen([
            bucket({
              name: 'public-reports',
              publicAccessBlock: {
                blockPublicAcls: true,
                ignorePublicAcls: false,
                blockPublicPolicy: false,
                restrictPublicBuckets: false,
              },
              policyIsPublic: true,
            }),
          ]),
        }),
        'AWS-S3W-02',
      ),
    setup: a =>
      a
        .mock('s3', 'eu-west-2')
        .on(GetPublicAccessBlockCommand)
        .resolves(
          answer(
            {
              PublicAccessBlockConfiguration: {
                BlockPublicAcls: true,
                IgnorePublicAcls: false,
                BlockPublicPolicy: false,
                RestrictPublicBuckets: false,
              },
            },
            'r',
          ),
        ),
    plan: [
      's3 GetPublicAccessBlock eu-west-2 {"Bucket":"public-reports"} (read, for rollback)',
      's3 PutPublicAccessBlock eu-west-2 {"Bucket":"public-reports","PublicAccessBlockConfiguration":{"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":true}}',
    ],
    rollback: [
      's3 PutPublicAccessBlock eu-west-2 {"Bucket":"public-reports","PublicAccessBlockConfiguration":{"BlockPublicAcls":true,"IgnorePublicAcls":false,"BlockPublicPolicy":false,"RestrictPublicBuckets":false}}',
    ],
  },
  {
    name: 'Instance open to the world: exactly the offending rules revoked, re-authorised from their specs on rollback',
    violation: () =>
      violationOf(
        withRegion({
          instances: seen([
            {
              id: 'i-web',
              arn: `arn:aws:ec2:eu-west-2:${ACCOUNT}:instance/i-web`,
              state: 'running',
              publicIp: '203.0.113.7',
              securityGroupIds: ['sg-web'],
            },
          ]),
          securityGroups: seen([
            {
              id: 'sg-web',
              arn: `arn:aws:ec2:eu-west-2:${ACCOUNT}:security-group/sg-web`,
              ingress: [
                { ruleId: 'sgr-ssh', protocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0', cidrIpv6: null },
                {
                  ruleId: 'sgr-lan',
                  protocol: 'tcp',
                  fromPort: 22,
                  toPort: 22,
                  cidrIpv4: '10.0.0.0/8',
                  cidrIpv6: null,
                },
                { ruleId: 'sgr-v6', protocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: null, cidrIpv6: '::/0' },
              ],
            },
          ]),
        }),
        'AWS-CMP-04',
      ),
    setup: a =>
      a
        .mock('ec2', 'eu-west-2')
        .on(DescribeSecurityGroupRulesCommand)
        .resolves(
          answer(
            {
              SecurityGroupRules: [
                {
                  SecurityGroupRuleId: 'sgr-ssh',
                  GroupId: 'sg-web',
                  IsEgress: false,
                  IpProtocol: 'tcp',
                  FromPort: 22,
                  ToPort: 22,
                  CidrIpv4: '0.0.0.0/0',
                  Description: 'ssh from anywhere',
                },
                {
                  SecurityGroupRuleId: 'sgr-v6',
                  GroupId: 'sg-web',
                  IsEgress: false,
                  IpProtocol: 'tcp',
                  FromPort: 443,
                  ToPort: 443,
                  CidrIpv6: '::/0',
                },
              ],
            },
            'r',
          ),
        ),
    plan: [
      'ec2 DescribeSecurityGroupRules eu-west-2 {"SecurityGroupRuleIds":["sgr-ssh","sgr-v6"]} (read, for rollback)',
      'ec2 RevokeSecurityGroupIngress eu-west-2 {"GroupId":"sg-web","SecurityGroupRuleIds":["sgr-ssh","sgr-v6"]}',
    ],
    rollback: [
      'ec2 AuthorizeSecurityGroupIngress eu-west-2 {"GroupId":"sg-web","IpPermissions":[{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"ssh from anywhere"}]},{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]}',
    ],
  },
  {
    name: 'ECS service with public IPs: assignPublicIp DISABLED keeping its subnets, the previous network restored',
    violation: () =>
      violationOf(
        withRegion({
          ecsServices: seen([
            { arn: `arn:aws:ecs:eu-west-2:${ACCOUNT}:service/main/public-api`, assignPublicIp: true },
          ]),
        }),
        'AWS-CMP-04',
      ),
    setup: a =>
      a
        .mock('ecs', 'eu-west-2')
        .on(DescribeServicesCommand)
        .resolves(
          answer(
            {
              services: [
                {
                  desiredCount: 2,
                  networkConfiguration: {
                    awsvpcConfiguration: {
                      subnets: ['subnet-a'],
                      securityGroups: ['sg-api'],
                      assignPublicIp: 'ENABLED',
                    },
                  },
                },
              ],
            },
            'r',
          ),
        ),
    plan: [
      'ecs DescribeServices eu-west-2 {"cluster":"main","services":["public-api"]} (read, for rollback)',
      'ecs UpdateService eu-west-2 {"cluster":"main","service":"public-api","networkConfiguration":{"awsvpcConfiguration":{"assignPublicIp":"DISABLED"}}} (subnets and security groups kept as DescribeServices reports them)',
    ],
    sent: [
      'ecs DescribeServices eu-west-2 {"cluster":"main","services":["public-api"]}',
      'ecs UpdateService eu-west-2 {"cluster":"main","service":"public-api","networkConfiguration":{"awsvpcConfiguration":{"assignPublicIp":"DISABLED","subnets":["subnet-a"],"securityGroups":["sg-api"]}}}',
    ],
    rollback: [
      'ecs UpdateService eu-west-2 {"cluster":"main","service":"public-api","networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-a"],"securityGroups":["sg-api"],"assignPublicIp":"ENABLED"}}}',
    ],
  },
]

describe('baseline remediation: plans, apply and rollback against mocked SDK clients', () => {
  // One object the tests share, refreshed before each: every test gets fresh mocks and a fresh budget.
  const env = {} as { account: Account; budget: Budget; clients: AwsClients }
  let account: Account
  let budget: Budget
  let clients: AwsClients

  beforeEach(() => {
    account = mockedAccount()
    clients = account.clients
    budget = createBudget({ clock: INSTANT, backoffMs: 1 })
    Object.assign(env, { account, clients, budget })
  })
  afterEach(() => {
    account.restore()
  })

  for (const testCase of CASES) {
    describe(testCase.name, () => {
      it('plans exactly these calls', () => {
        const planned = plan(testCase.violation(), testCase.context)
        assert.deepEqual(
          planned.calls.map(call => describeCall(call)),
          testCase.plan,
        )
      })

      it('applies by sending exactly the planned commands, recording each request ID', async () => {
        testCase.setup?.(env.account)
        const planned = plan(testCase.violation(), testCase.context)
        const applied = await applyAction(env.clients, env.budget, planned)
        assert.equal(applied.status, 'applied', JSON.stringify(applied.error))
        assert.deepEqual(env.account.sent(), testCase.sent ?? testCase.plan.map(plain))
        const sent = env.account.sentCalls()
        assert.deepEqual(
          applied.calls.filter(call => call.requestId !== null).map(call => `${call.service} ${call.command}`),
          sent.map(call => `${call.service} ${call.command}`),
        )
        const ids = applied.calls.flatMap(call => (call.requestId === null ? [] : [call.requestId]))
        assert.equal(new Set(ids).size, sent.length, 'one request ID per call sent')
        assert.ok(
          applied.calls.every(call => call.requestId !== null || call.note !== undefined),
          'a call without a request ID was not sent, and says why',
        )
        assert.deepEqual(JSON.parse(JSON.stringify(applied)), applied, 'the applied record is plain JSON')
      })

      it('rolls back with exactly the inverse calls, from the recorded previous state', async () => {
        testCase.setup?.(env.account)
        const applied = await applyAction(env.clients, env.budget, plan(testCase.violation(), testCase.context))
        env.account.reset()
        const stored = JSON.parse(JSON.stringify(applied)) as AppliedAction
        const rolledBack = await rollbackAction(env.clients, env.budget, stored)
        assert.equal(rolledBack.status, 'rolled-back', JSON.stringify(rolledBack.error))
        assert.equal(rolledBack.actionVersion, 1)
        const sent = env.account.sentCalls().map(call => {
          if (call.command !== 'CreateLoginProfile') return describeCall(call)
          const { Password, ...rest } = call.input
          assert.ok(typeof Password === 'string' && Password.length >= 20, 'a random password is set')
          return describeCall({ ...call, input: rest })
        })
        assert.deepEqual(sent, testCase.rollback)
        assert.deepEqual(
          rolledBack.calls.map(call => describeCall(call)),
          testCase.rollback,
        )
        assert.doesNotMatch(JSON.stringify(rolledBack), /Password"/, 'the password is never recorded')
        assert.deepEqual(JSON.parse(JSON.stringify(rolledBack)), rolledBack)
      })
    })
  }

  it('reports a failing call instead of throwing, sends nothing after it, and rolls back only what changed', async () => {
    account.mock('ec2', 'us-east-1').on(DescribeInstancesCommand).resolves(answer(EC2_DESCRIBED, 'req-describe'))
    account.mock('ec2', 'us-east-1').on(StopInstancesCommand).rejects(awsError('UnauthorizedOperation', 'req-denied'))
    const planned = plan(resourceViolation('AWS-REG-02', `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-1`, 'us-east-1'))
    const applied = await applyAction(clients, budget, planned)
    assert.equal(applied.status, 'failed')
    assert.deepEqual(applied.error, {
      call: 'ec2 StopInstances us-east-1 {"InstanceIds":["i-1"]}',
      name: 'UnauthorizedOperation',
      message: 'UnauthorizedOperation: UnauthorizedOperation (test)',
      requestId: 'req-denied',
    })
    assert.deepEqual(
      applied.calls.map(call => [call.command, call.requestId]),
      [
        ['DescribeInstances', 'req-describe'],
        ['StopInstances', 'req-denied'],
      ],
    )
    account.reset()
    const rolledBack = await rollbackAction(clients, budget, applied)
    assert.deepEqual(rolledBack.calls, [])
    assert.deepEqual(account.sent(), [])
  })

  it('rolls a half-applied suspension back as far as it got', async () => {
    const iam = account.mock('iam')
    iam
      .on(ListAccessKeysCommand)
      .resolves(answer({ AccessKeyMetadata: [{ AccessKeyId: 'AKIA1', Status: 'Active' }] }, 'r'))
    iam.on(PutUserPermissionsBoundaryCommand).rejects(awsError('AccessDenied'))
    const violation = violationOf(
      compliantAccount({ credentialReport: seen([ROOT, user({ user: 'bob', passwordLastUsed: daysBefore(45) })]) }),
      'AWS-IAM-10',
    )
    const applied = await applyAction(clients, budget, plan(violation))
    assert.equal(applied.status, 'failed')
    assert.equal(applied.error?.name, 'AccessDenied')
    assert.equal(applied.calls.at(-1)?.command, 'PutUserPermissionsBoundary')
    assert.equal(iam.commandCalls(GetLoginProfileCommand).length, 0, 'nothing is sent after the failure')
    account.reset()
    await rollbackAction(clients, budget, applied)
    assert.deepEqual(account.sent(), [
      'iam UpdateAccessKey us-east-1 {"UserName":"bob","AccessKeyId":"AKIA1","Status":"Active"}',
    ])
  })

  it('reports a failing rollback call instead of throwing', async () => {
    account.mock('ec2', 'us-east-1').on(DescribeInstancesCommand).resolves(answer(EC2_DESCRIBED, 'r'))
    const planned = plan(resourceViolation('AWS-REG-02', `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-1`, 'us-east-1'))
    const applied = await applyAction(clients, budget, planned)
    account.mock('ec2', 'us-east-1').on(StartInstancesCommand).rejects(awsError('IncorrectInstanceState', 'req-x'))
    const rolledBack = await rollbackAction(clients, budget, applied)
    assert.equal(rolledBack.status, 'failed')
    assert.equal(rolledBack.error?.name, 'IncorrectInstanceState')
    assert.equal(rolledBack.error?.requestId, 'req-x')
  })

  it('prints the rollback it would send, and says when there is nothing to undo', async () => {
    account.mock('lambda', 'us-east-1').on(GetFunctionConcurrencyCommand).resolves(answer({}, 'r'))
    const arn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:nightly`
    const applied = await applyAction(clients, budget, plan(resourceViolation('AWS-REG-02', arn, 'us-east-1')))
    assert.deepEqual(describeRollback(applied), [
      `rollback stop-resource ${ACCOUNT} us-east-1 ${arn}`,
      '  lambda DeleteFunctionConcurrency us-east-1 {"FunctionName":"nightly"}',
    ])
    assert.deepEqual(describeRollback({ ...applied, calls: [] }).slice(1), ['  nothing to undo'])
  })

  it('refuses a stored plan naming a command Assure does not send, without sending anything', async () => {
    const planned = plan(violationOf(withRegion({ securityHubEnabled: seen(false) }), 'AWS-SH-02'))
    const tampered = { ...planned, calls: [{ ...planned.calls[0]!, command: 'DeleteMembers' }] } as PlannedAction
    const applied = await applyAction(clients, budget, tampered)
    assert.equal(applied.status, 'failed')
    assert.equal(applied.error?.name, 'UnknownCommand')
    assert.deepEqual(account.sent(), [])
  })

  it('does not re-enable or later suspend a detector that someone enabled since the scan', async () => {
    account
      .mock('guardduty', 'eu-west-2')
      .on(GetDetectorCommand)
      .resolves(answer({ Status: 'ENABLED' }, 'r'))
    const violation = violationOf(
      withRegion({ guardDuty: seen({ detectors: [{ id: 'det-1', status: 'DISABLED' }], findings: [] }) }),
      'AWS-GD-02',
    )
    const applied = await applyAction(clients, budget, plan(violation))
    account.reset()
    await rollbackAction(clients, budget, applied)
    assert.equal(account.mock('guardduty', 'eu-west-2').commandCalls(UpdateDetectorCommand).length, 0)
  })

  it('retries a throttled call through the budget and records the request ID of the answer', async () => {
    account
      .mock('securityhub', 'eu-west-2')
      .on(EnableSecurityHubCommand)
      .rejectsOnce(awsError('ThrottlingException'))
      .resolves(answer({}, 'req-after-retry'))
    const applied = await applyAction(
      clients,
      budget,
      plan(violationOf(withRegion({ securityHubEnabled: seen(false) }), 'AWS-SH-02')),
    )
    assert.equal(applied.status, 'applied')
    assert.equal(applied.calls[0]?.requestId, 'req-after-retry')
    assert.equal(budget.stats.retries, 1)
  })

  it('fails the quarantine before changing anything when the instance’s VPC has no quarantine group', async () => {
    account
      .mock('ec2', 'eu-west-2')
      .on(DescribeInstancesCommand)
      .resolves(answer({ Reservations: [{ Instances: [{ InstanceId: 'i-1', VpcId: 'vpc-other' }] }] }, 'r'))
    const applied = await applyAction(
      clients,
      budget,
      plan(resourceViolation('AWS-TAG-02', `arn:aws:ec2:eu-west-2:${ACCOUNT}:instance/i-1`, 'eu-west-2')),
    )
    assert.equal(applied.status, 'failed')
    assert.equal(applied.error?.message, 'no quarantine security group is configured for VPC vpc-other')
    assert.deepEqual(account.sent(), ['ec2 DescribeInstances eu-west-2 {"InstanceIds":["i-1"]}'])
  })
})

describe('baseline remediation planning', () => {
  const ec2 = (id: string, region = 'eu-west-2') => `arn:aws:ec2:${region}:${ACCOUNT}:${id}`

  it('takes each rule’s remediation from its ladder', () => {
    const fromLadders = Object.fromEntries(
      Object.entries(ladders(catalogue)).flatMap(([ruleId, steps]) =>
        steps.flatMap(step => (step.kind === 'remediate' ? [[ruleId, step.action]] : [])),
      ),
    )
    assert.deepEqual(RULE_REMEDIATION, fromLadders)
    assert.ok(Object.keys(RULE_REMEDIATION).every(id => (RULE_IDS as readonly string[]).includes(id)))
  })

  it('marks an action destructive exactly when its remediation is not one of SAFE_REMEDIATIONS', () => {
    const byRemediation = new Map<Remediation, boolean>()
    for (const testCase of CASES) {
      const planned = plan(testCase.violation(), testCase.context)
      byRemediation.set(planned.remediation, planned.destructive)
    }
    assert.deepEqual(
      [...byRemediation.keys()].sort(),
      [...REMEDIATIONS].sort(),
      'every remediation is planned by some case',
    )
    for (const remediation of REMEDIATIONS)
      assert.equal(byRemediation.get(remediation), !SAFE_REMEDIATIONS.has(remediation), remediation)
  })

  it('plans no console-access removal unless the deployment enables it', () => {
    const violation = violationOf(
      compliantAccount({ credentialReport: seen([ROOT, user({ user: 'bob', passwordLastUsed: daysBefore(45) })]) }),
      'AWS-IAM-10',
    )
    const planned = plan(violation, { ...CONTEXT, removeConsoleAccess: false })
    assert.deepEqual(
      planned.calls.map(call => call.command),
      ['ListAccessKeys', 'UpdateAccessKey', 'GetUser', 'PutUserPermissionsBoundary'],
    )
  })

  it('builds the context from the baseline settings, with console access removal off by default', () => {
    const context = remediationContext(settings, { securityContactPhone: '+44 20 7946 0000' })
    assert.deepEqual(context, {
      securityLogBucket: SECURITY_BUCKET,
      securityContact: { ...settings.securityContact, phoneNumber: '+44 20 7946 0000' },
      quarantineGroups: {},
      denyAllBoundaryArn: null,
      removeConsoleAccess: false,
    })
  })

  it('prints a plan with a heading naming the remediation, the resource and whether it is destructive', () => {
    const planned = plan(resourceViolation('AWS-REG-02', `arn:aws:rds:us-east-1:${ACCOUNT}:db:reports`, 'us-east-1'))
    assert.deepEqual(describePlan(planned), [
      `stop-resource ${ACCOUNT} us-east-1 arn:aws:rds:us-east-1:${ACCOUNT}:db:reports [destructive]`,
      '  rds StopDBInstance us-east-1 {"DBInstanceIdentifier":"reports"}',
    ])
  })

  const skips: Array<[string, () => ReturnType<typeof planRemediation>, string]> = [
    [
      'an EBS volume outside the EU',
      () => planRemediation(resourceViolation('AWS-REG-02', ec2('volume/vol-1', 'us-east-1'), 'us-east-1'), CONTEXT),
      'an EBS volume has no safe automatic isolation',
    ],
    [
      'an untagged S3 bucket',
      () => planRemediation(resourceViolation('AWS-TAG-02', 'arn:aws:s3:::reports', 'eu-west-2'), CONTEXT),
      'an S3 bucket has no safe automatic isolation',
    ],
    [
      'an untagged security group',
      () => planRemediation(resourceViolation('AWS-TAG-02', ec2('security-group/sg-1'), 'eu-west-2'), CONTEXT),
      'a security group has no safe automatic isolation',
    ],
    [
      'suspending a user with no deny-all boundary configured',
      () =>
        planRemediation(
          violationOf(
            compliantAccount({ credentialReport: seen([ROOT, user({ user: 'c', mfaActive: false })]) }),
            'AWS-IAM-11',
          ),
          { ...CONTEXT, denyAllBoundaryArn: null },
        ),
      'no deny-all permissions boundary is configured',
    ],
    [
      'a security contact with no phone number',
      () =>
        planRemediation(violationOf(compliantAccount({ securityContact: seen(null) }), 'AWS-CONTACT-01'), {
          ...CONTEXT,
          securityContact: settings.securityContact,
        }),
      'the security contact has no phone number configured',
    ],
    [
      'a single-region trail, which StartLogging would not fix',
      () =>
        planRemediation(
          violationOf(
            compliantAccount({
              trails: seen([
                {
                  name: 'local',
                  arn: `arn:aws:cloudtrail:eu-west-2:${ACCOUNT}:trail/local`,
                  homeRegion: 'eu-west-2',
                  isMultiRegion: false,
                  isLogging: false,
                  includesManagementEvents: true,
                  s3BucketName: SECURITY_BUCKET,
                  latestDeliveryError: null,
                },
              ]),
            }),
            'AWS-CT-02',
          ),
          CONTEXT,
        ),
      'no trail would be fixed by StartLogging alone; its configuration needs people',
    ],
    [
      'a GuardDuty HIGH finding, which has no automatic remediation',
      () =>
        planRemediation(
          violationOf(
            withRegion({
              guardDuty: seen({
                detectors: [{ id: 'det-1', status: 'ENABLED' }],
                findings: [{ id: 'f-1', type: 'Recon', severity: 8, title: 'Port probe' }],
              }),
            }),
            'AWS-GD-04',
          ),
          CONTEXT,
        ),
      'AWS-GD-04 has no automatic remediation',
    ],
  ]
  for (const [name, planned, reason] of skips)
    it(`skips ${name}, with the reason, so the enforcer escalates`, () => {
      assert.deepEqual(planned(), { skipped: reason })
    })
})
