/**
 * The publishing and API-key services name the input at fault at the start of a message
 * ("slug: \"x\" is not a valid name…", "allowedOrigins: list the web sites…"), so one message
 * can serve both API callers and forms. A form shows it under the field it names, without
 * the programmer's field name in front.
 */
export type FieldMessage = { field: string | null; text: string };

const FIELD_PREFIX = /^([a-zA-Z]+): ([\s\S]+)$/;

export function splitFieldMessage(message: string | null | undefined): FieldMessage | null {
  if (!message) return null;
  const match = FIELD_PREFIX.exec(message);
  if (!match?.[1] || !match[2]) return { field: null, text: message };
  const text = match[2];
  return { field: match[1], text: text.charAt(0).toUpperCase() + text.slice(1) };
}
