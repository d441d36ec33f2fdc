import { AlertTriangle, CheckCircle2, Circle, Loader2, XCircle } from "lucide-react";
import { offsetFromStart, type Timeline, type TimelineStep } from "#app/lib/marketplace/timeline";

const clock = new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });

function StepIcon({ state }: { state: TimelineStep["state"] }) {
  if (state === "done") return <CheckCircle2 size={15} className="text-emerald-600" aria-hidden />;
  if (state === "failed") return <XCircle size={15} className="text-red-600" aria-hidden />;
  if (state === "active") return <Loader2 size={15} className="animate-spin text-sky-600" aria-hidden />;
  return <Circle size={15} className="text-slate-300" aria-hidden />;
}

const STATE_WORDS: Record<TimelineStep["state"], string> = { done: "done", failed: "failed", active: "in progress", pending: "not yet" };

/**
 * Where a deployment stands: one line per step with the time it happened and how long after
 * the order, the outcome in words (the "no bids: …" sentence says what to relax), and how
 * earlier attempts ended after a failover.
 */
export function DeploymentTimeline({ timeline, testId = "deploy-timeline" }: { timeline: Timeline; testId?: string }) {
  const { steps, outcome } = timeline;
  return (
    <div className="space-y-2" data-testid={testId} data-outcome={outcome.kind}>
      {timeline.earlierAttempts.length > 0 && (
        <ul className="space-y-0.5 text-xs text-amber-800" aria-label="Earlier attempts">
          {timeline.earlierAttempts.map((line) => (
            <li key={line} className="flex items-start gap-1">
              <AlertTriangle size={12} className="mt-0.5 shrink-0" aria-hidden /> {line}
            </li>
          ))}
        </ul>
      )}
      <ol className="space-y-1" aria-label="Progress">
        {steps.map((step) => {
          const offset = offsetFromStart(step, steps);
          return (
            <li key={step.key} className="flex items-start gap-2 text-xs" data-testid="timeline-step" data-step={step.key} data-state={step.state}>
              <span className="mt-px">
                <StepIcon state={step.state} />
              </span>
              <span className="min-w-0 flex-1">
                <span className={step.state === "pending" ? "text-slate-400" : "font-medium text-slate-800"}>{step.label}</span>
                <span className="sr-only"> ({STATE_WORDS[step.state]})</span>
                {step.detail && <span className="block break-words text-slate-600">{step.detail}</span>}
              </span>
              {step.at !== null && (
                <time className="shrink-0 tabular-nums text-slate-500" dateTime={new Date(step.at).toISOString()} title={new Date(step.at).toISOString()}>
                  {clock.format(step.at)}
                  {offset && step.key !== "order" ? <span className="ml-1 text-slate-400">{offset}</span> : null}
                </time>
              )}
            </li>
          );
        })}
      </ol>
      {outcome.kind === "failed" && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 p-2 text-xs text-red-800" data-testid="deploy-failure">
          {outcome.message}
        </p>
      )}
      {(outcome.kind === "stopped" || outcome.kind === "sleeping") && (
        <p role="status" className="rounded-md border border-slate-200 bg-slate-50 p-2 text-xs text-slate-700">
          {outcome.message}
        </p>
      )}
    </div>
  );
}
