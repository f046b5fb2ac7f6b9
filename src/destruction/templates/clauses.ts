import { STANDARDS_TEXT } from './destruction-letter.ts'

/**
 * The MoJ commodity data destruction contract clauses (guidance, Compliance, Data destruction: "Long format clause",
 * "Long format appendix", "Short format clause"), in the guidance's words, for buyers to put in contracts. The
 * guidance's own drafting placeholders ("Schedule XX", "Appendix XX", "[G-Cloud]") stay as they are: they are for
 * whoever drafts the contract. Numbers are catalogue parameters, as in the letter (see NUMBER_PLACEHOLDERS).
 */

/** The long format clause, 1a to 1f. */
export const LONG_FORMAT_CLAUSE = `1. Data Destruction

a. The Authority requires the Supplier to ensure that Data Destruction has been adequately completed at the natural end and/or termination of contract as per Schedule XX.

b. The Supplier shall take all reasonable commercial measures to ensure Data Destruction is an irrevocable action to prevent the reconstitution of data, in alignment with methods described in Appendix XX.

c. The Supplier shall notify the Authority when data destruction has taken place, including the final date by which such destruction shall be complete in the case of scheduled data destruction or natural data management lifecycles such as through automated backup or disaster recovery systems.

d. Where data cannot be immediately destroyed, access control methods must be put in place to limit the ability for Data Processing until data destruction can be completed.

e. The Supplier shall provide evidence of data destruction on request from the Authority, including but not limited to, copies of third-party data destruction certificates, copies of internal policy and process documents in relation to data management and data destruction.

f. The Supplier shall notify the Authority within <FAILED DESTRUCTION NOTIFICATION> of identification of unsuccessful or incomplete data destruction.`

/** The long format appendix, a dependency of the long format clause. */
export const LONG_FORMAT_APPENDIX = `${STANDARDS_TEXT.replaceAll('<GUIDANCE OWNER>', 'Authority')}

The required outcome is to ensure that Authority data is inaccessible by any reasonable commercial and resourced means (such as commercially available data recovery services).`

/** The short format clause. */
export const SHORT_FORMAT_CLAUSE = `The Supplier shall return all Authority Data in a machine-readable non-proprietary format defined by the Authority within <DATA RETURN PERIOD> of the end of the contract.

The Supplier must also state, ensure and warrant the final calendar date by which any associated data management lifecycle system(s) will be complete, including the manual or automated data destruction at the end of such period. Such data management lifecycle(s) may include, but are not limited to, the Supplier's supply chain and/or Data Processors, backup system(s) and/or disaster recovery and business continuity system(s). The Authority retains all applicable rights to instruct the Supplier to destroy all Authority Data according to the terms of this [G-Cloud] contract.

The Supplier is required to ensure adequate and complete Data Destruction of Authority Data, including any relevant and associated non-proprietary Supplier Data or work product stemming from the Buyer Data that the Supplier has not been otherwise permitted to retain or use.

Data Destruction must follow applicable guidance from the UK National Cyber Security Centre (NCSC) and/or the Payment Card Industry Data Security Standard (PCI-DSS) and/or DIN 66399.

Data Destruction for electronic/magnetic storage must include, unless otherwise superseded by NCSC, PCI-DSS or specific Authority guidance: the revocation or otherwise destruction of decryption keys and/or mechanisms to render data inaccessible or otherwise void through the use of modern cryptography; AND/OR data overwriting methods consisting of at least <OVERWRITE PASSES> complete overwrite passes of random data.

Data Destruction for printed materials must include, unless otherwise superseded by NCSC or specific Authority guidance: paper cross-shredding methods to satisfy at least the DIN 66399 Level <DIN 66399 LEVEL> standard with a maximum cross cut particle surface area <MAX PARTICLE AREA> millimeters squared with a maximum strip width of <MAX STRIP WIDTH> millimeters.`
