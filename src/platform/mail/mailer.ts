// eslint-disable-next-line import/default -- nodemailer is CommonJS; Node gives its exports as the default
import nodemailer from 'nodemailer'

/** One message. Plain text only: nothing to render, nothing to inject. */
export interface Mail {
  readonly to: string
  readonly subject: string
  readonly text: string
}

/** Sends mail; the identity and workflow code depends on this interface, not on SMTP. */
export interface Mailer {
  send(mail: Mail): Promise<void>
  close(): void
}

/** SMTP through nodemailer, or, without an SMTP URL outside production, a mailer that prints each message. */
export function createMailer(config: { smtpUrl: string | null; from: string }, print: (line: string) => void): Mailer {
  if (config.smtpUrl === null) {
    return {
      async send(mail) {
        print(
          `--- mail (no ASSURE_SMTP_URL set, so printed here) ---\nTo: ${mail.to}\nSubject: ${mail.subject}\n\n${mail.text}\n---`,
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
