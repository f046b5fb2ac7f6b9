import type { Migration } from 'kysely'
import * as catalogue from './0001-catalogue.ts'
import * as identity from './0002-identity.ts'
import * as administration from './0003-administration.ts'
import * as jobs from './0004-jobs.ts'
import * as ledger from './0005-ledger.ts'
import * as securitySettings from './0006-security-settings.ts'
import * as register from './0007-register.ts'
import * as deadlines from './0008-deadlines.ts'
import * as letters from './0009-letters.ts'
import * as assessments from './0010-assessments.ts'
import * as incidents from './0011-incidents.ts'
import * as risks from './0012-risks.ts'
import * as destruction from './0013-destruction.ts'
import * as obligations from './0014-obligations.ts'
import * as personnel from './0015-personnel.ts'
import * as evidence from './0016-evidence.ts'
import * as notifications from './0017-notifications.ts'
import * as baseline from './0018-baseline.ts'

/** Every migration, in order. Names are sorted by Kysely, so they carry a four-digit prefix. */
export const migrations: Record<string, Migration> = {
  '0001-catalogue': catalogue,
  '0002-identity': identity,
  '0003-administration': administration,
  '0004-jobs': jobs,
  '0005-ledger': ledger,
  '0006-security-settings': securitySettings,
  '0007-register': register,
  '0008-deadlines': deadlines,
  '0009-letters': letters,
  '0010-assessments': assessments,
  '0011-incidents': incidents,
  '0012-risks': risks,
  '0013-destruction': destruction,
  '0014-obligations': obligations,
  '0015-personnel': personnel,
  '0016-evidence': evidence,
  '0017-notifications': notifications,
  '0018-baseline': baseline,
}
