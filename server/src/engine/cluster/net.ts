// Hosts and addresses: the host a client dials for a URL, the first address of a CIDR (the in-cluster
// `kubernetes` Service's IP in a service CIDR).

/**
 * kube-apiserver's service CIDR when --service-cluster-ip-range is unset: kubeoptions.DefaultServiceIPCIDR
 * (pkg/kubeapiserver/options), taken by getServiceIPAndRanges (cmd/kube-apiserver/app/options/completion.go)
 * with the warning "No CIDR for service cluster IPs specified. Default value which was 10.0.0.0/24 is
 * deprecated...". The first IP, 10.0.0.1, is the `kubernetes` Service's and goes into the serving certificate
 * the apiserver makes for itself.
 */
export const DEFAULT_SERVICE_CIDR = '10.0.0.0/24';

/** The host a client dials for a URL such as https://[::1]:6443 or 10.0.0.1:2379. */
export function hostOf(url: string): string | undefined {
  const s = url.trim();
  if (!s) return undefined;
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s}`);
    const h = u.hostname.replace(/^\[|\]$/g, '');
    return h || undefined;
  } catch {
    return undefined;
  }
}

export function firstIpOfCidr(cidr: string): string | undefined {
  const [addr, bitsText] = cidr.trim().split('/');
  const bits = Number(bitsText);
  if (!addr || !Number.isInteger(bits)) return undefined;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(addr)) {
    const parts = addr.split('.').map(Number);
    if (parts.some((p) => p > 255) || bits < 0 || bits > 32) return undefined;
    let n = ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    n = ((n & mask) >>> 0) + 1;
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  if (addr.includes(':')) {
    const full = expandIpv6(addr);
    if (!full || bits < 0 || bits > 128) return undefined;
    let big = BigInt('0x' + full.join(''));
    const mask = bits === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - bits)) - 1n);
    big = (big & mask) + 1n;
    const hex = big.toString(16).padStart(32, '0');
    const groups = hex.match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ''));
    return compressIpv6(groups);
  }
  return undefined;
}

function expandIpv6(addr: string): string[] | undefined {
  const halves = addr.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array(missing).fill('0'), ...tail];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.map((g) => g.padStart(4, '0').toLowerCase());
}

function compressIpv6(groups: string[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`;
}
