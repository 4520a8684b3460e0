/**
 * The host rules of the container endpoint (decisions §12) as pure functions over IP text: which addresses plain
 * http may reach. The same rules judge an IP literal in the URL and every address a host name resolves to.
 */

/** An IP address as numbers: four bytes, or eight 16-bit groups. */
export type Ip = { readonly family: 4; readonly parts: ReadonlyArray<number> } | IPv6

interface IPv6 {
  readonly family: 6
  readonly parts: ReadonlyArray<number>
}

// The ECS agent's task credentials address.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
const ECS_IPV4 = [169, 254, 170, 2]
// The EKS Pod Identity agent's addresses (IPv4 and IPv6).
// https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html
const EKS_IPV4 = [169, 254, 170, 23]
const EKS_IPV6 = [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x23]
// ::1, the IPv6 loopback address.
const IPV6_LOOPBACK = [0, 0, 0, 0, 0, 0, 0, 1]
// The first byte of 127.0.0.0/8, the IPv4 loopback range.
const IPV4_LOOPBACK_FIRST = 127
// ::ffff:0:0/96 carries an IPv4 address in its last 32 bits (RFC 4291 §2.5.5.2).
const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0xffff]

/** The name every resolver maps to loopback; allowed as a name but still resolved and checked like any other. */
export const LOCALHOST = "localhost"

const DECIMAL_OCTET = /^(0|[1-9][0-9]{0,2})$/
const HEX_GROUP = /^[0-9a-f]{1,4}$/i

/** Parses a dotted-quad IPv4 address; leading zeros (octal in some parsers) are refused as ambiguous. */
export const parseIPv4 = (text: string): Ip | undefined => {
  const pieces = text.split(".")
  if (pieces.length !== 4 || !pieces.every((piece) => DECIMAL_OCTET.test(piece))) return undefined
  const parts = pieces.map(Number)
  return parts.every((part) => part <= 255) ? { family: 4, parts } : undefined
}

// An embedded dotted IPv4 address may only end the whole address (`::ffff:10.0.0.1`).
const parseGroups = (text: string, dottedTail: boolean): Array<number> | undefined => {
  if (text === "") return []
  const groups: Array<number> = []
  const pieces = text.split(":")
  for (const [index, piece] of pieces.entries()) {
    if (dottedTail && index === pieces.length - 1 && piece.includes(".")) {
      const v4 = parseIPv4(piece)
      if (v4 === undefined) return undefined
      const [a = 0, b = 0, c = 0, d = 0] = v4.parts
      groups.push((a << 8) | b, (c << 8) | d)
    } else if (HEX_GROUP.test(piece)) groups.push(Number.parseInt(piece, 16))
    else return undefined
  }
  return groups
}

/** Parses an IPv6 address (with or without brackets), including `::` and an embedded dotted IPv4 tail. */
export const parseIPv6 = (text: string): Ip | undefined => {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text
  // Limitation: an address with a zone id (`fe80::1%eth0`) does not parse, so plain http to it is refused as a
  // forbidden host; link-local agents are reached by their fixed addresses instead, and a rule for scoped
  // addresses would lift it.
  if (bare.includes("%") || !bare.includes(":")) return undefined
  const halves = bare.split("::")
  if (halves.length > 2) return undefined
  const head = parseGroups(halves[0] ?? "", halves.length === 1)
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? "", true) : []
  if (head === undefined || tail === undefined) return undefined
  const missing = 8 - head.length - tail.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined
  return { family: 6, parts: [...head, ...Array<number>(missing).fill(0), ...tail] }
}

/** Parses an IPv4 or IPv6 address; `undefined` for a host name or anything malformed. */
export const parseIp = (text: string): Ip | undefined => parseIPv4(text) ?? parseIPv6(text)

const same = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean =>
  a.length === b.length && a.every((value, index) => value === b[index])

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`), which is where it really connects. */
export const unmapped = (ip: Ip): Ip => {
  if (ip.family === 4 || !same(ip.parts.slice(0, 6), MAPPED_PREFIX)) return ip
  const [high = 0, low = 0] = ip.parts.slice(6)
  return { family: 4, parts: [high >> 8, high & 0xff, low >> 8, low & 0xff] }
}

/** True for 127.0.0.0/8 and ::1 (and their IPv4-mapped forms). */
export const isLoopback = (ip: Ip): boolean => {
  const target = unmapped(ip)
  return target.family === 4 ? target.parts[0] === IPV4_LOOPBACK_FIRST : same(target.parts, IPV6_LOOPBACK)
}

/** True for the EKS Pod Identity agent addresses, 169.254.170.23 and fd00:ec2::23. */
export const isEksAgent = (ip: Ip): boolean => {
  const target = unmapped(ip)
  return same(target.parts, target.family === 4 ? EKS_IPV4 : EKS_IPV6)
}

/** True for the ECS agent address, 169.254.170.2. */
export const isEcsAgent = (ip: Ip): boolean => {
  const target = unmapped(ip)
  return target.family === 4 && same(target.parts, ECS_IPV4)
}

/**
 * Whether plain http may go to this address: loopback, the ECS agent or the EKS Pod Identity agent. An IPv4-mapped
 * IPv6 address is judged by the IPv4 address it maps to.
 */
export const isAllowedForHttp = (ip: Ip): boolean => isLoopback(ip) || isEcsAgent(ip) || isEksAgent(ip)

/** Whether plain http may go to this address text; anything that does not parse as an IP address is refused. */
export const isAllowedAddress = (text: string): boolean => {
  const ip = parseIp(text)
  return ip !== undefined && isAllowedForHttp(ip)
}

/** The host of a URL without IPv6 brackets, as a resolver and the host rules take it. */
export const bareHost = (hostname: string): string =>
  hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname

/** The rule a plain-http endpoint must pass, for messages and the README. */
export const ALLOWED_HOSTS_TEXT =
  "loopback (127.0.0.0/8, ::1, localhost), 169.254.170.2, 169.254.170.23 and fd00:ec2::23"
