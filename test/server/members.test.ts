import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { auditLog, memberships, users } from "#db/schema";
import { updateMemberRole } from "#server/services/teams";
import { createTestBackend, type TestBackend, type TestClient } from "../support/harness";
import { joinTeam } from "../support/teams";
import { outcomeOf } from "../support/trpc-errors";

let backend: TestBackend;
let owner: TestClient;
let admin: TestClient;
let editor: TestClient;
let viewer: TestClient;
let acmeId: string;
const ids: Record<string, string> = {};

/** Acme: an owner, an admin, an editor and a viewer, each with Acme open. */
beforeEach(async () => {
  backend = await createTestBackend();
  owner = await backend.signedUpClient("owner@example.com", "Olive");
  acmeId = (await owner.trpc.team.create({ name: "Acme" })).id;
  admin = await backend.signedUpClient("admin@example.com", "Ada");
  editor = await backend.signedUpClient("editor@example.com", "Ed");
  viewer = await backend.signedUpClient("viewer@example.com", "Vic");
  await joinTeam(owner.trpc, admin.trpc, "admin", { open: true });
  await joinTeam(owner.trpc, editor.trpc, "editor", { open: true });
  await joinTeam(owner.trpc, viewer.trpc, "viewer", { open: true });
  for (const u of backend.db.select().from(users).all()) ids[u.email.split("@")[0] ?? ""] = u.id;
});
afterEach(() => backend.close());

const acmeRoles = () =>
  Object.fromEntries(
    backend.db
      .select({ email: users.email, role: memberships.role })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.teamId, acmeId))
      .all()
      .map((m) => [m.email.split("@")[0], m.role]),
  );
const lastAudit = () => backend.db.select().from(auditLog).all().at(-1);
const owners = () => Object.values(acmeRoles()).filter((r) => r === "owner").length;

test("everyone in the team sees the members with their roles", async () => {
  expect((await viewer.trpc.team.members.list()).map((m) => [m.email, m.name, m.role])).toEqual([
    ["owner@example.com", "Olive", "owner"],
    ["admin@example.com", "Ada", "admin"],
    ["editor@example.com", "Ed", "editor"],
    ["viewer@example.com", "Vic", "viewer"],
  ]);
});

describe("changing roles", () => {
  test("an admin changes a member's role; it is audited", async () => {
    expect(await admin.trpc.team.members.updateRole({ userId: ids.editor ?? "", role: "viewer" })).toEqual({ userId: ids.editor, role: "viewer" });
    expect(acmeRoles().editor).toBe("viewer");
    expect(lastAudit()).toMatchObject({ teamId: acmeId, actorId: ids.admin, action: "team.member.role", targetId: ids.editor, detail: { from: "editor", to: "viewer" } });
    await admin.trpc.team.members.updateRole({ userId: ids.viewer ?? "", role: "admin" });
    expect(acmeRoles().viewer).toBe("admin");
  });

  test("nobody becomes owner by a role change, and the owner's role cannot be changed", async () => {
    const before = acmeRoles();
    expect(await outcomeOf(admin.trpc.team.members.updateRole({ userId: ids.editor ?? "", role: "owner" }))).toBe(
      "FORBIDDEN: Only the owner can make someone owner, with Transfer ownership.",
    );
    expect(await outcomeOf(admin.trpc.team.members.updateRole({ userId: ids.admin ?? "", role: "owner" }))).toBe(
      "FORBIDDEN: Only the owner can make someone owner, with Transfer ownership.",
    );
    for (const caller of [admin, owner]) {
      expect(await outcomeOf(caller.trpc.team.members.updateRole({ userId: ids.owner ?? "", role: "viewer" }))).toBe(
        "FORBIDDEN: The owner's role changes only when they transfer ownership to another member.",
      );
    }
    expect(acmeRoles()).toEqual(before);
  });

  test("editors and viewers cannot change roles or remove anyone", async () => {
    const before = acmeRoles();
    for (const [caller, role] of [[editor, "an editor"], [viewer, "a viewer"]] as const) {
      const message = `FORBIDDEN: This needs the admin role in Acme; you are ${role}.`;
      expect(await outcomeOf(caller.trpc.team.members.updateRole({ userId: ids.viewer ?? "", role: "admin" }))).toBe(message);
      expect(await outcomeOf(caller.trpc.team.members.remove({ userId: ids.viewer ?? "" }))).toBe(message);
      expect(await outcomeOf(caller.trpc.team.members.transferOwnership({ userId: ids.editor ?? "" }))).toMatch(/^FORBIDDEN: This needs the owner role/);
    }
    expect(acmeRoles()).toEqual(before);
  });

  test("the role is checked again inside the change: a demoted admin's request in flight is refused", async () => {
    await owner.trpc.team.members.updateRole({ userId: ids.admin ?? "", role: "editor" });
    expect(() => updateMemberRole(backend.db, { teamId: acmeId, userId: ids.admin ?? "" }, { userId: ids.viewer ?? "", role: "admin" })).toThrow(
      "This needs the admin role; you are now an editor.",
    );
    expect(acmeRoles().viewer).toBe("viewer");
  });
});

describe("removing and leaving", () => {
  test("an admin removes a member, who then lands in their own team", async () => {
    expect(await admin.trpc.team.members.remove({ userId: ids.editor ?? "" })).toEqual({ userId: ids.editor });
    expect(acmeRoles().editor).toBeUndefined();
    expect(lastAudit()).toMatchObject({ action: "team.member.remove", actorId: ids.admin, targetId: ids.editor, detail: { role: "editor" } });
    expect((await editor.trpc.auth.me())?.team?.name).toBe("Ed's team");
    expect(await outcomeOf(editor.trpc.flow.list())).toBe("no error");
    expect((await editor.trpc.flow.list()).length).toBe(0);
  });

  test("the owner cannot be removed, and removing oneself goes through Leave", async () => {
    const before = acmeRoles();
    expect(await outcomeOf(admin.trpc.team.members.remove({ userId: ids.owner ?? "" }))).toBe(
      "FORBIDDEN: The owner cannot be removed; the owner can transfer ownership first.",
    );
    expect(await outcomeOf(admin.trpc.team.members.remove({ userId: ids.admin ?? "" }))).toBe("BAD_REQUEST: To leave the team yourself, use Leave team.");
    expect(acmeRoles()).toEqual(before);
  });

  test("a member leaves; the owner cannot leave without transferring; nobody leaves their personal team", async () => {
    expect(await viewer.trpc.team.members.leave()).toEqual({ teamId: acmeId });
    expect(acmeRoles().viewer).toBeUndefined();
    expect(lastAudit()).toMatchObject({ action: "team.member.leave", actorId: ids.viewer, detail: { role: "viewer" } });
    expect((await viewer.trpc.auth.me())?.team?.name).toBe("Vic's team");

    expect(await outcomeOf(owner.trpc.team.members.leave())).toBe(
      "BAD_REQUEST: You own this team: transfer ownership to another member before you leave.",
    );
    expect(await outcomeOf(viewer.trpc.team.members.leave())).toBe("BAD_REQUEST: This is your personal team; it stays with your account.");
    expect(owners()).toBe(1);
  });
});

describe("transferring ownership", () => {
  test("the owner hands the team to a member and stays on as admin: exactly one owner", async () => {
    expect(await owner.trpc.team.members.transferOwnership({ userId: ids.editor ?? "" })).toEqual({ ownerId: ids.editor });
    expect(acmeRoles()).toMatchObject({ owner: "admin", editor: "owner" });
    expect(owners()).toBe(1);
    expect(lastAudit()).toMatchObject({ action: "team.owner.transfer", actorId: ids.owner, targetId: ids.editor, detail: { previousRole: "editor" } });

    // The former owner can now leave; the new owner cannot, and cannot be demoted by an admin.
    expect(await outcomeOf(editor.trpc.team.members.leave())).toMatch(/^BAD_REQUEST: You own this team/);
    expect(await outcomeOf(owner.trpc.team.members.updateRole({ userId: ids.editor ?? "", role: "viewer" }))).toMatch(/^FORBIDDEN: The owner's role/);
    expect(await owner.trpc.team.members.leave()).toEqual({ teamId: acmeId });
  });

  test("only to an existing member of this team, never to oneself, never a personal team", async () => {
    const stranger = await backend.signedUpClient("stranger@example.com");
    const strangerId = (await stranger.trpc.auth.me())?.user.id ?? "";
    const before = acmeRoles();
    expect(await outcomeOf(owner.trpc.team.members.transferOwnership({ userId: strangerId }))).toBe("NOT_FOUND: Member not found.");
    expect(await outcomeOf(owner.trpc.team.members.transferOwnership({ userId: ids.owner ?? "" }))).toBe(
      "BAD_REQUEST: You already own this team; choose another member.",
    );
    expect(await outcomeOf(admin.trpc.team.members.transferOwnership({ userId: ids.admin ?? "" }))).toBe(
      "FORBIDDEN: This needs the owner role in Acme; you are an admin.",
    );
    expect(acmeRoles()).toEqual(before);

    const personal = (await owner.trpc.team.list()).find((t) => t.personal);
    await owner.trpc.team.switch({ teamId: personal?.id ?? "" });
    await joinTeam(owner.trpc, stranger.trpc, "admin");
    expect(await outcomeOf(owner.trpc.team.members.transferOwnership({ userId: strangerId }))).toBe(
      "BAD_REQUEST: A personal team stays with its account; create a team to share ownership.",
    );
  });

  test("the database itself refuses a second owner", () => {
    expect(() =>
      backend.db.update(memberships).set({ role: "owner" }).where(and(eq(memberships.teamId, acmeId), eq(memberships.userId, ids.admin ?? ""))).run(),
    ).toThrow(/UNIQUE constraint failed/);
    expect(owners()).toBe(1);
  });
});

test("another team's member ids are NOT_FOUND, and nothing changes", async () => {
  const other = await backend.signedUpClient("other@example.com", "Otto");
  await other.trpc.team.create({ name: "Other" });
  const outsider = await backend.signedUpClient("outsider@example.com");
  await joinTeam(other.trpc, outsider.trpc, "viewer");
  const outsiderId = (await outsider.trpc.auth.me())?.user.id ?? "";
  const otherId = (await other.trpc.auth.me())?.user.id ?? "";
  const before = backend.db.select().from(memberships).all();
  for (const userId of [outsiderId, otherId, "usr_nope"]) {
    expect(await outcomeOf(owner.trpc.team.members.updateRole({ userId, role: "admin" }))).toBe("NOT_FOUND: Member not found.");
    expect(await outcomeOf(owner.trpc.team.members.remove({ userId }))).toBe("NOT_FOUND: Member not found.");
    expect(await outcomeOf(owner.trpc.team.members.transferOwnership({ userId }))).toBe("NOT_FOUND: Member not found.");
  }
  expect(backend.db.select().from(memberships).all()).toEqual(before);
});
