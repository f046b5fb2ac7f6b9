import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { loadCatalogue, BUILT_IN_DATA_DIR } from './load.ts'
import { checkCoverage } from './coverage.ts'
import { contentsHeadings } from './guidance.ts'
import { durationParameter, integerParameter, listParameter, parameter } from './catalogue.ts'
import { meaningHash, publicationRecord } from './published.ts'

const catalogue = loadCatalogue()
const SHARED_GUIDANCE = path.resolve('..', 'shared', 'guidance', 'moj-cyber-security-guidance-supplier-edition.txt')

describe('the built-in catalogue', () => {
  it(
    'quotes the published guidance, kept byte for byte beside the data',
    { skip: !existsSync(SHARED_GUIDANCE) && 'no ../shared checkout' },
    () => {
      assert.equal(catalogue.guidanceText, readFileSync(SHARED_GUIDANCE, 'utf8'))
    },
  )

  it('represents every section of the guidance and quotes every statement verbatim', () => {
    const headings = contentsHeadings(catalogue.guidanceText)
    assert.equal(headings.length, 37)
    assert.equal(headings[0], 'Getting in contact')
    assert.equal(headings.at(-1), 'Data security and privacy')
    assert.deepEqual(checkCoverage(catalogue), [])
  })

  it('fails the coverage check when a section loses its entries', () => {
    const withoutMfa = {
      ...catalogue,
      requirements: catalogue.requirements.filter(r => r.section !== 'mfa'),
      informational: catalogue.informational.filter(i => i.section !== 'mfa'),
    }
    assert.deepEqual(checkCoverage(withoutMfa), [
      {
        path: 'Multi-Factor Authentication (MFA) Guide',
        message: 'has neither requirements nor an informational entry',
      },
    ])
  })

  it('fails the coverage check when a statement is paraphrased', () => {
    const paraphrased = catalogue.requirements.map(r =>
      r.id === 'TSC-L2-01' ? { ...r, statement: 'Lock accounts after ten bad passwords.' } : r,
    )
    assert.deepEqual(checkCoverage({ ...catalogue, requirements: paraphrased }), [
      { path: 'TSC-L2-01', message: 'statement is not quoted verbatim from Technical Security Controls Guide' },
    ])
  })

  it('holds well over 200 requirements, each with an MCSS function', () => {
    assert.ok(catalogue.requirements.length > 200, `only ${catalogue.requirements.length}`)
    for (const requirement of catalogue.requirements) assert.ok(requirement.mcss.length > 0, requirement.id)
  })

  it('holds every number the guidance sets as a typed parameter', () => {
    const durations: Record<string, string> = {
      'session-inactivity-timeout': 'PT5M',
      'log-retention-min': 'P6M',
      'log-retention-max': 'P2Y',
      'sal-acknowledgement-period': 'P14D',
      'sal-confirmation-period': 'P28D',
      'sal-subcontractor-copy-period': 'P28D',
      'failed-destruction-notification': 'PT24H',
      'data-return-period': 'P30D',
      'backup-test-interval': 'P3M',
      'control-review-interval': 'P12M',
      'privileged-account-audit-interval': 'P1M',
      'aws-untagged-grace': 'P7D',
      'aws-non-eu-grace': 'PT12H',
      'aws-iam-idle-threshold': 'P30D',
      'aws-iam-no-mfa-grace': 'P7D',
      'aws-root-credential-rotation': 'P7D',
      'aws-s3-encryption-escalation': 'P7D',
      'aws-s3-world-access-removal': 'P7D',
      'aws-compute-world-access-removal': 'P7D',
    }
    for (const [id, value] of Object.entries(durations)) assert.equal(durationParameter(catalogue, id), value, id)
    assert.equal(integerParameter(catalogue, 'lockout-threshold'), 10)
    assert.equal(integerParameter(catalogue, 'destruction-overwrite-passes'), 3)
    assert.equal(integerParameter(catalogue, 'paper-shredding-din-66399-level'), 4)
    assert.deepEqual(parameter(catalogue, 'paper-shredding-max-particle-area'), {
      id: 'paper-shredding-max-particle-area',
      label: parameter(catalogue, 'paper-shredding-max-particle-area').label,
      type: 'integer',
      value: 160,
      unit: 'mm2',
      requirement: 'DD-05',
    })
    assert.equal(parameter(catalogue, 'paper-shredding-max-strip-width').type, 'integer')
    assert.equal(integerParameter(catalogue, 'paper-shredding-max-strip-width'), 6)
    assert.deepEqual(listParameter(catalogue, 'mfa-preference').slice(0, 3), [
      'Hardware-based',
      'Software-based',
      'Time-based One Time Password (TOTP)-based',
    ])
    assert.ok(listParameter(catalogue, 'aws-eu-regions').includes('eu-west-2'))
  })

  it('defines each number once; other statements of it refer to it', () => {
    const retentionRefs = catalogue.requirements
      .filter(r => r.parameterRefs.includes('log-retention-min'))
      .map(r => r.id)
    assert.ok(retentionRefs.includes('AC-10'), retentionRefs.join(','))
    assert.equal(catalogue.parameters.get('log-retention-min')?.requirement, 'ACCT-04')
  })

  it('keeps every published ID with the meaning it was published with', () => {
    const published = JSON.parse(readFileSync(path.join(BUILT_IN_DATA_DIR, 'published.json'), 'utf8')) as Record<
      string,
      Record<string, string>
    >
    const current = new Map(catalogue.requirements.map(r => [r.id, r]))
    for (const [version, ids] of Object.entries(published)) {
      for (const [id, hash] of Object.entries(ids)) {
        const requirement = current.get(id)
        if (requirement !== undefined)
          assert.equal(meaningHash(requirement), hash, `${id} changed meaning since ${version}; give it a new ID`)
      }
    }
    // A published version is frozen: changing its content needs a new version number.
    assert.deepEqual(
      published[catalogue.version],
      publicationRecord(catalogue),
      `catalogue ${catalogue.version} differs from what was published; bump the version`,
    )
  })
})
