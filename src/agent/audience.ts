// Explanations that follow who asks (tier-3 memory): someone learning a platform, or new to the team, gets
// the platform's primer from the model and what the cited terms mean; an expert on the platform gets the
// answer alone. Pure: text in, text out.
import type { DomainModelPort } from './model-port.js';
import type { Audience } from './types.js';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The answer with the context this person needs around it. */
export function forAudience(answer: string, question: string, audience: Audience | undefined, model: DomainModelPort): string {
  if (!audience) return answer;
  const named = model.platformsIn?.(`${question}\n${answer}`) ?? [];
  const isFamiliar = (id: string) => audience.familiarPlatforms.some((p) => same(p, id));
  const isLearning = (id: string) => audience.learningPlatforms.some((p) => same(p, id));
  const needsPrimer = named.filter((p) => isLearning(p.id) || (!isFamiliar(p.id) && audience.explanationLevel !== 'expert'));
  const parts = [answer];
  for (const p of needsPrimer.slice(0, 2)) {
    const why = isLearning(p.id) ? `you are learning ${p.id}` : `${p.id} is new to you`;
    parts.push('', `*Context on ${p.id}* (${why}):`, p.primer);
  }
  if (audience.explanationLevel === 'beginner') {
    parts.push(
      '',
      'How to read this: a NodePool is the HyperShift object that owns a group of worker machines; Cluster API (CAPI) creates and tracks each Machine for it, and the platform provider (AWS, Azure, …) creates the real instance. Errors travel back up that chain as conditions.',
    );
  }
  if (needsPrimer.length === 0 && named.length > 0 && named.every((p) => isFamiliar(p.id)) && audience.explanationLevel === 'expert') {
    parts.push('', `_(Kept short: ${named.map((p) => p.id).join(' and ')} is familiar ground for you.)_`);
  }
  return parts.join('\n');
}
