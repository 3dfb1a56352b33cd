/** The syslog header a relay (rsyslog, syslog-ng, a firewall) puts before a forwarded log line. */
export interface SyslogHeader {
  /** HOSTNAME: the host that sent the line. */
  readonly host: string | null;
  /** TAG (RFC 3164) or APP-NAME (RFC 5424), e.g. 'nginx'. */
  readonly program: string | null;
  /** The PID in `nginx[2869]:` (RFC 3164) or PROCID (RFC 5424), when numeric. */
  readonly pid: number | null;
  /** Length of the header: the message starts there. */
  readonly length: number;
}

// RFC 3164 (BSD): `[<PRI>]Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG` (day space-padded or not).
const RFC3164 = /^(?:<\d{1,3}>)?[A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2} (\S+) ([^\s:[]+)(?:\[(\d+)\])?: /;
// RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG`, '-' for nil.
const RFC5424 = /^<\d{1,3}>1 \S+ (\S+) (\S+) (\S+) \S+ (?:-|(?:\[(?:[^\]"\\]|"(?:[^"\\]|\\.)*")*\])+) ?/;

/** The RFC 3164 or RFC 5424 header of a line, or undefined when it has none. */
export function parseSyslogHeader(line: string): SyslogHeader | undefined {
  const first = line.charCodeAt(0);
  // '<' (PRI) or an upper-case month letter: anything else is not a syslog line.
  if (first !== 60 && !(first >= 65 && first <= 90)) return undefined;
  const bsd = RFC3164.exec(line);
  if (bsd)
    return { host: bsd[1], program: bsd[2], pid: bsd[3] === undefined ? null : Number(bsd[3]), length: bsd[0].length };
  const ietf = RFC5424.exec(line);
  if (ietf) {
    const nil = (v: string) => (v === '-' ? null : v);
    return {
      host: nil(ietf[1]),
      program: nil(ietf[2]),
      pid: /^\d+$/.test(ietf[3]) ? Number(ietf[3]) : null,
      length: ietf[0].length,
    };
  }
  return undefined;
}
