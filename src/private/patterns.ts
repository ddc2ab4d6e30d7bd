/**
 * Identifier patterns and email masking, defined once: the constructs validate with them at synth time
 * (src/private/validation.ts) and the handlers import them (lambda/shared/props.ts and log.ts re-export them;
 * esbuild bundles this file). No imports: it must load in the published package, in the bundles and in tests alike.
 */

/** A 12-digit AWS account ID. */
export const ACCOUNT_ID = /^\d{12}$/;
/** An email address, loosely: something@domain.tld without whitespace (AWS checks the rest). */
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** An AWS Organizations handshake ID. */
export const HANDSHAKE_ID = /^h-[0-9a-z]{8,32}$/;
/** An Amazon WorkSpaces account link ID. */
export const ACCOUNT_LINK_ID = /^link-.{8,24}$/;
/** An AWS Organizations organization ID. */
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/*
 * Email addresses inside free text. The local part is a run of quoted strings ("john doe"), comments ((work)) and
 * atoms (anything but whitespace and the delimiters of RFC 5322), so that a quoted, commented or apostrophe local
 * part is masked as a whole; an atom may contain an apostrophe (o'brien) but not start with one, so that a quote
 * around the address ('owner@example.com') stays outside. The domain may carry comments too.
 */
const QUOTED = String.raw`"(?:[^"\\\r\n]|\\.)*"`;
const COMMENT = String.raw`\([^()\r\n]*\)`;
const ATOM_START = String.raw`[^\s@"'()<>\[\],;:\\]`;
const ATOM_CHAR = String.raw`[^\s@"()<>\[\],;:\\]`;
const LOCAL = `(?:${QUOTED}|${COMMENT}|${ATOM_START}${ATOM_CHAR}*)(?:${QUOTED}|${COMMENT}|${ATOM_CHAR}+)*`;
const LABEL = String.raw`[^\s@"'()<>\[\],;:\\.]+`;
const DOMAIN = `(?:${COMMENT})?${LABEL}(?:\\.${LABEL})+(?:${COMMENT})?`;
const EMAIL_IN_TEXT = new RegExp(`${LOCAL}@${DOMAIN}`, 'g');

/**
 * `owner@example.com` -> `o***@example.com`: enough to tell invitations apart, not enough to harvest. Only a
 * plain first letter or digit is kept; a quoted or commented local part is hidden whole, and comments in the
 * domain are dropped.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  const first = /^[A-Za-z0-9]/.test(email) ? email[0] : '';
  const domain = email.slice(at + 1).replace(/\([^()]*\)/g, '');
  return `${first}***@${domain}`;
}

/** Masks every email address inside a string. */
export function maskEmails(text: string): string {
  return text.replace(EMAIL_IN_TEXT, maskEmail);
}

/** The length of a string in characters (Unicode code points), as AWS counts "characters", not UTF-16 units. */
export function characterLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
