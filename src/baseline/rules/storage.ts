import type { Evaluation } from '../findings.ts'
import { GLOBAL } from '../findings.ts'
import type { BaselineSettings } from '../settings.ts'
import type { AccountSnapshot, Bucket, PublicAccessBlock } from '../snapshot.ts'
import { both, evaluate } from './evaluate.ts'

const KMS = new Set(['aws:kms', 'aws:kms:dsse'])

/**
 * Guidance, Encryption: "S3 buckets without suitable SSE-* encryption enabled are alerted". Which kind is suitable is
 * the deployment's choice: SSE-S3 (AES256) or better, or KMS-managed keys only.
 */
export function bucketsEncrypted(snapshot: AccountSnapshot, settings: BaselineSettings): Evaluation {
  return evaluate({ ruleId: 'AWS-ENC-03', accountId: snapshot.accountId, region: GLOBAL }, snapshot.buckets, buckets =>
    buckets.flatMap(bucket => {
      const algorithm = bucket.defaultEncryption
      const suitable =
        algorithm !== null && (KMS.has(algorithm) || (settings.encryption === 'sse-s3' && algorithm === 'AES256'))
      if (suitable) return []
      return [
        {
          resourceArn: bucket.arn,
          region: bucket.region,
          summary:
            algorithm === null
              ? `S3 bucket ${bucket.name} has no default encryption`
              : `S3 bucket ${bucket.name} uses ${algorithm}; SSE-KMS is required`,
          evidence: { bucket: bucket.name, defaultEncryption: algorithm, required: settings.encryption },
        },
      ]
    }),
  )
}

/** How a bucket is open to the world once the account's and the bucket's Public Access Blocks are applied. */
export function publicExposure(bucket: Bucket, account: PublicAccessBlock | null): string[] {
  const blocks = (flag: keyof PublicAccessBlock) =>
    account?.[flag] === true || bucket.publicAccessBlock?.[flag] === true
  const exposure: string[] = []
  // IgnorePublicAcls makes S3 disregard public ACLs on the bucket and its objects; RestrictPublicBuckets limits a
  // public policy to AWS services and the account's own principals.
  if (bucket.aclPublicGrantees.length > 0 && !blocks('ignorePublicAcls')) exposure.push('bucket ACL')
  if (bucket.publicObjectKeys.length > 0 && !blocks('ignorePublicAcls')) exposure.push('object ACLs')
  if (bucket.policyIsPublic && !blocks('restrictPublicBuckets')) exposure.push('bucket policy')
  return exposure
}

/**
 * Guidance, 'World' Access: S3 objects are "not world (public) readable unless specifically intended" — intended
 * meaning declared in the infrastructure-as-code allow-list.
 */
export function bucketsNotPublic(snapshot: AccountSnapshot, settings: BaselineSettings): Evaluation {
  return evaluate(
    { ruleId: 'AWS-S3W-02', accountId: snapshot.accountId, region: GLOBAL },
    both(snapshot.buckets, snapshot.accountPublicAccessBlock),
    ([buckets, account]) =>
      buckets
        .filter(bucket => !settings.intended.buckets.has(bucket.name))
        .flatMap(bucket => {
          const exposure = publicExposure(bucket, account)
          if (exposure.length === 0) return []
          return [
            {
              resourceArn: bucket.arn,
              region: bucket.region,
              summary: `S3 bucket ${bucket.name} is public through its ${exposure.join(' and ')}`,
              evidence: {
                bucket: bucket.name,
                exposure,
                aclGrantees: [...bucket.aclPublicGrantees],
                publicObjects: bucket.publicObjectKeys.slice(0, 20),
              },
            },
          ]
        }),
  )
}
