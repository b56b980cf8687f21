/** Whether `zone` is an IANA time zone this runtime knows ("Asia/Jakarta"), for validating configuration. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
