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
/**
 * An Amazon Detective behavior graph ARN, `arn:<partition>:detective:<region>:<administrator account>:graph:<32 hex>`
 * (the service model's pattern, without its lazy quantifiers): groups 1 region, 2 administrator account, 3 graph ID.
 */
export const GRAPH_ARN = /^arn:aws[-\w]{0,10}:detective:([-\w]{2,20}):(\d{12}):graph:([a-f\d]{32})$/;

/**
 * An AWS RAM resource share ARN, `arn:<partition>:ram:<region>:<owner account>:resource-share/<ID>`: groups 1 to 4 are
 * the partition, the Region, the owner account and the share's ID.
 */
export const RESOURCE_SHARE_ARN = /^arn:(aws[a-z-]*):ram:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):resource-share\/([A-Za-z0-9-]{1,128})$/;

/** An IAM role name without a path: 1 to 64 letters, digits and `+=,.@_-` (`Acceptance.assumeRole`). */
export const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/*
 * Email addresses inside free text, found from each '@' (a scan, not one regular expression: nested quantifiers would
 * backtrack exponentially on long lines without an address). The local part before the '@' is a run of quoted strings
 * ("john doe"), comments ((work)) and atom characters (anything but whitespace and RFC 5322's delimiters, apostrophes
 * included: o'brien), at most MAX_LOCAL characters, so a quoted, commented or apostrophe local part is masked whole;
 * leading apostrophes stay outside ('owner@example.com' in a message). The domain may carry comments.
 */
const MAX_LOCAL = 256;
const ATOM_CHAR = /[^\s@"()<>[\],;:\\]/;
const DOMAIN_AT = /(?:\([^()\r\n]*\))?[^\s@"'()<>[\],;:\\.]+(?:\.[^\s@"'()<>[\],;:\\.]+)+(?:\([^()\r\n]*\))?/y;

/** Where the local part that ends before `at` starts (`at` itself when there is none), not before `floor`. */
function localStart(text: string, at: number, floor: number): number {
  const limit = Math.max(floor, at - MAX_LOCAL);
  let i = at;
  while (i > limit) {
    const c = text[i - 1];
    if (c === '"' || c === ')') {
      const open = c === '"' ? '"' : '(';
      let j = i - 2;
      while (j >= limit && text[j] !== open && text[j] !== '\n' && text[j] !== '\r' && !(c === ')' && text[j] === ')')) j--;
      if (j < limit || text[j] !== open) break;
      i = j;
    } else if (ATOM_CHAR.test(c)) {
      i--;
    } else {
      break;
    }
  }
  while (i < at && text[i] === "'") i++;
  return i;
}

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
  let out = '';
  let done = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    if (at < done) continue;
    const start = localStart(text, at, done);
    if (start === at) continue;
    DOMAIN_AT.lastIndex = at + 1;
    const domain = DOMAIN_AT.exec(text);
    if (!domain) continue;
    const end = at + 1 + domain[0].length;
    out += text.slice(done, start) + maskEmail(text.slice(start, end));
    done = end;
  }
  return out + text.slice(done);
}

/** The length of a string in characters (Unicode code points), as AWS counts "characters", not UTF-16 units. */
export function characterLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
