// eslint-disable-next-line import/default -- nodemailer is CommonJS; Node gives its exports as the default
import nodemailer from 'nodemailer'
import type { MailConfig } from '../../config.ts'
import type { Mailer } from './mail.ts'
import { createNotifyMailer } from './notify.ts'

export type { Mail, Mailer } from './mail.ts'
export { mailRecipients } from './mail.ts'

/** The mailer ASSURE_MAIL_TRANSPORT names: SMTP through nodemailer, GOV.UK Notify, or (outside production) the log. */
export function createMailer(config: MailConfig, print: (line: string) => void): Mailer {
  if (config.transport === 'notify') return createNotifyMailer(config.notify)
  if (config.transport === 'log') {
    return {
      async send(mail) {
        print(
          `--- mail (ASSURE_MAIL_TRANSPORT is log, so printed here) ---\nTo: ${mail.to}\nSubject: ${mail.subject}\n\n${mail.text}\n---`,
        )
      },
      close: () => undefined,
    }
  }
  const transport = nodemailer.createTransport(config.smtpUrl)
  return {
    async send(mail) {
      await transport.sendMail({ from: config.from, to: mail.to, subject: mail.subject, text: mail.text })
    },
    close: () => transport.close(),
  }
}
