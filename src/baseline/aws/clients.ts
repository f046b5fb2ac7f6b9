import { AccountClient } from '@aws-sdk/client-account'
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail'
import { ConfigServiceClient } from '@aws-sdk/client-config-service'
import { EC2Client } from '@aws-sdk/client-ec2'
import { ECSClient } from '@aws-sdk/client-ecs'
import { GuardDutyClient } from '@aws-sdk/client-guardduty'
import { IAMClient } from '@aws-sdk/client-iam'
import { LambdaClient } from '@aws-sdk/client-lambda'
import { RDSClient } from '@aws-sdk/client-rds'
import { S3Client } from '@aws-sdk/client-s3'
import { S3ControlClient } from '@aws-sdk/client-s3-control'
import { SecurityHubClient } from '@aws-sdk/client-securityhub'
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts'

/** The region global APIs (IAM, Account, S3 Control) and root's CloudTrail events are read from. */
export const GLOBAL_REGION = 'us-east-1'

/** Credentials as the SDK takes them: a provider it calls when it needs them. */
export type Credentials = ConstructorParameters<typeof STSClient>[0] extends infer C
  ? C extends { credentials?: infer K }
    ? K
    : never
  : never

/** The SDK v3 clients one account is scanned or remediated with, one per region, made on first use. */
export interface AwsClients {
  guardDuty(region: string): GuardDutyClient
  cloudTrail(region: string): CloudTrailClient
  config(region: string): ConfigServiceClient
  securityHub(region: string): SecurityHubClient
  ec2(region: string): EC2Client
  ecs(region: string): ECSClient
  rds(region: string): RDSClient
  lambda(region: string): LambdaClient
  s3(region: string): S3Client
  s3Control(): S3ControlClient
  iam(): IAMClient
  account(): AccountClient
}

/**
 * Clients with the given credentials (default: the SDK's standard provider chain) and adaptive retry, which slows a
 * client down when AWS throttles it; Assure's throttle budget spreads calls across clients on top of that.
 */
export function awsClients(options: { credentials?: Credentials } = {}): AwsClients {
  const cache = new Map<string, unknown>()
  const config = (region: string) => ({
    region,
    retryMode: 'adaptive' as const,
    maxAttempts: 3,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
  })
  function made<T>(key: string, make: () => T): T {
    let client = cache.get(key) as T | undefined
    if (client === undefined) {
      client = make()
      cache.set(key, client)
    }
    return client
  }
  return {
    guardDuty: region => made(`guardduty:${region}`, () => new GuardDutyClient(config(region))),
    cloudTrail: region => made(`cloudtrail:${region}`, () => new CloudTrailClient(config(region))),
    config: region => made(`config:${region}`, () => new ConfigServiceClient(config(region))),
    securityHub: region => made(`securityhub:${region}`, () => new SecurityHubClient(config(region))),
    ec2: region => made(`ec2:${region}`, () => new EC2Client(config(region))),
    ecs: region => made(`ecs:${region}`, () => new ECSClient(config(region))),
    rds: region => made(`rds:${region}`, () => new RDSClient(config(region))),
    lambda: region => made(`lambda:${region}`, () => new LambdaClient(config(region))),
    s3: region => made(`s3:${region}`, () => new S3Client(config(region))),
    s3Control: () => made('s3control', () => new S3ControlClient(config(GLOBAL_REGION))),
    iam: () => made('iam', () => new IAMClient(config(GLOBAL_REGION))),
    account: () => made('account', () => new AccountClient(config(GLOBAL_REGION))),
  }
}

/**
 * Clients acting as a role in a supplier's account: the read-only scanning role or the separate remediation role,
 * assumed from the credentials of the standard provider chain.
 */
export function clientsForRole(props: {
  accountId: string
  roleName: string
  sessionName: string
  sts?: STSClient
}): AwsClients {
  const sts = props.sts ?? new STSClient({ region: GLOBAL_REGION })
  const credentials: Credentials = async () => {
    const { Credentials: assumed } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${props.accountId}:role/${props.roleName}`,
        RoleSessionName: props.sessionName,
        DurationSeconds: 3600,
      }),
    )
    if (assumed?.AccessKeyId === undefined || assumed.SecretAccessKey === undefined)
      throw new Error(`AssumeRole into ${props.accountId} returned no credentials`)
    return {
      accessKeyId: assumed.AccessKeyId,
      secretAccessKey: assumed.SecretAccessKey,
      ...(assumed.SessionToken === undefined ? {} : { sessionToken: assumed.SessionToken }),
      ...(assumed.Expiration === undefined ? {} : { expiration: assumed.Expiration }),
    }
  }
  return awsClients({ credentials })
}
