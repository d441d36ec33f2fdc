import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { teamInvitations } from "#db/schema";
import { expectConsoleError } from "../support/console-errors";
import { createTestBackend, type TestBackend } from "../support/harness";
import { header, startSmtpSink, textBody } from "../support/smtp-sink";
import { tokenOf } from "../support/teams";

let sink: Awaited<ReturnType<typeof startSmtpSink>>;
let backend: TestBackend | undefined;

beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(() => sink.close());
afterEach(async () => {
  await backend?.close();
  backend = undefined;
  sink.received.length = 0;
});

async function ownerOfAcme(env: Record<string, string>) {
  backend = await createTestBackend({ env: { PUBLIC_URL: "https://skyloom.example.com", ...env } });
  const owner = await backend.signedUpClient("owner@example.com", "Olive");
  await owner.trpc.team.create({ name: "Acme" });
  return owner;
}

test("with SMTP_URL set, the invitation goes out by SMTP with the link, to anyone, account or not", async () => {
  const owner = await ownerOfAcme({ SMTP_URL: sink.url, SMTP_FROM: "Skyloom <invites@example.com>" });
  expect((await owner.trpc.team.invitations.list()).sendsEmail).toBe(true);
  await backend?.signedUpClient("has-account@example.com");

  const withAccount = await owner.trpc.team.invitations.create({ email: "has-account@example.com", role: "editor" });
  const withoutAccount = await owner.trpc.team.invitations.create({ email: "no-account@example.com", role: "editor" });
  expect([withAccount.email, withoutAccount.email]).toEqual(["sent", "sent"]);

  expect(sink.received.map((m) => [m.from, m.to, m.user])).toEqual([
    ["invites@example.com", ["has-account@example.com"], "mailer"],
    ["invites@example.com", ["no-account@example.com"], "mailer"],
  ]);
  const [mail] = sink.received;
  expect(header(mail?.raw ?? "", "Subject")).toBe("Olive invited you to Acme on Skyloom");
  expect(header(mail?.raw ?? "", "From")).toBe("Skyloom <invites@example.com>");
  const body = textBody(mail?.raw ?? "");
  expect(withAccount.link).toMatch(/^https:\/\/skyloom\.example\.com\/invite\/[A-Za-z0-9_-]{43}$/);
  expect(body).toContain(`\n${withAccount.link}\n`);
  expect(body).toContain('Olive (owner@example.com) invited you to join the team "Acme" on Skyloom as an editor.');
  expect(body).toMatch(/The link works once and expires on .+ UTC\./);
  // The link in the email is the one that works.
  const invited = await backend?.client();
  await invited?.trpc.auth.login({ email: "has-account@example.com", password: "correct-horse-battery" });
  expect(await invited?.trpc.team.invitations.accept({ token: tokenOf(body.match(/https:\S+/)?.[0] ?? "") })).toMatchObject({ teamName: "Acme" });
});

test("a team name cannot add headers or recipients to the email", async () => {
  const owner = await ownerOfAcme({ SMTP_URL: sink.url });
  await owner.trpc.team.rename({ name: "Acme\r\nBcc: thief@example.com" });
  expect((await owner.trpc.team.invitations.create({ email: "nia@example.com", role: "viewer" })).email).toBe("sent");
  const [mail] = sink.received;
  expect(mail?.to).toEqual(["nia@example.com"]);
  expect(header(mail?.raw ?? "", "Bcc")).toBeUndefined();
  expect(header(mail?.raw ?? "", "Subject")).toBe("Olive invited you to Acme Bcc: thief@example.com on Skyloom");
  expect(header(mail?.raw ?? "", "From")).toBe("Skyloom <no-reply@skyloom.example.com>");
});

test("a mail server that refuses or is down: the invitation still exists, its link works, and the answer says the email failed", async () => {
  // The server log says why each email was not sent (the answer only says that it failed).
  expectConsoleError(/^Invitation email to nia@example\.com not sent: Invalid login/);
  expectConsoleError(/^Invitation email to nia@example\.com not sent: connect ECONNREFUSED/);
  const wrongPassword = sink.url.replace("mail-secret", "wrong");
  const owner = await ownerOfAcme({ SMTP_URL: wrongPassword });
  const refused = await owner.trpc.team.invitations.create({ email: "nia@example.com", role: "viewer" });
  expect(refused.email).toBe("failed");
  expect(sink.received).toEqual([]);

  await backend?.close();
  const closedPort = await startSmtpSink();
  await closedPort.close();
  const owner2 = await ownerOfAcme({ SMTP_URL: closedPort.url });
  const down = await owner2.trpc.team.invitations.create({ email: "nia@example.com", role: "viewer" });
  expect(down.email).toBe("failed");
  expect(backend?.db.select().from(teamInvitations).all()).toHaveLength(1);
  const nia = await backend?.signedUpClient("nia@example.com");
  expect(await nia?.trpc.team.invitations.accept({ token: tokenOf(down.link) })).toMatchObject({ teamName: "Acme", role: "viewer" });
});

test("without SMTP_URL nothing is sent and the page is told to share the link by hand", async () => {
  const owner = await ownerOfAcme({});
  expect((await owner.trpc.team.invitations.list()).sendsEmail).toBe(false);
  expect((await owner.trpc.team.invitations.create({ email: "nia@example.com", role: "viewer" })).email).toBe("not-configured");
  expect(sink.received).toEqual([]);
});
