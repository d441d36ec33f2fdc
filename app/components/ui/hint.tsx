import * as Tooltip from "@radix-ui/react-tooltip";
import { CircleHelp } from "lucide-react";
import type { ReactElement, ReactNode } from "react";

/**
 * Short explanations on hover (and on keyboard focus) for words a new user may not know.
 * Radix Tooltip does the positioning, the delay and the `role="tooltip"` wiring. Each hint
 * carries its own provider, so it works anywhere without a provider at the app's root.
 */
export function Hint({ tip, children, side = "top" }: { tip: ReactNode; children: ReactElement; side?: "top" | "bottom" | "left" | "right" }) {
  return (
    <Tooltip.Provider delayDuration={250}>
      <Tooltip.Root>
        <Tooltip.Trigger asChild>{children}</Tooltip.Trigger>
        <Tooltip.Portal>
          <Tooltip.Content
            side={side}
            sideOffset={4}
            collisionPadding={8}
            className="z-50 max-w-xs rounded-md bg-slate-900 px-2.5 py-1.5 text-xs leading-snug text-white shadow-lg"
          >
            {tip}
            <Tooltip.Arrow className="fill-slate-900" />
          </Tooltip.Content>
        </Tooltip.Portal>
      </Tooltip.Root>
    </Tooltip.Provider>
  );
}

/** A word with a dotted underline that explains itself on hover, e.g. <Term tip="…">SPON</Term>. */
export function Term({ tip, children, testId }: { tip: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <Hint tip={tip}>
      <span tabIndex={0} className="cursor-help underline decoration-slate-400 decoration-dotted underline-offset-2" data-testid={testId}>
        {children}
      </span>
    </Hint>
  );
}

/**
 * A small question mark beside a label; its tooltip says what the labelled thing means. Its
 * own name stays generic, so the label's text keeps naming only the field it labels.
 */
export function HelpTip({ tip }: { tip: ReactNode }) {
  return (
    <Hint tip={tip}>
      <button type="button" className="inline-flex align-middle text-slate-400 hover:text-slate-600" aria-label="What does this mean?">
        <CircleHelp size={13} aria-hidden />
      </button>
    </Hint>
  );
}
