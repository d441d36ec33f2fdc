/**
 * Waiting items grouped by team, taken one team at a time in turn: a team that queued 200
 * documents gets every other turn, not the next 200, so another team's one upload waits
 * for at most one document of each busier team.
 */
export class RoundRobin<T> {
  /** Teams in turn order (a Map keeps insertion order); a team is moved to the back after its turn. */
  private readonly byTeam = new Map<string, T[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  sizeOf(team: string): number {
    return this.byTeam.get(team)?.length ?? 0;
  }

  push(team: string, item: T): void {
    const list = this.byTeam.get(team);
    if (list) list.push(item);
    else this.byTeam.set(team, [item]);
    this.count += 1;
  }

  /** The next team's oldest item. */
  shift(): T | undefined {
    const first = this.byTeam.entries().next();
    if (first.done) return undefined;
    const [team, list] = first.value;
    const item = list.shift();
    this.byTeam.delete(team);
    if (list.length > 0) this.byTeam.set(team, list);
    this.count -= 1;
    return item;
  }
}

/** The team whose turn is next after `last`, among the teams with work (any order). */
export function nextTeam(teams: readonly string[], last: string | null): string | undefined {
  const sorted = [...new Set(teams)].sort();
  if (last === null) return sorted[0];
  return sorted.find((team) => team > last) ?? sorted[0];
}
