import { describe, expect, test } from "vitest";
import { APT_INSTALL_CHROMIUM, decideChromium, locateChromium } from "../../scripts/chromium.mjs";

/** A machine where exactly `executables` exist; PATH as Debian's root shell has it. */
function machine(options: { executables?: string[]; env?: Record<string, string>; uid?: number; hasAptGet?: boolean } = {}) {
  const executables = new Set(options.executables ?? []);
  return {
    env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ...options.env },
    isExecutable: (path: string) => executables.has(path),
    uid: options.uid ?? 1000,
    hasAptGet: options.hasAptGet ?? true,
  };
}

describe("which Chromium the browser tests use", () => {
  test("CHROMIUM_PATH wins over every place Chromium is usually found", () => {
    const decision = decideChromium(machine({ env: { CHROMIUM_PATH: "/opt/chromium/chrome" }, executables: ["/opt/chromium/chrome", "/usr/bin/chromium"] }));
    expect(decision).toEqual({ action: "use", path: "/opt/chromium/chrome", source: "CHROMIUM_PATH" });
  });

  test("a CHROMIUM_PATH that is not there stops with what to do, even as root with apt-get", () => {
    const decision = decideChromium(machine({ env: { CHROMIUM_PATH: "/nope/chromium" }, executables: ["/usr/bin/chromium"], uid: 0 }));
    expect(decision).toEqual({ action: "stop", message: expect.stringContaining("CHROMIUM_PATH is /nope/chromium, which is not an executable file") });
  });

  test.each([
    ["Debian", "/usr/bin/chromium"],
    ["Ubuntu's apt package", "/usr/bin/chromium-browser"],
    ["Ubuntu's snap", "/snap/bin/chromium"],
    ["Google Chrome", "/usr/bin/google-chrome-stable"],
    ["a chromium on PATH", "/usr/local/bin/chromium"],
  ])("finds %s at %s", (_where, path) => {
    expect(decideChromium(machine({ executables: [path] }))).toEqual({ action: "use", path, source: "found" });
  });

  test("prefers Debian's /usr/bin/chromium when several are installed", () => {
    expect(locateChromium(machine({ executables: ["/snap/bin/chromium", "/usr/bin/chromium", "/usr/local/bin/chromium"] }))).toEqual({
      path: "/usr/bin/chromium",
      source: "found",
    });
  });

  test("an empty CHROMIUM_PATH counts as unset", () => {
    expect(decideChromium(machine({ env: { CHROMIUM_PATH: "" }, executables: ["/usr/bin/chromium"] }))).toMatchObject({ action: "use", path: "/usr/bin/chromium" });
  });
});

describe("when no Chromium is found", () => {
  test("root with apt-get installs Debian's chromium, as CI did", () => {
    expect(decideChromium(machine({ uid: 0, hasAptGet: true }))).toEqual({ action: "install", commands: APT_INSTALL_CHROMIUM });
    expect(APT_INSTALL_CHROMIUM).toEqual([
      ["apt-get", "update", "-qq"],
      ["apt-get", "install", "-y", "-qq", "chromium"],
    ]);
  });

  test("a normal user with apt-get is told the sudo command and CHROMIUM_PATH, nothing is installed", () => {
    const decision = decideChromium(machine({ uid: 1000, hasAptGet: true }));
    expect(decision.action).toBe("stop");
    const message = (decision as { message: string }).message;
    expect(message).toContain("run `sudo apt-get install chromium`");
    expect(message).toContain("set CHROMIUM_PATH=/path/to/chromium");
    expect(message).not.toContain("\n");
  });

  test("root without apt-get (another distribution) is told to use its package manager", () => {
    const decision = decideChromium(machine({ uid: 0, hasAptGet: false }));
    expect(decision).toEqual({ action: "stop", message: expect.stringContaining("install Chromium with your system's package manager") });
  });

  test("no uid (Windows) never installs", () => {
    expect(decideChromium({ ...machine(), uid: undefined }).action).toBe("stop");
  });
});
