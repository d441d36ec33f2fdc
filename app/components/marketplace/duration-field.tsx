import { useId } from "react";
import { durationHoursOf, type DurationChoice } from "#app/lib/marketplace/duration";

export function DurationField({ value, onChange, compact = false }: { value: DurationChoice; onChange(v: DurationChoice): void; compact?: boolean }) {
  const id = useId();
  const { error } = durationHoursOf(value);
  return (
    <fieldset className="space-y-1">
      <legend className={`font-medium text-slate-700 ${compact ? "text-xs" : "text-sm"}`}>Duration</legend>
      <div className={`flex flex-wrap items-center gap-3 ${compact ? "text-xs" : "text-sm"}`}>
        <span className="flex items-center gap-1.5">
          <label className="flex items-center gap-1.5">
            <input type="radio" name={`${id}-mode`} checked={!value.untilStopped} onChange={() => onChange({ ...value, untilStopped: false })} />
            For<span className="sr-only"> a set time</span>
          </label>
          <input
            type="number"
            min={1}
            max={720}
            step={1}
            aria-label="Hours"
            className="w-16 rounded-md border border-slate-300 px-1.5 py-0.5 shadow-sm disabled:bg-slate-100"
            value={value.hours}
            disabled={value.untilStopped}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
            onChange={(e) => onChange({ ...value, hours: e.target.value })}
          />
          <span aria-hidden>hours</span>
        </span>
        <label className="flex items-center gap-1.5">
          <input type="radio" name={`${id}-mode`} checked={value.untilStopped} onChange={() => onChange({ ...value, untilStopped: true })} />
          Until stopped
        </label>
      </div>
      {error && (
        <p id={`${id}-error`} role="alert" className="text-xs text-red-600">
          {error}
        </p>
      )}
    </fieldset>
  );
}
