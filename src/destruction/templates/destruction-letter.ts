/**
 * The data destruction Instruction & Confirmation Letter, as the guidance publishes it (Compliance, Data destruction,
 * "Letter issued by MoJ"), kept as data so the letter Assure issues is the guidance's own text. Changes, marked here
 * rather than hidden in the text:
 * - the contract reference, date of issue, addressee and an "Instruction" paragraph head the letter (Assure's
 *   addition: an instruction belongs to a contract). The Instruction paragraph restates the short-format clause
 *   ("return all Authority Data in a machine-readable non-proprietary format ... within 30 (thirty) calendar days of
 *   the end of the contract") and long-format clause 1f ("notify the Authority within 24 (twenty-four) hours of
 *   identification of unsuccessful or incomplete data destruction"), since those are the clocks Assure runs;
 * - every number (overwrite passes, DIN 66399 level, particle area, strip width, periods) is a catalogue parameter,
 *   written as the guidance writes numbers: "3 (three)";
 * - links are plain text.
 * The declaration's blanks stay blanks here: the signatory fills them in as typed clauses (see DECLARATION_CLAUSES).
 */

/** The placeholders the letter uses, with the variable each is filled from. */
export const LETTER_PLACEHOLDERS = {
  '<NAME OR ROLE OF SECURITY DIRECTOR>': 'securityDirector',
  '<ORGANISATION LONG LEGAL NAME>': 'longLegalName',
  '<ORGANISATION SHORTNAME>': 'shortName',
  '<CONTRACT REFERENCE>': 'contractReference',
  '<DATE>': 'date',
  '<CONTRACT END DATE>': 'contractEndDate',
  '<DATA RETURN DUE DATE>': 'dataReturnDueDate',
} as const

/** The placeholders filled from catalogue parameters, with the parameter each comes from. */
export const NUMBER_PLACEHOLDERS = {
  '<OVERWRITE PASSES>': 'destruction-overwrite-passes',
  '<DIN 66399 LEVEL>': 'paper-shredding-din-66399-level',
  '<MAX PARTICLE AREA>': 'paper-shredding-max-particle-area',
  '<MAX STRIP WIDTH>': 'paper-shredding-max-strip-width',
  '<DATA RETURN PERIOD>': 'data-return-period',
  '<FAILED DESTRUCTION NOTIFICATION>': 'failed-destruction-notification',
} as const

/** The standards list and the two "must include" paragraphs, shared by the letter, the appendix and the clauses. */
export const STANDARDS_TEXT = `The following standards and guidelines are the minimum basis for data decommissioning or destruction. Follow and apply them as appropriate. There might also be extra steps specific to a data set or system.

- National Cyber Security Centre (NCSC) guidance on end-user device reset procedures: https://www.ncsc.gov.uk/guidance/end-user-device-guidance-factory-reset-and-reprovisioning
- NCSC guidance on secure sanitisation of storage media: https://www.ncsc.gov.uk/guidance/secure-sanitisation-storage-media
- NCSC Cloud Security Principle 2: Asset Protection and Resilience (Data Destruction): https://www.ncsc.gov.uk/guidance/cloud-security-principle-2-asset-protection-and-resilience#sanitisation
- Payment Card Industry Data Security Standard (PCI-DSS) (Data Destruction): https://www.pcisecuritystandards.org
- DIN: http://www.din-66399.com/index.php/en/securitylevels

Data Destruction for electronic/magnetic storage must include, unless otherwise superseded by NCSC, PCI-DSS or specific <GUIDANCE OWNER> guidance:

- the revocation or otherwise destruction of decryption keys and/or mechanisms to render data inaccessible or otherwise void through the use of modern cryptography; AND/OR
- data overwriting methods consisting of at least <OVERWRITE PASSES> complete overwrite passes of random data.

Data Destruction for printed materials must include, unless otherwise superseded by NCSC or specific <GUIDANCE OWNER> guidance:

- paper cross-shredding methods to satisfy at least the DIN 66399 Level <DIN 66399 LEVEL> standard with a maximum cross cut particle surface area <MAX PARTICLE AREA> millimeters squared with a maximum strip width of <MAX STRIP WIDTH> millimeters`

/** The letter, one paragraph or heading a line, paragraphs separated by blank lines. */
export const DESTRUCTION_LETTER_TEMPLATE = `Contract: <CONTRACT REFERENCE>

Date: <DATE>

Dear <NAME OR ROLE OF SECURITY DIRECTOR>,

Subject: Data destruction instruction and confirmation for <ORGANISATION LONG LEGAL NAME> ("<ORGANISATION SHORTNAME>")

Instruction

The contract ends on <CONTRACT END DATE>. <ORGANISATION SHORTNAME> shall return all Ministry of Justice data in a machine-readable non-proprietary format within <DATA RETURN PERIOD> of the end of the contract, that is by <DATA RETURN DUE DATE>, and shall notify the Ministry of Justice within <FAILED DESTRUCTION NOTIFICATION> of identification of unsuccessful or incomplete data destruction.

Background

For legislative, regulative, privacy and security purposes, it must be possible for Suppliers to decommission and delete (irreversibly 'erase' or 'destroy') data and warrant the same. Similarly, any storage media holding such data must be securely and comprehensively erased before reuse or disposal (such as at end-of-life).

An example of a data destruction obligation is where a Supplier (acting as a 'Data Processor', as defined by Data Protection legislation) working on behalf of, or supplying services to, the Ministry of Justice (the 'Data Controller', as also defined by Data Protection legislation). The Data Processor, including any sub-processor instructed or otherwise involved in Data Processing on the Data Processor's behalf, must comply with instructions from the Data Controller regarding data irrespective of any commercial contract or promise such as a Data Subject exercising the 'right to be forgotten'.

This document provides an acceptable data destruction baseline from the Ministry of Justice, and associated declaration. When followed completely, this baseline for data destruction is considered sufficient to comply with data decommissioning and disposable tasks (and corresponding supplier assurances) for material classified as OFFICIAL under the UK HMG Government Security Classifications Policy (including sensitive personal data or sensitive commercial data within the same).

Data Lifecycle

The Ministry of Justice informally acknowledge that automated systems involved in data management and associated lifecycles may not be capable of immediate decommissioning data on demand. Examples of such systems are data backup and disaster recovery solutions that have a defined and automated data cycle and retention system.

The Ministry of Justice require positive confirmation of the final date by which these systems will have completed their data lifecycle tasks and data destruction will have been completed by.

Where data cannot be erased immediately, there must be methods in place to limit and constrain access to the data until the data lifecycle is complete or manual intervention can be made and subsequent data destruction assured.

The Ministry of Justice reserves all rights regarding instructions relating to data. This includes any need for immediate data destruction.

Standards

${STANDARDS_TEXT.replaceAll('<GUIDANCE OWNER>', 'MoJ')}

The required outcome is to ensure that Ministry of Justice data is inaccessible by any reasonable commercial and resourced means (such as commercially available data recovery services).

Supplier declaration

Please sign the declaration below and return this letter to the Ministry of Justice, keeping a copy for your own records. Should you have any queries, please contact the Ministry of Justice CISO via security@digital.justice.gov.uk

Return electronically. Electronic signatures or otherwise positive confirmation are accepted.

Chief Information Security Officer Ministry of Justice 102 Petty France Westminster, London SW1H 9AJ
security@digital.justice.gov.uk

Date: _____

We hereby confirm that all Ministry of Justice data, including non-proprietary data generated through the provision of Service, has been suitably, appropriately, and irreversibly destroyed in its entirety and rendered permanently inaccessible and void.

Data backup, including disaster recovery systems, will automatically conduct appropriate data destruction as part of an automated data life cycle on or before the _____ (Strike as applicable)

Anonymised and/or non-Personal Data has been retained for statistical analytical purposes only. We warrant compliance with all applicable data protection and privacy legislation in this regard. (Strike as applicable)

Contract/project reference: _____

For and on behalf of organisation: _____

Name: _____

Position: _____

Date: _____
`

/** Where the signed declaration is returned to (the letter's own address block). */
export const DECLARATION_ADDRESSEE =
  'Chief Information Security Officer Ministry of Justice 102 Petty France Westminster, London SW1H 9AJ, security@digital.justice.gov.uk'

/**
 * The declaration's clauses, each one the signatory decides. `strikable` clauses are the letter's "(Strike as
 * applicable)" ones; the first is not, so a supplier that cannot confirm it reports failed or incomplete destruction
 * instead. A clause with a `date` asks for the date its blank stands for; that date becomes a tracked obligation.
 */
export const DECLARATION_CLAUSES = [
  {
    id: 'all-data-destroyed',
    text: 'We hereby confirm that all Ministry of Justice data, including non-proprietary data generated through the provision of Service, has been suitably, appropriately, and irreversibly destroyed in its entirety and rendered permanently inaccessible and void.',
    strikable: false,
    label: 'that all Ministry of Justice data has been destroyed',
    date: null,
  },
  {
    id: 'backup-lifecycle',
    text: 'Data backup, including disaster recovery systems, will automatically conduct appropriate data destruction as part of an automated data life cycle on or before the <PROMISED DATE>',
    strikable: true,
    label: 'the clause about data backup and disaster recovery systems',
    date: {
      label: 'date by which backup and disaster recovery systems will have destroyed the data',
      stageKey: 'backup-lifecycle-destruction',
      stageTitle: 'Confirm backup and disaster recovery systems have destroyed the Authority’s data',
    },
  },
  {
    id: 'anonymised-retained',
    text: 'Anonymised and/or non-Personal Data has been retained for statistical analytical purposes only. We warrant compliance with all applicable data protection and privacy legislation in this regard.',
    strikable: true,
    label: 'the clause about anonymised and non-personal data retained',
    date: null,
  },
] as const

export type DeclarationClause = (typeof DECLARATION_CLAUSES)[number]
export type ClauseId = DeclarationClause['id']
