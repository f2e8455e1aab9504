// Onboarding explanations assembled from the model: what a concept is, who owns it, how state reaches it
// and leaves it, what can go wrong, and where to read the code.
import { UserError } from '../contracts/failures.js';
import { normaliseName } from './parse.js';
import type { DomainModel } from './schema.js';

export interface Explanation {
  query: string;
  kind: 'concept' | 'component' | 'state' | 'substate' | 'platform' | 'invariant' | 'rule' | 'condition' | 'failure-mode';
  id: string;
  title: string;
  summary: string;
  sections: { heading: string; items: string[] }[];
  refs: string[];
}

function sections(list: [string, string[]][]): Explanation['sections'] {
  return list.filter(([, items]) => items.length > 0).map(([heading, items]) => ({ heading, items }));
}

export function explain(model: DomainModel, query: string): Explanation {
  const key = normaliseName(query);
  const is = (...names: (string | undefined)[]): boolean => names.some((n) => n !== undefined && normaliseName(n) === key);
  const compName = (id: string): string => model.map.components.find((c) => c.id === id)?.name ?? id;

  const concept = model.flows.concepts.find((c) => is(c.id, c.name, ...c.aliases));
  if (concept) {
    const inbound = model.flows.edges.filter((e) => e.to === concept.id);
    const outbound = model.flows.edges.filter((e) => e.from === concept.id);
    const name = (id: string): string => model.flows.concepts.find((c) => c.id === id)?.name ?? id;
    const comp = model.map.components.find((c) => c.id === concept.component);
    return {
      query,
      kind: 'concept',
      id: concept.id,
      title: concept.name,
      summary: `${concept.name} is owned by ${compName(concept.component)}${concept.platform ? ` and exists only on ${concept.platform}` : ''}.`,
      sections: sections([
        ['State arrives from', inbound.map((e) => `${name(e.from)} via ${compName(e.actor)}: ${e.carries}${e.lossy ? ` (lossy: ${e.loss})` : ''}`)],
        ['State goes to', outbound.map((e) => `${name(e.to)} via ${compName(e.actor)}: ${e.carries}${e.lossy ? ` (lossy: ${e.loss})` : ''}`)],
        ['Its owner must not', comp?.mustNot ?? []],
        ['Flows it is part of', model.flows.flows.filter((f) => f.chain.includes(concept.id)).map((f) => `${f.title}: ${f.chain.map(name).join(' -> ')}`)],
      ]),
      refs: [concept.ref, ...inbound.flatMap((e) => e.via), ...outbound.flatMap((e) => e.via)].filter((v, i, a) => a.indexOf(v) === i),
    };
  }
  const comp = model.map.components.find((c) => is(c.id, c.name));
  if (comp) {
    return {
      query,
      kind: 'component',
      id: comp.id,
      title: comp.name,
      summary: `${comp.name} runs in ${comp.runsIn} on the ${comp.side === 'management' ? 'management side' : 'data plane'}; code under ${comp.paths.join(', ')}.`,
      sections: sections([
        ['Owns', comp.owns],
        ['Reads', comp.reads],
        ['Must not', comp.mustNot],
        [
          'Boundary rules on its paths',
          model.map.boundaryRules
            .filter((r) => r.paths.some((p) => comp.paths.some((cp) => cp.startsWith(p.replace(/\*\*$/, '')) || p.startsWith(cp.replace(/\*\*$/, '')))))
            .map((r) => `${r.id}: ${r.reason}`),
        ],
        ['Communication', [model.map.communication.statement]],
      ]),
      refs: [comp.entry, ...comp.code],
    };
  }
  for (const st of model.lifecycle.states) {
    if (is(st.id)) {
      return {
        query,
        kind: 'state',
        id: st.id,
        title: `NodePool lifecycle: ${st.id}`,
        summary: st.summary,
        sections: sections([
          ['Strategies', st.strategies.map((s) => `${s.id} (${s.capiObject}): ${s.summary}`)],
          [
            'Sub-states',
            st.substates.map((s) => `${s.id}${s.strategy && s.strategy !== 'both' ? ` [${s.strategy}]` : ''}: ${s.summary} -> ${s.next.join(' | ')}`),
          ],
          ['Conditions', [...st.conditions, ...st.substates.flatMap((s) => s.conditions)].filter((v, i, a) => a.indexOf(v) === i)],
          ['Invariants', model.lifecycle.invariants.filter((i) => i.appliesTo.includes(st.id)).map((i) => `${i.id}: ${i.statement}`)],
          ['Failure modes', model.lifecycle.failureModes.filter((f) => f.state === st.id).map((f) => `${f.id}: ${f.symptom}`)],
          ['Platform differences', model.lifecycle.platformVariations.filter((v) => v.state === st.id).map((v) => `${v.platform.join('/')}: ${v.behaviour}`)],
          ['Next', st.next],
        ]),
        refs: [...st.code, ...st.substates.flatMap((s) => s.code)],
      };
    }
    const sub = st.substates.find((s) => is(s.id, `${st.id}.${s.id}`));
    if (sub) {
      return {
        query,
        kind: 'substate',
        id: `${st.id}.${sub.id}`,
        title: `${st.id} / ${sub.id}`,
        summary: sub.summary,
        sections: sections([
          ['Conditions', sub.conditions],
          ['Next', sub.next],
          ['Failure modes', model.lifecycle.failureModes.filter((f) => f.state === st.id && f.substate === sub.id).map((f) => `${f.id}: ${f.symptom}`)],
          [
            'Platform differences',
            model.lifecycle.platformVariations
              .filter((v) => v.state === st.id && v.substates.includes(sub.id))
              .map((v) => `${v.platform.join('/')}: ${v.behaviour}`),
          ],
        ]),
        refs: [...sub.code],
      };
    }
  }
  const platform = model.matrix.platforms.find((p) => is(p.id));
  if (platform) {
    return {
      query,
      kind: 'platform',
      id: platform.id,
      title: `Platform ${platform.id}`,
      summary: platform.machineTemplate
        ? `${platform.id} NodePools are built from ${platform.machineTemplate.kind}; the provider reports on ${platform.machineTemplate.providerMachineKind}.`
        : `${platform.id} NodePools have no CAPI machines. ${platform.note ?? ''}`.trim(),
      sections: sections([
        ['Scaling', [platform.scalingPrimitive]],
        ['Quota / capacity errors', [platform.quotaErrorSource]],
        ['Image', [platform.imageReference]],
        ['Network', [platform.networkModel]],
        [
          'Lifecycle differences',
          model.lifecycle.platformVariations
            .filter((v) => v.platform.includes(platform.id))
            .map((v) => `${v.state}${v.substates.length ? `/${v.substates.join(',')}` : ''}: ${v.behaviour}`),
        ],
      ]),
      refs: [platform.constRef, ...(platform.machineTemplate ? [platform.machineTemplate.builder] : [])],
    };
  }
  const inv = model.lifecycle.invariants.find((i) => is(i.id));
  if (inv)
    return {
      query,
      kind: 'invariant',
      id: inv.id,
      title: `Invariant ${inv.id}`,
      summary: inv.statement,
      sections: sections([
        ['Applies to', inv.appliesTo],
        ['Re-check when touching', inv.recheckWhenTouching],
      ]),
      refs: [...inv.enforcedBy],
    };
  const rule = model.map.boundaryRules.find((r) => is(r.id));
  if (rule)
    return {
      query,
      kind: 'rule',
      id: rule.id,
      title: `Boundary rule ${rule.id}`,
      summary: rule.reason,
      sections: sections([
        ['Paths', rule.paths],
        ['Forbidden imports', rule.forbidImports],
        ['Forbidden identifiers', rule.forbidIdentifiers],
        ['Allowed exceptions', rule.allowedExceptions],
        ['Instead', [rule.insteadDo]],
        ['Evidence', [rule.evidence]],
      ]),
      refs: [],
    };
  const cond = model.lifecycle.conditionCatalog.find((c) => is(c.const, c.value));
  if (cond) {
    const users = model.lifecycle.states.flatMap((s) => [
      ...(s.conditions.includes(cond.const) ? [s.id] : []),
      ...s.substates.filter((u) => u.conditions.includes(cond.const)).map((u) => `${s.id}.${u.id}`),
    ]);
    const conceptName = (id: string): string => model.flows.concepts.find((c) => c.id === id)?.name ?? id;
    const carriedBy = model.flows.edges.filter((e) => e.carries.includes(cond.value));
    const variations = model.lifecycle.platformVariations.filter((v) => v.conditions.includes(cond.const));
    return {
      query,
      kind: 'condition',
      id: cond.const,
      title: `${cond.const} = "${cond.value}"`,
      summary: `A NodePool condition ${cond.kind}${cond.note ? ` (${cond.note})` : ''}.`,
      sections: sections([
        ['Set during', users],
        [
          'State reaches it through',
          carriedBy.map(
            (e) =>
              `${conceptName(e.from)} -> ${conceptName(e.to)} via ${compName(e.actor)}${e.direct ? ' (HyperShift reads the provider object directly)' : ''}: ${e.carries}`,
          ),
        ],
        ['Platforms that set it', variations.map((v) => `${v.platform.join('/')}: ${v.behaviour}`)],
        [
          'Failure modes surfaced through it',
          model.lifecycle.failureModes
            .filter((f) => f.surfacedAs.condition === cond.const || f.surfacedAs.reason === cond.const)
            .map((f) => `${f.id}${f.platforms.length ? ` [${f.platforms.join(', ')}]` : ''}: ${f.symptom}`),
        ],
      ]),
      refs: [cond.ref, ...carriedBy.flatMap((e) => e.via), ...variations.flatMap((v) => v.code)].filter((v, i, a) => a.indexOf(v) === i),
    };
  }
  const fm = model.lifecycle.failureModes.find((f) => is(f.id));
  if (fm)
    return {
      query,
      kind: 'failure-mode',
      id: fm.id,
      title: `Failure mode ${fm.id}`,
      summary: fm.symptom,
      sections: sections([
        ['Where', [`${fm.state}${fm.substate ? `.${fm.substate}` : ''}`]],
        [
          'Surfaced as',
          [
            `${fm.surfacedAs.condition}${fm.surfacedAs.reason ? ` / ${fm.surfacedAs.reason}` : ''}${fm.lossy ? ' (lossy: detail stays on the provider machine)' : ''}`,
          ],
        ],
        ['Platforms', fm.platforms],
      ]),
      refs: model.lifecycle.conditionCatalog
        .filter((c) => c.const === fm.surfacedAs.condition || c.const === fm.surfacedAs.reason)
        .map((c) => c.ref)
        .filter((v, i, a) => a.indexOf(v) === i),
    };
  throw new UserError(
    `nothing in the model is called "${query}" (try a concept like AzureMachine, a component like hcco, a state like Upgrading, a platform, an invariant or a rule id)`,
    { field: 'concept' },
  );
}

export function renderExplanation(e: Explanation): string {
  const out = [`${e.title}  [${e.kind}]`, '', e.summary];
  for (const s of e.sections) out.push('', `${s.heading}:`, ...s.items.map((i) => `  - ${i}`));
  if (e.refs.length) out.push('', 'Read:', ...e.refs.map((r) => `  ${r}`));
  return out.join('\n');
}
