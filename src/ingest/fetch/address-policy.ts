/**
 * Which addresses URL ingestion may connect to. Only public unicast addresses are allowed:
 * loopback, private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT,
 * unspecified, multicast, broadcast, reserved, unique-local and IPv6 forms that embed an IPv4
 * address (IPv4-mapped, NAT64, 6to4, Teredo) are refused. ipaddr.js (imported only here)
 * classifies addresses, so odd spellings cannot slip through.
 *
 * An allow-list (hosts or CIDR ranges) opens specific targets, for tests and intranets.
 */
import ipaddr from 'ipaddr.js';
import { ValidationError } from '../../errors.ts';
import { userMessage, type UserMessage } from '../../messages/index.ts';

type ParsedAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** Parsed allow-list: exact host names and address ranges. */
export type AllowList = { hosts: Set<string>; ranges: Array<[ParsedAddress, number]> };

/** Whether an address may be reached; if not, what it is ("a loopback address", from the message catalogue). */
export type AddressVerdict = { allowed: true } | { allowed: false; reason: UserMessage };

/**
 * Parses allow-list entries: `host.name`, `10.0.0.0/8`, `::1/128` or a single address.
 * Throws ValidationError naming a malformed CIDR.
 */
export function parseAllowList(entries: readonly string[]): AllowList {
  const hosts = new Set<string>();
  const ranges: Array<[ParsedAddress, number]> = [];
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (entry.length === 0) continue;
    if (entry.includes('/')) {
      try {
        ranges.push(ipaddr.parseCIDR(entry));
      } catch {
        throw new ValidationError(userMessage('validation_failed.allow_list_entry', { entry: raw }), { setting: 'urlAllowList' });
      }
    } else if (ipaddr.isValid(stripBrackets(entry))) {
      const address = ipaddr.parse(stripBrackets(entry));
      ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else {
      hosts.add(entry.replace(/\.$/, ''));
    }
  }
  return { hosts, ranges };
}

/** Whether a host name (as in the URL, lower-cased) is on the allow-list. */
export function isAllowedHost(hostname: string, allowList: AllowList): boolean {
  return allowList.hosts.has(stripBrackets(hostname.toLowerCase()).replace(/\.$/, ''));
}

/** Whether `text` is an IP address literal (IPv6 may be in brackets). */
export function isIpLiteral(text: string): boolean {
  return ipaddr.isValid(stripBrackets(text)) && (ipaddr.IPv4.isValidFourPartDecimal(stripBrackets(text)) || ipaddr.IPv6.isValid(stripBrackets(text)));
}

/**
 * Decides whether `address` (an IP literal as resolved or written in a URL) may be connected to.
 * Addresses in an allow-listed range are always allowed.
 */
export function checkAddress(address: string, allowList: AllowList): AddressVerdict {
  let parsed: ParsedAddress;
  try {
    parsed = ipaddr.parse(stripBrackets(address));
  } catch {
    return { allowed: false, reason: userMessage('fragment.address.invalid') };
  }
  if (allowList.ranges.some(([range, bits]) => range.kind() === parsed.kind() && parsed.match(range, bits))) return { allowed: true };
  // Check the IPv4 address inside IPv4-mapped and similar IPv6 forms; allow-list it too.
  const embedded = embeddedIPv4(parsed);
  if (embedded) {
    if (allowList.ranges.some(([range, bits]) => range.kind() === 'ipv4' && embedded.match(range, bits))) return { allowed: true };
    const inner = classify(embedded);
    return inner === 'unicast'
      ? { allowed: false, reason: userMessage('fragment.address.ipv6_form_of_ipv4', { ipv4: embedded.toString() }) }
      : { allowed: false, reason: userMessage('fragment.address.ipv6_form_of_range', { ipv4: embedded.toString(), range: describe(inner) }) };
  }
  const range = classify(parsed);
  return range === 'unicast' ? { allowed: true } : { allowed: false, reason: describe(range) };
}

function classify(address: ParsedAddress): string {
  return address.range();
}

/** The IPv4 address an IPv6 address carries (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo), if any. */
function embeddedIPv4(address: ParsedAddress): ipaddr.IPv4 | null {
  if (address.kind() !== 'ipv6') return null;
  const ipv6 = address as ipaddr.IPv6;
  const parts = ipv6.parts;
  const fromWords = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  if (ipv6.isIPv4MappedAddress()) return ipv6.toIPv4Address();
  // IPv4-compatible ::a.b.c.d (deprecated) and SIIT ::ffff:0:a.b.c.d
  if (parts.slice(0, 5).every((part) => part === 0) && (parts[5] === 0 || parts[5] === 0xffff) && (parts[6] !== 0 || parts[7]! > 1)) {
    return fromWords(parts[6]!, parts[7]!);
  }
  if (parts[0] === 0x64 && parts[1] === 0xff9b) return fromWords(parts[6]!, parts[7]!); // NAT64 64:ff9b::/96 and /48
  if (parts[0] === 0x2002) return fromWords(parts[1]!, parts[2]!); // 6to4
  if (parts[0] === 0x2001 && parts[1] === 0) return fromWords(parts[6]! ^ 0xffff, parts[7]! ^ 0xffff); // Teredo client
  return null;
}

/** ipaddr.js's range names that have a text of their own ("a loopback address"). */
const describedRanges = ['loopback', 'private', 'linkLocal', 'uniqueLocal', 'unspecified', 'multicast', 'broadcast', 'carrierGradeNat', 'reserved'] as const;

/** What an address of a non-public range is, as a catalogue fragment. */
function describe(range: string): UserMessage {
  const known = describedRanges.find((name) => name === range);
  return known ? userMessage(`fragment.address.${known}`) : userMessage('fragment.address.other', { range });
}

function stripBrackets(text: string): string {
  return text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
}
