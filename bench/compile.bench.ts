/**
 * Compile speed: a generated flow of N nodes (a fifth of them workloads: model endpoints,
 * containers wired to each other, batch jobs; the rest agent chains that answer with the
 * deployed endpoints) through validate → plan → all three targets → quote, in one process.
 * Goal: 1,000 nodes ≤ 50 ms (median), 10,000 nodes ≤ 10 × that (linear).
 */
import { compileGraph } from "#agents/compile/compile";
import { generateFlow } from "./support/generated-flow";
import { formatStats, summarize } from "./support/stats";

function measure(size: number, runs: number): number[] {
  const graph = generateFlow(size);
  const check = compileGraph(graph, { name: "bench" });
  if (!check.ok) throw new Error(`The generated flow does not compile: ${JSON.stringify(check.diagnostics.slice(0, 3))}`);
  const bytes = Object.values(check.manifests).flat().reduce((n, f) => n + (f?.content.length ?? 0), 0);
  console.log(`${size} nodes: ${check.plan?.workloads.length} workloads, ${check.plan?.groups.length} leases, ${(bytes / 1024).toFixed(0)} KiB of manifests`);
  for (let i = 0; i < 3; i++) compileGraph(graph, { name: "bench" }); // warm up the JIT
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    compileGraph(graph, { name: "bench" });
    samples.push(performance.now() - start);
  }
  return samples;
}

const small = measure(1_000, 50);
console.log(formatStats("compile 1,000 nodes → 3 targets + quote", "ms", small));
const large = measure(10_000, 15);
console.log(formatStats("compile 10,000 nodes → 3 targets + quote", "ms", large));
// Issue 5: 1,000 nodes in ≤ 50 ms, 10,000 in at most 10 times that (≤ 500 ms). The ratio of the
// measured medians is printed too: above 10× means growth is worse than linear at this size.
const medianSmall = summarize(small).median;
const medianLarge = summarize(large).median;
const ratio = medianLarge / medianSmall;
console.log(`1,000-node goal ≤ 50 ms: ${medianSmall <= 50 ? "met" : "NOT met"}; 10,000-node goal ≤ 500 ms: ${medianLarge <= 500 ? "met" : "NOT met"}`);
console.log(`10,000 / 1,000 ratio of the medians: ${ratio.toFixed(1)}× (10× would be linear)`);
