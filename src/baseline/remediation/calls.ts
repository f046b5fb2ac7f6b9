import {
  DeleteAlternateContactCommand,
  GetAlternateContactCommand,
  PutAlternateContactCommand,
} from '@aws-sdk/client-account'
import {
  CreateTrailCommand,
  DeleteTrailCommand,
  GetTrailStatusCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail'
import {
  DeleteConfigurationRecorderCommand,
  DeleteDeliveryChannelCommand,
  DescribeConfigurationRecorderStatusCommand,
  PutConfigurationRecorderCommand,
  PutDeliveryChannelCommand,
  StartConfigurationRecorderCommand,
  StopConfigurationRecorderCommand,
} from '@aws-sdk/client-config-service'
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupRulesCommand,
  ModifyInstanceAttributeCommand,
  RevokeSecurityGroupIngressCommand,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2'
import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs'
import {
  CreateDetectorCommand,
  DeleteDetectorCommand,
  GetDetectorCommand,
  ListDetectorsCommand,
  UpdateDetectorCommand,
} from '@aws-sdk/client-guardduty'
import {
  CreateLoginProfileCommand,
  DeleteLoginProfileCommand,
  DeleteUserPermissionsBoundaryCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  PutUserPermissionsBoundaryCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam'
import {
  DeleteFunctionConcurrencyCommand,
  GetFunctionConcurrencyCommand,
  PutFunctionConcurrencyCommand,
} from '@aws-sdk/client-lambda'
import { StartDBInstanceCommand, StopDBInstanceCommand } from '@aws-sdk/client-rds'
import {
  DeletePublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3'
import { DisableSecurityHubCommand, EnableSecurityHubCommand } from '@aws-sdk/client-securityhub'
import type { Budget } from '../aws/budget.ts'
import type { AwsClients } from '../aws/clients.ts'

/**
 * Every AWS command remediation and rollback may send, by `service:command`, with how to send it. The planners
 * build inputs typed by these senders, so a plan cannot name a command Assure does not know how to send.
 */
const SENDERS = {
  'guardduty:ListDetectors': (c: AwsClients, r: string, i: InstanceType<typeof ListDetectorsCommand>['input']) =>
    c.guardDuty(r).send(new ListDetectorsCommand(i)),
  'guardduty:GetDetector': (c: AwsClients, r: string, i: InstanceType<typeof GetDetectorCommand>['input']) =>
    c.guardDuty(r).send(new GetDetectorCommand(i)),
  'guardduty:CreateDetector': (c: AwsClients, r: string, i: InstanceType<typeof CreateDetectorCommand>['input']) =>
    c.guardDuty(r).send(new CreateDetectorCommand(i)),
  'guardduty:UpdateDetector': (c: AwsClients, r: string, i: InstanceType<typeof UpdateDetectorCommand>['input']) =>
    c.guardDuty(r).send(new UpdateDetectorCommand(i)),
  'guardduty:DeleteDetector': (c: AwsClients, r: string, i: InstanceType<typeof DeleteDetectorCommand>['input']) =>
    c.guardDuty(r).send(new DeleteDetectorCommand(i)),
  'cloudtrail:GetTrailStatus': (c: AwsClients, r: string, i: InstanceType<typeof GetTrailStatusCommand>['input']) =>
    c.cloudTrail(r).send(new GetTrailStatusCommand(i)),
  'cloudtrail:CreateTrail': (c: AwsClients, r: string, i: InstanceType<typeof CreateTrailCommand>['input']) =>
    c.cloudTrail(r).send(new CreateTrailCommand(i)),
  'cloudtrail:DeleteTrail': (c: AwsClients, r: string, i: InstanceType<typeof DeleteTrailCommand>['input']) =>
    c.cloudTrail(r).send(new DeleteTrailCommand(i)),
  'cloudtrail:StartLogging': (c: AwsClients, r: string, i: InstanceType<typeof StartLoggingCommand>['input']) =>
    c.cloudTrail(r).send(new StartLoggingCommand(i)),
  'cloudtrail:StopLogging': (c: AwsClients, r: string, i: InstanceType<typeof StopLoggingCommand>['input']) =>
    c.cloudTrail(r).send(new StopLoggingCommand(i)),
  'config:DescribeConfigurationRecorderStatus': (
    c: AwsClients,
    r: string,
    i: InstanceType<typeof DescribeConfigurationRecorderStatusCommand>['input'],
  ) => c.config(r).send(new DescribeConfigurationRecorderStatusCommand(i)),
  'config:PutConfigurationRecorder': (
    c: AwsClients,
    r: string,
    i: InstanceType<typeof PutConfigurationRecorderCommand>['input'],
  ) => c.config(r).send(new PutConfigurationRecorderCommand(i)),
  'config:DeleteConfigurationRecorder': (
    c: AwsClients,
    r: string,
    i: InstanceType<typeof DeleteConfigurationRecorderCommand>['input'],
  ) => c.config(r).send(new DeleteConfigurationRecorderCommand(i)),
  'config:PutDeliveryChannel': (c: AwsClients, r: string, i: InstanceType<typeof PutDeliveryChannelCommand>['input']) =>
    c.config(r).send(new PutDeliveryChannelCommand(i)),
  'config:DeleteDeliveryChannel': (
    c: AwsClients,
    r: string,
    i: InstanceType<typeof DeleteDeliveryChannelCommand>['input'],
  ) => c.config(r).send(new DeleteDeliveryChannelCommand(i)),
  'config:StartConfigurationRecorder': (
    c: AwsClients,
    r: string,
    i: InstanceType<typeof StartConfigurationRecorderCommand>['input'],
  ) => c.config(r).send(new StartConfigurationRecorderCommand(i)),
  'config:StopConfigurationRecorder': (
    c: AwsClients,
    r: string,
    i: InstanceType<typeof StopConfigurationRecorderCommand>['input'],
  ) => c.config(r).send(new StopConfigurationRecorderCommand(i)),
  'securityhub:EnableSecurityHub': (
    c: AwsClients,
    r: string,
    i: InstanceType<typeof EnableSecurityHubCommand>['input'],
  ) => c.securityHub(r).send(new EnableSecurityHubCommand(i)),
  'securityhub:DisableSecurityHub': (
    c: AwsClients,
    r: string,
    i: InstanceType<typeof DisableSecurityHubCommand>['input'],
  ) => c.securityHub(r).send(new DisableSecurityHubCommand(i)),
  'account:GetAlternateContact': (
    c: AwsClients,
    _r: string,
    i: InstanceType<typeof GetAlternateContactCommand>['input'],
  ) => c.account().send(new GetAlternateContactCommand(i)),
  'account:PutAlternateContact': (
    c: AwsClients,
    _r: string,
    i: InstanceType<typeof PutAlternateContactCommand>['input'],
  ) => c.account().send(new PutAlternateContactCommand(i)),
  'account:DeleteAlternateContact': (
    c: AwsClients,
    _r: string,
    i: InstanceType<typeof DeleteAlternateContactCommand>['input'],
  ) => c.account().send(new DeleteAlternateContactCommand(i)),
  'ec2:DescribeInstances': (c: AwsClients, r: string, i: InstanceType<typeof DescribeInstancesCommand>['input']) =>
    c.ec2(r).send(new DescribeInstancesCommand(i)),
  'ec2:StopInstances': (c: AwsClients, r: string, i: InstanceType<typeof StopInstancesCommand>['input']) =>
    c.ec2(r).send(new StopInstancesCommand(i)),
  'ec2:StartInstances': (c: AwsClients, r: string, i: InstanceType<typeof StartInstancesCommand>['input']) =>
    c.ec2(r).send(new StartInstancesCommand(i)),
  'ec2:ModifyInstanceAttribute': (
    c: AwsClients,
    r: string,
    i: InstanceType<typeof ModifyInstanceAttributeCommand>['input'],
  ) => c.ec2(r).send(new ModifyInstanceAttributeCommand(i)),
  'ec2:DescribeSecurityGroupRules': (
    c: AwsClients,
    r: string,
    i: InstanceType<typeof DescribeSecurityGroupRulesCommand>['input'],
  ) => c.ec2(r).send(new DescribeSecurityGroupRulesCommand(i)),
  'ec2:RevokeSecurityGroupIngress': (
    c: AwsClients,
    r: string,
    i: InstanceType<typeof RevokeSecurityGroupIngressCommand>['input'],
  ) => c.ec2(r).send(new RevokeSecurityGroupIngressCommand(i)),
  'ec2:AuthorizeSecurityGroupIngress': (
    c: AwsClients,
    r: string,
    i: InstanceType<typeof AuthorizeSecurityGroupIngressCommand>['input'],
  ) => c.ec2(r).send(new AuthorizeSecurityGroupIngressCommand(i)),
  'rds:StopDBInstance': (c: AwsClients, r: string, i: InstanceType<typeof StopDBInstanceCommand>['input']) =>
    c.rds(r).send(new StopDBInstanceCommand(i)),
  'rds:StartDBInstance': (c: AwsClients, r: string, i: InstanceType<typeof StartDBInstanceCommand>['input']) =>
    c.rds(r).send(new StartDBInstanceCommand(i)),
  'lambda:GetFunctionConcurrency': (
    c: AwsClients,
    r: string,
    i: InstanceType<typeof GetFunctionConcurrencyCommand>['input'],
  ) => c.lambda(r).send(new GetFunctionConcurrencyCommand(i)),
  'lambda:PutFunctionConcurrency': (
    c: AwsClients,
    r: string,
    i: InstanceType<typeof PutFunctionConcurrencyCommand>['input'],
  ) => c.lambda(r).send(new PutFunctionConcurrencyCommand(i)),
  'lambda:DeleteFunctionConcurrency': (
    c: AwsClients,
    r: string,
    i: InstanceType<typeof DeleteFunctionConcurrencyCommand>['input'],
  ) => c.lambda(r).send(new DeleteFunctionConcurrencyCommand(i)),
  'ecs:DescribeServices': (c: AwsClients, r: string, i: InstanceType<typeof DescribeServicesCommand>['input']) =>
    c.ecs(r).send(new DescribeServicesCommand(i)),
  'ecs:UpdateService': (c: AwsClients, r: string, i: InstanceType<typeof UpdateServiceCommand>['input']) =>
    c.ecs(r).send(new UpdateServiceCommand(i)),
  'iam:ListAccessKeys': (c: AwsClients, _r: string, i: InstanceType<typeof ListAccessKeysCommand>['input']) =>
    c.iam().send(new ListAccessKeysCommand(i)),
  'iam:UpdateAccessKey': (c: AwsClients, _r: string, i: InstanceType<typeof UpdateAccessKeyCommand>['input']) =>
    c.iam().send(new UpdateAccessKeyCommand(i)),
  'iam:GetUser': (c: AwsClients, _r: string, i: InstanceType<typeof GetUserCommand>['input']) =>
    c.iam().send(new GetUserCommand(i)),
  'iam:PutUserPermissionsBoundary': (
    c: AwsClients,
    _r: string,
    i: InstanceType<typeof PutUserPermissionsBoundaryCommand>['input'],
  ) => c.iam().send(new PutUserPermissionsBoundaryCommand(i)),
  'iam:DeleteUserPermissionsBoundary': (
    c: AwsClients,
    _r: string,
    i: InstanceType<typeof DeleteUserPermissionsBoundaryCommand>['input'],
  ) => c.iam().send(new DeleteUserPermissionsBoundaryCommand(i)),
  'iam:GetLoginProfile': (c: AwsClients, _r: string, i: InstanceType<typeof GetLoginProfileCommand>['input']) =>
    c.iam().send(new GetLoginProfileCommand(i)),
  'iam:DeleteLoginProfile': (c: AwsClients, _r: string, i: InstanceType<typeof DeleteLoginProfileCommand>['input']) =>
    c.iam().send(new DeleteLoginProfileCommand(i)),
  'iam:CreateLoginProfile': (c: AwsClients, _r: string, i: InstanceType<typeof CreateLoginProfileCommand>['input']) =>
    c.iam().send(new CreateLoginProfileCommand(i)),
  's3:GetPublicAccessBlock': (c: AwsClients, r: string, i: InstanceType<typeof GetPublicAccessBlockCommand>['input']) =>
    c.s3(r).send(new GetPublicAccessBlockCommand(i)),
  's3:PutPublicAccessBlock': (c: AwsClients, r: string, i: InstanceType<typeof PutPublicAccessBlockCommand>['input']) =>
    c.s3(r).send(new PutPublicAccessBlockCommand(i)),
  's3:DeletePublicAccessBlock': (
    c: AwsClients,
    r: string,
    i: InstanceType<typeof DeletePublicAccessBlockCommand>['input'],
  ) => c.s3(r).send(new DeletePublicAccessBlockCommand(i)),
}

/** A command Assure can send, as `service:command`. */
export type CommandKey = keyof typeof SENDERS

/** The SDK input of a command. */
export type InputOf<K extends CommandKey> = NonNullable<Parameters<(typeof SENDERS)[K]>[2]>

/** The AWS services remediation touches, as plans print them. */
export type Service = CommandKey extends `${infer S}:${string}` ? S : never

/**
 * How a planned call's input is completed from what the reads before it found, for what a scan cannot know in
 * advance: a user's access key IDs, an instance's VPC, an ECS service's subnets.
 */
export type Fill =
  /** Sent once per access key the preceding ListAccessKeys found active, with its AccessKeyId. */
  | { readonly kind: 'each-active-access-key' }
  /** Groups set to the quarantine group of the instance's VPC (from the preceding DescribeInstances). */
  | { readonly kind: 'quarantine-group'; readonly groupsByVpc: Readonly<Record<string, string>> }
  /** The service's awsvpc subnets and security groups kept (from the preceding DescribeServices). */
  | { readonly kind: 'keep-awsvpc-configuration' }

/** One SDK command as a plan holds it: plain data, printed before anything is sent. */
export interface PlannedCall {
  readonly service: Service
  readonly command: string
  readonly region: string
  readonly input: Readonly<Record<string, unknown>>
  /** `read` records the state a change replaces, so it can be rolled back; `change` alters the account. */
  readonly purpose: 'read' | 'change'
  readonly fill?: Fill
}

/** Builds a planned call, with its input typed by the SDK command it names. */
export function plannedCall<K extends CommandKey>(
  key: K,
  region: string,
  input: InputOf<K>,
  options: { purpose?: 'read' | 'change'; fill?: Fill } = {},
): PlannedCall {
  const [service, command] = key.split(':') as [Service, string]
  return {
    service,
    command,
    region,
    input: input as Readonly<Record<string, unknown>>,
    purpose: options.purpose ?? 'change',
    ...(options.fill === undefined ? {} : { fill: options.fill }),
  }
}

/**
 * Builds a planned call whose input is completed at apply time (see `Fill`): the fields the fill supplies are left
 * out of the plan rather than shown with placeholder values.
 */
export function filledCall<K extends CommandKey>(
  key: K,
  region: string,
  input: Readonly<Record<string, unknown>>,
  fill: Fill,
): PlannedCall {
  return plannedCall(key, region, input as InputOf<K>, { fill })
}

/** The `service:command` key of a call. */
export const keyOf = (call: Pick<PlannedCall, 'service' | 'command'>): string => `${call.service}:${call.command}`

/** True when Assure knows how to send the call. */
export const isKnownCommand = (key: string): key is CommandKey => Object.hasOwn(SENDERS, key)

/** What AWS answered: the SDK output and its request ID. */
export interface Sent {
  readonly output: Record<string, unknown>
  readonly requestId: string | null
}

/**
 * Sends one call through the throttle budget, in the lane of its API for the account and region (the lanes the
 * collectors use). AWS errors are thrown as the SDK throws them; callers turn them into records.
 */
export async function sendCall(
  clients: AwsClients,
  budget: Budget,
  accountId: string,
  call: Pick<PlannedCall, 'service' | 'command' | 'region' | 'input'>,
): Promise<Sent> {
  const key = keyOf(call)
  if (!isKnownCommand(key)) throw new Error(`Assure cannot send ${key}`)
  const send = SENDERS[key] as unknown as (c: AwsClients, r: string, i: unknown) => Promise<Record<string, unknown>>
  const output = await budget.call(key, `${accountId}|${call.region}`, () => send(clients, call.region, call.input))
  const metadata = (output as { $metadata?: { requestId?: string } } | undefined)?.$metadata
  return { output: output ?? {}, requestId: metadata?.requestId ?? null }
}

/** The request ID of a failed call, when AWS answered at all. */
export const requestIdOf = (error: unknown): string | null =>
  (error as { $metadata?: { requestId?: string } } | null)?.$metadata?.requestId ?? null

/** The error name the SDK gives an AWS exception. */
export const errorName = (error: unknown): string => (error instanceof Error ? error.name : 'Error')

const FILLS = {
  'each-active-access-key': 'once per active access key found, with its AccessKeyId',
  'quarantine-group': 'Groups = the quarantine group of the instance’s VPC',
  'keep-awsvpc-configuration': 'subnets and security groups kept as DescribeServices reports them',
} as const

/**
 * One line of a plan, as `npx assure baseline enforce` prints it: service, command, region and the exact JSON
 * input, e.g. `guardduty UpdateDetector eu-west-2 {"DetectorId":"det-1","Enable":true}`. A read is marked, and a
 * call completed at apply time says how.
 */
export function describeCall(
  call: Pick<PlannedCall, 'command' | 'region' | 'input'> & {
    service: string
    purpose?: PlannedCall['purpose']
    fill?: PlannedCall['fill']
  },
): string {
  const line = `${call.service} ${call.command} ${call.region} ${JSON.stringify(call.input)}`
  const fill = call.fill === undefined ? '' : ` (${FILLS[call.fill.kind]})`
  const read = call.purpose === 'read' ? ' (read, for rollback)' : ''
  return `${line}${fill}${read}`
}
