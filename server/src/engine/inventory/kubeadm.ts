// How `kubeadm certs check-expiration` prints times, reproduced exactly: the EXPIRES column is Go's
// time.Format("Jan 02, 2006 15:04 MST") of the certificate's NotAfter (UTC, as x509 parses it), and
// RESIDUAL TIME is k8s.io/apimachinery/pkg/util/duration.ShortHumanDuration(time.Until(NotAfter)).

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.Format("Jan 02, 2006 15:04 MST") of a UTC time: 'Nov 29, 2027 18:51 UTC'. */
export function kubeadmExpiryTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())}, ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())} UTC`;
}

/**
 * duration.ShortHumanDuration for a duration in milliseconds. Go truncates toward zero at every step
 * (int(d.Seconds()), int(d.Minutes()), int(d.Hours()), hours/24, int(d.Hours()/24/365)); a duration
 * below -1 s is '<invalid>' (an expired certificate), -1 s to 0 is '0s'.
 */
export function shortHumanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 60) return `${minutes}m`;
  const hoursFloat = ms / 3_600_000;
  const hours = Math.trunc(hoursFloat);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(hoursFloat / 24 / 365)}y`;
}
