/** Host-name comparison shared by the policy sources: lower case, no trailing dot. */
export function canonicalHost(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}
