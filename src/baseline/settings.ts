import { durationParameter, listParameter, parameter, type Catalogue } from '../catalogue/catalogue.ts'
import type { Contact } from './snapshot.ts'

/** Which S3 default encryption the Authority accepts: SSE-S3 or better, or only KMS-managed keys. */
export type EncryptionPolicy = 'sse-s3' | 'sse-kms'

/**
 * Public access that is meant to be there: buckets, instances, security groups and ECS services declared public in
 * infrastructure-as-code (see intended.ts). Anything public and not listed is a finding.
 */
export interface IntendedPublic {
  readonly buckets: ReadonlySet<string>
  readonly instances: ReadonlySet<string>
  readonly securityGroups: ReadonlySet<string>
  readonly ecsServices: ReadonlySet<string>
}

/** No public access is intended: the default when no allow-list is given. */
export const NOTHING_INTENDED: IntendedPublic = {
  buckets: new Set(),
  instances: new Set(),
  securityGroups: new Set(),
  ecsServices: new Set(),
}

/** What the rules read: the guidance's numbers from the catalogue, and the deployment's own choices. */
export interface BaselineSettings {
  /** Guidance, GuardDuty: alert for "at least HIGH and above" (severity 7.0). */
  readonly guardDutyAlertSeverity: number
  readonly mandatoryTags: readonly string[]
  readonly businessUnits: readonly string[]
  readonly euRegions: readonly string[]
  /** Guidance, IAM: idle for "30 or more consecutive days". */
  readonly iamIdleThreshold: string
  /** Guidance, IAM: credentials "not updated within 7 days" of a root use. */
  readonly rootRotationPeriod: string
  readonly securityContact: Contact
  /** Ports it "must be truly exceptional" to serve directly from compute, as TCP80, TCP443. */
  readonly commonServicePorts: readonly string[]
  /** The Cyber Security account's bucket every trail must deliver to (the "carbon copy"), when configured. */
  readonly securityLogBucket: string | null
  readonly encryption: EncryptionPolicy
  readonly intended: IntendedPublic
}

/** The settings for a deployment: numbers from the catalogue, the rest from configuration. */
export function baselineSettings(
  catalogue: Catalogue,
  deployment: { securityLogBucket?: string | null; encryption?: EncryptionPolicy; intended?: IntendedPublic } = {},
): BaselineSettings {
  const severity = parameter(catalogue, 'aws-guardduty-alert-min-severity')
  const contact = parameter(catalogue, 'aws-security-contact')
  if (severity.type !== 'decimal') throw new Error('aws-guardduty-alert-min-severity must be a decimal parameter')
  if (contact.type !== 'contact') throw new Error('aws-security-contact must be a contact parameter')
  return {
    guardDutyAlertSeverity: severity.value,
    mandatoryTags: listParameter(catalogue, 'aws-mandatory-tags'),
    businessUnits: listParameter(catalogue, 'aws-business-units'),
    euRegions: listParameter(catalogue, 'aws-eu-regions'),
    iamIdleThreshold: durationParameter(catalogue, 'aws-iam-idle-threshold'),
    rootRotationPeriod: durationParameter(catalogue, 'aws-root-credential-rotation'),
    securityContact: contact.value,
    commonServicePorts: listParameter(catalogue, 'aws-compute-common-service-ports'),
    securityLogBucket: deployment.securityLogBucket ?? null,
    encryption: deployment.encryption ?? 'sse-s3',
    intended: deployment.intended ?? NOTHING_INTENDED,
  }
}
