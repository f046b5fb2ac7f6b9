import { readFile, writeFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { z } from 'zod'
import { bootstrap } from '../bootstrap.ts'
import { loadConfig } from '../config.ts'
import { loadCatalogue } from '../catalogue/load.ts'
import { checkCoverage } from '../catalogue/coverage.ts'
import { EXPORT_FORMATS, exportCatalogue } from '../catalogue/exports.ts'
import { importOscalCatalog } from '../catalogue/oscal.ts'
import { importCatalogue, listStoredCatalogues } from '../catalogue/operations.ts'
import { AssureError } from '../platform/errors.ts'
import { parseInput } from '../platform/validation.ts'
import { createOutput, fail } from './output.ts'

const ExportOptions = z.strictObject({
  format: z.enum(EXPORT_FORMATS, { error: `--format must be one of ${EXPORT_FORMATS.join(', ')}` }),
  out: z.string().min(1).optional(),
  json: z.boolean().optional(),
})

async function readJsonFile(file: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new AssureError('NOT_FOUND', `Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`)
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new AssureError('OSCAL_INVALID', `${file} is not JSON: ${(error as Error).message}`)
  }
}

/** `assure catalogue ...`: export, import, list and check. */
export function registerCatalogueCommands(program: Command): void {
  const catalogue = program
    .command('catalogue')
    .description('The guidance as a control catalogue, and other frameworks')

  catalogue
    .command('export')
    .description('Write the built-in catalogue as OSCAL 1.1.2, JSON or CSV')
    .requiredOption('--format <format>', `one of ${EXPORT_FORMATS.join(', ')}`)
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--json', 'report the result as JSON (only with --out)')
    .action(async (raw: unknown) => {
      const options = parseInput(ExportOptions, raw, 'options')
      const json = options.json === true
      try {
        const built = loadCatalogue()
        const text = exportCatalogue(built, options.format, new Date())
        if (options.out === undefined) {
          process.stdout.write(text)
          return
        }
        await writeFile(options.out, text)
        createOutput(json).result(
          {
            format: options.format,
            out: options.out,
            version: built.version,
            requirements: built.requirements.length,
            bytes: Buffer.byteLength(text),
          },
          `Wrote ${built.requirements.length} requirements of catalogue ${built.version} as ${options.format} to ${options.out}`,
        )
      } catch (error) {
        fail(error, json)
      }
    })

  catalogue
    .command('import')
    .description(
      'Store a valid OSCAL 1.1.x catalog as an additional framework; an invalid file is refused and nothing is stored',
    )
    .argument('<file>', 'an OSCAL catalog in JSON')
    .option('--json', 'report the result as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const json = options.json === true
      try {
        const record = importOscalCatalog(await readJsonFile(file))
        const services = await bootstrap(loadConfig(process.env))
        try {
          const { stored, ref } = await importCatalogue(services.catalogueDeps, record)
          const controls = record.items.length
          createOutput(json).result(
            { stored, ref, title: record.title, version: record.version, controls },
            stored
              ? `Imported ${record.title} version ${record.version} as ${ref} (${controls} controls)`
              : `${record.title} version ${record.version} was already stored as ${ref}; nothing changed`,
          )
        } finally {
          await services.store.close()
        }
      } catch (error) {
        fail(error, json)
      }
    })

  catalogue
    .command('list')
    .description('List the stored catalogues')
    .option('--json', 'report the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const json = options.json === true
      try {
        const services = await bootstrap(loadConfig(process.env))
        try {
          const catalogues = await listStoredCatalogues(services.catalogueDeps)
          createOutput(json).result(
            catalogues,
            catalogues.map(c => `${c.ref}\t${c.kind}\t${c.itemCount} requirements\t${c.title} ${c.version}`),
          )
        } finally {
          await services.store.close()
        }
      } catch (error) {
        fail(error, json)
      }
    })

  catalogue
    .command('check')
    .description('Validate the catalogue data and prove it covers every section of the guidance')
    .option('--json', 'report the result as JSON')
    .action((options: { json?: boolean }) => {
      const json = options.json === true
      try {
        const built = loadCatalogue()
        const problems = checkCoverage(built)
        if (problems.length > 0)
          throw new AssureError(
            'CATALOGUE_INVALID',
            `The catalogue does not cover the guidance (${problems.length} problems)`,
            { problems },
          )
        createOutput(json).result(
          {
            version: built.version,
            sections: built.sections.length,
            requirements: built.requirements.length,
            informational: built.informational.length,
            parameters: built.parameters.size,
          },
          `Catalogue ${built.version}: ${built.sections.length} sections, ${built.requirements.length} requirements, ${built.informational.length} informational entries, ${built.parameters.size} parameters. Every section is covered and every statement is quoted verbatim.`,
        )
      } catch (error) {
        fail(error, json)
      }
    })
}
