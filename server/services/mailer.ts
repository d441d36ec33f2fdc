import { createTransport } from "nodemailer";
import type { ServerConfig } from "../env";

/** What happened to an invitation's email; the same whether or not the address has an account. */
export type EmailDelivery = "sent" | "not-configured" | "failed";

export type InvitationEmail = {
  to: string;
  teamName: string;
  inviter: { name: string; email: string };
  role: string;
  link: string;
  expiresAt: Date;
};

// Give up on a mail server that does not answer rather than hold the request for minutes.
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };

/** Names people chose go into a header: no line breaks or other control characters. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();

const when = new Intl.DateTimeFormat("en", { dateStyle: "long", timeStyle: "short", timeZone: "UTC" });

/** The email, as plain text (no HTML: nothing a team name holds can turn into markup). */
export function invitationMessage(mail: InvitationEmail) {
  const inviter = `${oneLine(mail.inviter.name)} (${mail.inviter.email})`;
  return {
    to: mail.to,
    subject: `${oneLine(mail.inviter.name)} invited you to ${oneLine(mail.teamName)} on Skyloom`,
    text: [
      `${inviter} invited you to join the team "${oneLine(mail.teamName)}" on Skyloom as ${mail.role === "admin" || mail.role === "editor" ? "an" : "a"} ${mail.role}.`,
      "",
      "Open this link to accept or decline (log in or sign up with this email address first):",
      mail.link,
      "",
      `The link works once and expires on ${when.format(mail.expiresAt)} UTC.`,
      "If you did not expect this invitation, ignore this email: nothing happens until you accept.",
    ].join("\n"),
  };
}

/**
 * Sends an invitation email through SMTP_URL. A failure is reported, not thrown: the
 * invitation exists either way and its link can be shared by hand.
 */
export async function sendInvitationEmail(config: Pick<ServerConfig, "smtpUrl" | "smtpFrom">, mail: InvitationEmail): Promise<EmailDelivery> {
  if (!config.smtpUrl) return "not-configured";
  const transport = createTransport({ url: config.smtpUrl, ...TIMEOUTS });
  try {
    await transport.sendMail({ from: config.smtpFrom, ...invitationMessage(mail) });
    return "sent";
  } catch (error) {
    // The server log gets the reason; the caller learns only that the email did not go out.
    console.error(`Invitation email to ${mail.to} not sent:`, error instanceof Error ? error.message : error);
    return "failed";
  } finally {
    transport.close();
  }
}
