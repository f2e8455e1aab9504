// Short, secret-free text for briefing lines and drafts: one line, the first sentence, a slug.
import { redactSecrets } from '../observability/logger.js';

export const oneLine = (text: string, max: number) => {
  const flat = redactSecrets(text).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export const firstSentence = (text: string, max = 220) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  const end = flat.search(/[.!?](\s|$)/);
  return oneLine(end > 0 && end < max ? flat.slice(0, end + 1) : flat, max);
};

export const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
