import { startDevModelServer } from "#server/dev-model/server";

/**
 * The local development model with replies a test holds and releases: a model call ends when
 * the test says so, so a test can act while runs are in progress without waiting on a clock.
 */
export async function startHeldModel() {
  const waiting: (() => void)[] = [];
  const arrivals: (() => void)[] = [];
  let holding = false;
  const server = await startDevModelServer({
    hold: () => {
      if (!holding) return undefined;
      const released = new Promise<void>((resolve) => waiting.push(resolve));
      for (const arrived of arrivals.splice(0)) arrived();
      return released;
    },
  });
  return {
    baseUrl: server.baseUrl,
    /** From now on every reply waits for release(). */
    hold(): void {
      holding = true;
    },
    /** Resolves once `count` calls are held (the runs have reached their model). */
    async heldCalls(count: number): Promise<void> {
      while (waiting.length < count) await new Promise<void>((resolve) => arrivals.push(resolve));
    },
    /** Lets every held call answer, and the next ones answer at once. */
    release(): void {
      holding = false;
      for (const resolve of waiting.splice(0)) resolve();
    },
    close: () => server.close(),
  };
}

export type HeldModel = Awaited<ReturnType<typeof startHeldModel>>;
