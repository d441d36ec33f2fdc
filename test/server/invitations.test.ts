import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { auditLog, memberships, teamInvitations, users } from "#db/schema";
import { sha256Hex } from "#server/services/crypto";
import { MAX_INVITATIONS_PER_HOUR } from "#server/services/invitations";
import { appRouter } from "#server/trpc/root";
import { createTestBackend, type TestBackend, type TestClient } from "../support/harness";
import { tokenOf } from "../support/teams";
import { outcomeOf } from "../support/trpc-errors";

let backend: TestBackend;
let owner: TestClient;
let acmeId: string;

beforeEach(async () => {
  backend = await createTestBackend();
  owner = await backend.signedUpClient("owner@example.com", "Olive");
  acmeId = (await owner.trpc.team.create({ name: "Acme" })).id;
});
afterEach(() => backend.close());

/** Everything that says who is in which team and which invitations are open. */
function teamState() {
  return {
    memberships: backend.db.select().from(memberships).all(),
    invitations: backend.db.select().from(teamInvitations).all(),
    lastTeams: backend.db.select({ id: users.id, lastTeamId: users.lastTeamId }).from(users).all(),
  };
}

const auditActions = () => backend.db.select().from(auditLog).all().map((e) => e.action);

async function invite(email: string, role: "viewer" | "editor" | "admin" = "editor") {
  const result = await owner.trpc.team.invitations.create({ email, role });
  return { ...result, token: tokenOf(result.link) };
}

test("the old team.members.add is gone: nobody is put into a team without accepting", () => {
  const procedures = Object.keys(appRouter._def.procedures);
  expect(procedures).not.toContain("team.members.add");
  expect(procedures.filter((p) => p.startsWith("team."))).toEqual(
    expect.arrayContaining(["team.invitations.create", "team.invitations.accept", "team.members.updateRole", "team.members.transferOwnership"]),
  );
});

describe("an invitation's life", () => {
  test("invite an address without an account; they sign up, see the invitation, accept, and join with the role", async () => {
    const sent = await invite("newcomer@example.com", "editor");
    expect(sent).toMatchObject({
      reissued: false,
      email: "not-configured",
      invitation: { email: "newcomer@example.com", role: "editor", invitedBy: "Olive", expired: false },
    });
    expect(sent.link).toMatch(/^http:\/\/localhost:3000\/invite\/[A-Za-z0-9_-]{43}$/);
    expect(sent.invitation.expiresAt.getTime() - sent.invitation.createdAt.getTime()).toBe(7 * 24 * 3600 * 1000);

    // Only the token's hash is stored; the token itself is nowhere in the database.
    const [row] = backend.db.select().from(teamInvitations).all();
    expect(row?.tokenHash).toBe(sha256Hex(sent.token));
    expect(JSON.stringify(backend.sqlite.prepare("select * from team_invitations").all())).not.toContain(sent.token);
    expect((await owner.trpc.team.invitations.list()).pending.map((i) => i.email)).toEqual(["newcomer@example.com"]);

    const newcomer = await backend.signedUpClient("newcomer@example.com", "Nia");
    expect(await newcomer.trpc.team.invitations.preview({ token: sent.token })).toMatchObject({
      teamName: "Acme",
      role: "editor",
      email: "newcomer@example.com",
      invitedBy: { name: "Olive", email: "owner@example.com" },
    });
    expect(await newcomer.trpc.team.invitations.accept({ token: sent.token })).toEqual({
      teamId: acmeId,
      teamName: "Acme",
      role: "editor",
      opened: false,
    });

    expect((await owner.trpc.team.members.list()).map((m) => [m.email, m.role])).toEqual([
      ["owner@example.com", "owner"],
      ["newcomer@example.com", "editor"],
    ]);
    // Joining does not switch the newcomer's session: they stay where they were until they choose.
    expect((await newcomer.trpc.auth.me())?.team?.name).toBe("Nia's team");
    expect((await newcomer.trpc.team.list()).map((t) => [t.name, t.role, t.active])).toEqual([
      ["Acme", "editor", false],
      ["Nia's team", "owner", true],
    ]);
    expect((await owner.trpc.team.invitations.list()).pending).toEqual([]);
    expect(auditActions()).toEqual(expect.arrayContaining(["team.invitation.create", "team.invitation.accept"]));
  });

  test("accepting with 'open it now' switches to the team, and the next login opens it too", async () => {
    const sent = await invite("nia@example.com");
    const nia = await backend.signedUpClient("nia@example.com", "Nia");
    await nia.trpc.team.invitations.accept({ token: sent.token, open: true });
    expect((await nia.trpc.auth.me())?.team?.name).toBe("Acme");

    const again = backend.client();
    await again.trpc.auth.login({ email: "nia@example.com", password: "correct-horse-battery" });
    expect((await again.trpc.auth.me())?.team?.name).toBe("Acme");
  });

  test("a link works once: accepting or declining again is a clear CONFLICT and changes nothing", async () => {
    const sent = await invite("nia@example.com");
    const nia = await backend.signedUpClient("nia@example.com");
    const [first, second] = await Promise.allSettled([
      nia.trpc.team.invitations.accept({ token: sent.token }),
      nia.trpc.team.invitations.accept({ token: sent.token }),
    ]);
    expect([first.status, second.status].sort()).toEqual(["fulfilled", "rejected"]);
    const before = teamState();
    for (const call of [
      nia.trpc.team.invitations.accept({ token: sent.token }),
      nia.trpc.team.invitations.decline({ token: sent.token }),
      nia.trpc.team.invitations.preview({ token: sent.token }),
    ]) {
      expect(await outcomeOf(call)).toBe("CONFLICT: This invitation has already been used.");
    }
    expect(teamState()).toEqual(before);
  });

  test("declining leaves the person out, and the link is dead afterwards", async () => {
    const sent = await invite("nia@example.com");
    const nia = await backend.signedUpClient("nia@example.com");
    expect(await nia.trpc.team.invitations.decline({ token: sent.token })).toEqual({ declined: true });
    expect((await owner.trpc.team.members.list()).map((m) => m.email)).toEqual(["owner@example.com"]);
    expect(await outcomeOf(nia.trpc.team.invitations.accept({ token: sent.token }))).toBe("CONFLICT: This invitation was declined.");
    expect((await owner.trpc.team.invitations.list()).pending).toEqual([]);
    expect(auditActions()).toContain("team.invitation.decline");
  });

  test("an expired link cannot be previewed, accepted or declined, and nothing changes", async () => {
    const sent = await invite("nia@example.com");
    const nia = await backend.signedUpClient("nia@example.com");
    backend.db.update(teamInvitations).set({ expiresAt: new Date(Date.now() - 1000) }).run();
    expect((await owner.trpc.team.invitations.list()).pending[0]?.expired).toBe(true);
    const before = teamState();
    for (const call of [
      nia.trpc.team.invitations.preview({ token: sent.token }),
      nia.trpc.team.invitations.accept({ token: sent.token }),
      nia.trpc.team.invitations.decline({ token: sent.token }),
    ]) {
      expect(await outcomeOf(call)).toMatch(/^CONFLICT: This invitation expired on .+ UTC; ask the team for a new one\.$/);
    }
    expect(teamState()).toEqual(before);

    // Inviting again re-issues it: a fresh link that works, and the old one no longer does.
    const again = await invite("nia@example.com");
    expect(again.reissued).toBe(true);
    expect(again.invitation.id).toBe(sent.invitation.id);
    expect(await outcomeOf(nia.trpc.team.invitations.accept({ token: sent.token }))).toMatch(/^NOT_FOUND: This invitation link is not valid/);
    await nia.trpc.team.invitations.accept({ token: again.token });
    expect((await owner.trpc.team.members.list()).map((m) => m.email)).toContain("nia@example.com");
  });

  test("a revoked link is dead; revoking twice, or another team's invitation, is a clear error that changes nothing", async () => {
    const sent = await invite("nia@example.com");
    await owner.trpc.team.invitations.revoke({ id: sent.invitation.id });
    const nia = await backend.signedUpClient("nia@example.com");
    expect(await outcomeOf(nia.trpc.team.invitations.accept({ token: sent.token }))).toBe("CONFLICT: This invitation was withdrawn by the team.");
    expect(await outcomeOf(owner.trpc.team.invitations.revoke({ id: sent.invitation.id }))).toBe(
      "CONFLICT: This invitation was withdrawn by the team.",
    );
    expect(auditActions()).toContain("team.invitation.revoke");

    const open = await invite("other@example.com");
    const stranger = await backend.signedUpClient("stranger@example.com");
    const before = teamState();
    expect(await outcomeOf(stranger.trpc.team.invitations.revoke({ id: open.invitation.id }))).toBe("NOT_FOUND: Invitation not found.");
    expect(await outcomeOf(stranger.trpc.team.invitations.list())).toBe("no error");
    expect((await stranger.trpc.team.invitations.list()).pending).toEqual([]);
    expect(teamState()).toEqual(before);
  });
});

describe("hostile callers", () => {
  test("only the invited address can accept: another account gets FORBIDDEN, with a masked hint, and nothing changes", async () => {
    const sent = await invite("nia@example.com", "admin");
    const mallory = await backend.signedUpClient("mallory@example.com");
    const before = teamState();
    const expected =
      "FORBIDDEN: This invitation is for n•••@example.com, and you are logged in as mallory@example.com. Log in (or sign up) with the invited address to accept it.";
    expect(await outcomeOf(mallory.trpc.team.invitations.preview({ token: sent.token }))).toBe(expected);
    expect(await outcomeOf(mallory.trpc.team.invitations.accept({ token: sent.token, open: true }))).toBe(expected);
    expect(await outcomeOf(mallory.trpc.team.invitations.decline({ token: sent.token }))).toBe(expected);
    expect(teamState()).toEqual(before);
  });

  test("tokens that are not Skyloom's, and callers who are logged out, get clear errors", async () => {
    const sent = await invite("nia@example.com");
    const nia = await backend.signedUpClient("nia@example.com");
    const before = teamState();
    for (const token of ["", "nope", sent.token.slice(0, -1), `${sent.token}x`, "x".repeat(200)]) {
      expect(await outcomeOf(nia.trpc.team.invitations.accept({ token })), token).toMatch(/^NOT_FOUND: This invitation link is not valid/);
    }
    expect(await outcomeOf(nia.trpc.team.invitations.accept({ token: "x".repeat(201) }))).toMatch(/^BAD_REQUEST: token:/);
    const anonymous = backend.client();
    expect(await outcomeOf(anonymous.trpc.team.invitations.preview({ token: sent.token }))).toBe("UNAUTHORIZED: Log in first.");
    expect(await outcomeOf(anonymous.trpc.team.invitations.accept({ token: sent.token }))).toBe("UNAUTHORIZED: Log in first.");
    expect(teamState()).toEqual(before);
  });

  test("inviting takes the admin role, and never grants ownership", async () => {
    const ed = await backend.signedUpClient("ed@example.com");
    const sent = await invite("ed@example.com", "editor");
    await ed.trpc.team.invitations.accept({ token: sent.token, open: true });
    expect(await outcomeOf(ed.trpc.team.invitations.create({ email: "x@example.com", role: "viewer" }))).toBe(
      "FORBIDDEN: This needs the admin role in Acme; you are an editor.",
    );
    expect(await outcomeOf(ed.trpc.team.invitations.list())).toBe("FORBIDDEN: This needs the admin role in Acme; you are an editor.");
    expect(
      await outcomeOf(owner.trpc.team.invitations.create({ email: "x@example.com", role: "owner" as "admin" })),
    ).toMatch(/^BAD_REQUEST: role:/);
    expect(await outcomeOf(owner.trpc.team.invitations.create({ email: "not-an-email", role: "viewer" }))).toBe(
      "BAD_REQUEST: email: Enter a valid email address, like ada@example.com",
    );
  });

  test("a team sends at most so many invitations an hour", async () => {
    for (let i = 0; i < MAX_INVITATIONS_PER_HOUR; i += 1) await owner.trpc.team.invitations.create({ email: `p${i}@example.com`, role: "viewer" });
    const before = teamState();
    expect(await outcomeOf(owner.trpc.team.invitations.create({ email: "one-more@example.com", role: "viewer" }))).toBe(
      `TOO_MANY_REQUESTS: This team has sent ${MAX_INVITATIONS_PER_HOUR} invitations in the last hour; try again later.`,
    );
    expect(teamState()).toEqual(before);
  });
});

describe("no account enumeration", () => {
  /** A response with what is random or per-address (ids, token, times, the address) blanked. */
  function comparable(result: Awaited<ReturnType<typeof invite>>) {
    return JSON.parse(
      JSON.stringify({ ...result, token: undefined })
        .replaceAll(result.token, "<token>")
        .replaceAll(result.invitation.id, "<id>")
        .replaceAll(result.invitation.email, "<email>")
        .replace(/"\d{4}-\d\d-\d\dT[^"]+"/g, '"<time>"'),
    );
  }

  test("inviting an address with an account answers exactly as for one without", async () => {
    await backend.signedUpClient("has-account@example.com");
    const withAccount = await invite("has-account@example.com", "viewer");
    const withoutAccount = await invite("no-account@example.com", "viewer");
    expect(comparable(withAccount)).toEqual(comparable(withoutAccount));
    expect(comparable(withAccount)).toEqual({
      invitation: { id: "<id>", email: "<email>", role: "viewer", invitedBy: "Olive", createdAt: "<time>", expiresAt: "<time>", expired: false },
      reissued: false,
      link: "http://localhost:3000/invite/<token>",
      email: "not-configured",
    });
    // Neither is a member until they accept.
    expect((await owner.trpc.team.members.list()).map((m) => m.email)).toEqual(["owner@example.com"]);
    // And re-inviting either one answers alike too.
    expect(comparable(await invite("has-account@example.com", "viewer"))).toEqual(comparable(await invite("no-account@example.com", "viewer")));
  });

  test("someone already in the team, or already invited, gets a clear answer about this team only", async () => {
    const ed = await backend.signedUpClient("ed@example.com");
    await ed.trpc.team.invitations.accept({ token: (await invite("ed@example.com")).token });
    expect(await outcomeOf(owner.trpc.team.invitations.create({ email: "ED@example.com ", role: "viewer" }))).toBe(
      "CONFLICT: ed@example.com is already a member of this team.",
    );
    const first = await invite("nia@example.com", "viewer");
    const second = await invite("nia@example.com", "admin");
    expect(second).toMatchObject({ reissued: true, invitation: { id: first.invitation.id, role: "admin" } });
    expect(second.token).not.toBe(first.token);
    expect((await owner.trpc.team.invitations.list()).pending.map((i) => [i.email, i.role])).toEqual([["nia@example.com", "admin"]]);
    expect(auditActions()).toContain("team.invitation.reissue");
  });
});

describe("the team a login opens", () => {
  test("being invited into someone's team, even accepted, never decides where a login lands", async () => {
    // The attack this replaces: make a team look like the victim's, put them in it, and wait
    // for their next login to open it (and for them to save a credential there).
    const victim = await backend.signedUpClient("victim@example.com", "Vic");
    await owner.trpc.team.rename({ name: "Vic's team" });
    const sent = await invite("victim@example.com", "admin");

    const login = async () => {
      const c = backend.client();
      await c.trpc.auth.login({ email: "victim@example.com", password: "correct-horse-battery" });
      return (await c.trpc.auth.me())?.team?.id;
    };
    const personalId = (await victim.trpc.auth.me())?.team?.id;
    expect(await login()).toBe(personalId);

    await victim.trpc.team.invitations.accept({ token: sent.token });
    expect(await login()).toBe(personalId);

    // Their own choice is what a login remembers…
    await victim.trpc.team.switch({ teamId: acmeId });
    expect(await login()).toBe(acmeId);
    await victim.trpc.team.switch({ teamId: personalId ?? "" });
    expect(await login()).toBe(personalId);

    // …and only while they are still in that team.
    await victim.trpc.team.switch({ teamId: acmeId });
    const victimId = backend.db.select().from(users).where(eq(users.email, "victim@example.com")).get()?.id ?? "";
    await owner.trpc.team.members.remove({ userId: victimId });
    expect((await victim.trpc.auth.me())?.team?.id).toBe(personalId);
    expect(await login()).toBe(personalId);
  });

  test("creating a team is choosing it", async () => {
    const again = backend.client();
    await again.trpc.auth.login({ email: "owner@example.com", password: "correct-horse-battery" });
    expect((await again.trpc.auth.me())?.team?.id).toBe(acmeId);
  });
});
