/**
 * What the collectors observed of one AWS account at one scan: the typed input every detection rule reads. Each
 * part is either observed or not (an error, throttling, access denied), because the guidance's clocks count
 * *consecutive* days of violation: a part that could not be observed must neither raise nor clear a finding.
 */

/** A part of the snapshot the collectors did or did not manage to read. */
export type Observed<T> =
  { readonly observed: true; readonly value: T } | { readonly observed: false; readonly error: string }

/** Wraps a value the collectors read. */
export const seen = <T>(value: T): Observed<T> => ({ observed: true, value })

/** Marks a part the collectors could not read, with why (the SDK error's name and message). */
export const unseen = <T = never>(error: string): Observed<T> => ({ observed: false, error })

/** A GuardDuty detector as `ListDetectors` + `GetDetector` report it; a suspended detector reports `DISABLED`. */
export interface Detector {
  readonly id: string
  readonly status: 'ENABLED' | 'DISABLED'
}

/** A GuardDuty finding, from `ListFindings` + `GetFindings`. */
export interface GuardDutyFinding {
  readonly id: string
  readonly type: string
  readonly severity: number
  readonly title: string
  readonly resourceArn?: string
}

/** A trail with its status: `DescribeTrails`, `GetTrailStatus` (from its home region) and `GetEventSelectors`. */
export interface Trail {
  readonly name: string
  readonly arn: string
  readonly homeRegion: string
  readonly isMultiRegion: boolean
  readonly isLogging: boolean
  readonly includesManagementEvents: boolean
  readonly s3BucketName: string | null
  /** `GetTrailStatus.LatestDeliveryError`: delivery to the bucket is failing. */
  readonly latestDeliveryError: string | null
}

/**
 * An AWS Config recorder and its status. Service-linked recorders (Security Hub's, for example) report a
 * `servicePrincipal` and record only for that service: they are not the account's own recorder.
 */
export interface ConfigRecorder {
  readonly name: string
  readonly recording: boolean
  readonly servicePrincipal: string | null
}

/** The configuration recorder and delivery channels of one region. */
export interface ConfigService {
  readonly recorders: readonly ConfigRecorder[]
  readonly deliveryChannels: ReadonlyArray<{ readonly name: string; readonly s3BucketName: string | null }>
}

/** The resource types the inventory covers, as AWS Config names them. */
export const RESOURCE_TYPES = [
  'AWS::EC2::Instance',
  'AWS::EC2::SecurityGroup',
  'AWS::EC2::Volume',
  'AWS::S3::Bucket',
  'AWS::RDS::DBInstance',
  'AWS::Lambda::Function',
  'AWS::ECS::Service',
] as const
export type ResourceType = (typeof RESOURCE_TYPES)[number]

/** One resource of a supported type, with its tags: an empty map for a resource that was never tagged. */
export interface InventoryResource {
  readonly arn: string
  readonly type: ResourceType
  readonly id: string
  readonly region: string
  readonly tags: Readonly<Record<string, string>>
  /**
   * True for what AWS itself creates in every region (a default VPC's `default` security group): nobody created it,
   * so it is neither a tagging nor a region finding.
   */
  readonly managedByAws: boolean
}

/** An ingress rule of a security group (`DescribeSecurityGroupRules`). */
export interface IngressRule {
  readonly ruleId: string
  readonly protocol: string
  readonly fromPort: number | null
  readonly toPort: number | null
  readonly cidrIpv4: string | null
  readonly cidrIpv6: string | null
}

/** A security group and its ingress rules. */
export interface SecurityGroup {
  readonly id: string
  readonly arn: string
  readonly ingress: readonly IngressRule[]
}

/** A running or stopped EC2 instance, with its public address and the security groups attached to it. */
export interface Instance {
  readonly id: string
  readonly arn: string
  readonly state: string
  readonly publicIp: string | null
  readonly securityGroupIds: readonly string[]
}

/** An ECS service, with whether its tasks are given public IPs (`awsvpcConfiguration.assignPublicIp`). */
export interface EcsService {
  readonly arn: string
  readonly assignPublicIp: boolean
}

/** What one enabled region holds. */
export interface RegionSnapshot {
  readonly region: string
  readonly guardDuty: Observed<{
    readonly detectors: readonly Detector[]
    readonly findings: readonly GuardDutyFinding[]
  }>
  readonly config: Observed<ConfigService>
  /** `DescribeHub`: false when Security Hub answers that the account is not subscribed. */
  readonly securityHubEnabled: Observed<boolean>
  readonly resources: Observed<readonly InventoryResource[]>
  readonly instances: Observed<readonly Instance[]>
  readonly securityGroups: Observed<readonly SecurityGroup[]>
  readonly ecsServices: Observed<readonly EcsService[]>
}

/** A row of the IAM credential report; dates are null where the report says `N/A`, `no_information` or `not_supported`. */
export interface CredentialReportRow {
  readonly user: string
  readonly arn: string
  readonly userCreationTime: Date
  readonly passwordEnabled: boolean
  readonly passwordLastUsed: Date | null
  readonly mfaActive: boolean
  readonly accessKeys: ReadonlyArray<{
    readonly active: boolean
    readonly lastRotated: Date | null
    readonly lastUsed: Date | null
  }>
}

/** The credential report's user name for the root user. */
export const ROOT_USER = '<root_account>'

/** An S3 bucket's access settings (`GetBucketPublicAccessBlock`, `GetBucketPolicyStatus`, `GetBucketAcl`, encryption). */
export interface Bucket {
  readonly name: string
  readonly arn: string
  readonly region: string
  readonly publicAccessBlock: PublicAccessBlock | null
  /** `GetBucketPolicyStatus.PolicyStatus.IsPublic`; false when the bucket has no policy. */
  readonly policyIsPublic: boolean
  /** ACL grantee group URIs (AllUsers, AuthenticatedUsers) granted any permission on the bucket. */
  readonly aclPublicGrantees: readonly string[]
  /** Objects found with public ACL grants, when the collector sampled object ACLs. */
  readonly publicObjectKeys: readonly string[]
  /** `GetBucketEncryption`'s default algorithm: `AES256` (SSE-S3), `aws:kms`, `aws:kms:dsse`, or null for none. */
  readonly defaultEncryption: string | null
}

/** An S3 Public Access Block, at account or bucket level. */
export interface PublicAccessBlock {
  readonly blockPublicAcls: boolean
  readonly ignorePublicAcls: boolean
  readonly blockPublicPolicy: boolean
  readonly restrictPublicBuckets: boolean
}

/** An alternate contact (`GetAlternateContact`). */
export interface Contact {
  readonly name: string
  readonly title: string
  readonly email: string
}

/** What was observed of one account, across its enabled regions. */
export interface AccountSnapshot {
  readonly accountId: string
  readonly collectedAt: Date
  readonly regions: readonly RegionSnapshot[]
  /** Trails listed in every region (shadow trails included) and de-duplicated by ARN. */
  readonly trails: Observed<readonly Trail[]>
  readonly credentialReport: Observed<readonly CredentialReportRow[]>
  /** Times the root user changed its password: CloudTrail `PasswordUpdated` events by root, read in us-east-1. */
  readonly rootPasswordChanges: Observed<readonly Date[]>
  readonly securityContact: Observed<Contact | null>
  readonly accountPublicAccessBlock: Observed<PublicAccessBlock | null>
  readonly buckets: Observed<readonly Bucket[]>
}
