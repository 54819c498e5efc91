/**
 * HTML escaping for text from servers (banners, certificate names, keywords)
 * and from users (campaign names, parameters): all of it is attacker-controlled
 * as far as the report is concerned. Escapes the five characters that can
 * open markup or leave an attribute value.
 */
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch] as string);
}
