import type { Config } from './config.ts'
import { loadCatalogue } from './catalogue/load.ts'
import { syncBuiltInCatalogue } from './catalogue/operations.ts'
import { migrateToLatest, openStore } from './platform/db/database.ts'
import { createServices, type Services } from './services.ts'
import type { Mailer } from './platform/mail/mailer.ts'

/** Opens the store, migrates it, loads and stores the built-in catalogue, and wires the services. */
export async function bootstrap(
  config: Config,
  options: { now?: () => Date; mailer?: Mailer } = {},
): Promise<Services> {
  const catalogue = loadCatalogue()
  const store = openStore(config.database)
  try {
    await migrateToLatest(store)
    const services = createServices({
      config,
      store,
      catalogue,
      ...(options.now === undefined ? {} : { now: options.now }),
    })
    await syncBuiltInCatalogue(services.catalogueDeps)
    return services
  } catch (error) {
    await store.close()
    throw error
  }
}
