import type { Config } from './config.ts'
import { loadCatalogue } from './catalogue/load.ts'
import { syncBuiltInCatalogue } from './catalogue/operations.ts'
import { migrateToLatest, openStore } from './platform/db/database.ts'
import { createServices, type Services } from './services.ts'
import type { Mailer } from './platform/mail/mailer.ts'
import { loadMasterKey } from './platform/crypto/master-key.ts'
import { loadOrCreateSigningKey } from './audit/signing.ts'
import { sealLegacyTotpSecrets } from './identity/factors.ts'
import { durationParameter, type Catalogue } from './catalogue/catalogue.ts'
import { addDuration } from './platform/duration.ts'
import { AssureError } from './platform/errors.ts'

/**
 * The ledger's retention must lie within the guidance's bounds (the catalogue's `log-retention-min` and
 * `log-retention-max`: 6 months and 2 years), compared as calendar spans from one fixed day.
 */
function checkRetention(config: Config, catalogue: Catalogue): void {
  const minimum = durationParameter(catalogue, 'log-retention-min')
  const maximum = durationParameter(catalogue, 'log-retention-max')
  const from = new Date(Date.UTC(2001, 0, 1))
  const span = (duration: string) => addDuration(from, duration).getTime()
  if (span(config.audit.retention) < span(minimum) || span(config.audit.retention) > span(maximum)) {
    throw new AssureError('CONFIG_INVALID', 'The configuration is not valid', {
      problems: [
        {
          path: 'ASSURE_AUDIT_RETENTION',
          message: `must be from ${minimum} to ${maximum} (the guidance keeps security logs at least 6 months and no longer than 2 years); it is ${config.audit.retention}`,
        },
      ],
    })
  }
}

/** Opens the store, migrates it, loads and stores the built-in catalogue, and wires the services. */
export async function bootstrap(
  config: Config,
  options: { now?: () => Date; mailer?: Mailer; onQueueFailure?: (queue: string, error: unknown) => void } = {},
): Promise<Services> {
  const catalogue = loadCatalogue()
  const store = openStore(config.database)
  try {
    checkRetention(config, catalogue)
    const masterKey = loadMasterKey({
      fromEnvironment: config.masterKey,
      dataDir: config.dataDir,
      production: config.environment === 'production',
    })
    await migrateToLatest(store)
    const now = options.now ?? (() => new Date())
    const signingKey = await loadOrCreateSigningKey(store.db, masterKey, now())
    await sealLegacyTotpSecrets(store.db, masterKey)
    const services = createServices({
      config,
      store,
      catalogue,
      masterKey,
      signingKey,
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.onQueueFailure === undefined ? {} : { onQueueFailure: options.onQueueFailure }),
    })
    await syncBuiltInCatalogue(services.catalogueDeps)
    return services
  } catch (error) {
    await store.close()
    throw error
  }
}
