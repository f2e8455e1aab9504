// Public API of the HyperShift data-plane domain model. Everything here is pure (data in, JSON-serialisable
// data out) except what load.ts provides: it reads domain-models/ with its pinned snapshot, and checkouts.
//
//   loadDomainModel(dir?)                    -> DomainModel        (load.ts: reads domain-models/*.yaml)
//   parseModels(sources)                     -> DomainModel        (pure; throws UserError "file:line path: msg")
//   findPath(model, from, to)                -> PathResult         (propagation chain, lossy hops flagged)
//   impactOf(model, files, {owners?})        -> ImpactResult       (components, states, invariants, platforms, e2e, reviewers)
//   checkDiff(model, diff, {fileContents?})  -> CheckResult        (boundary rules + naming conventions on added lines)
//   explain(model, concept)                  -> Explanation
//   verifyAgainstTree(model, paths, {goFiles?}) -> VerifyReport    (model drift against the pinned tree or a checkout)
//   buildSnapshot(model, checkout, previous) -> Snapshot           (the pin regenerated from a checkout's HEAD)
//   diffSnapshots(model, previous, next)     -> SnapshotDiff       (paths gone, symbols moved, OWNERS changed, verify)
//   suggestReviewers(ownersIndex, files)     -> ReviewerSuggestion (Prow OWNERS semantics)
//   loadOwnersIndex(dir?) / buildOwnersIndex(sources) / parseOwnersFile / parseOwnersAliases
//   answerFromModel(model, question)         -> RoutedAnswer       (a question routed by the names the model gives its nodes)
//   platformCoverage(model)                  -> CoverageReport     (each platform x each kind of entry; verify reports gaps)
//   newPlatformChecklist(model)              -> NewPlatformChecklist
//   platformVariations(model, platform)      -> PlatformReport
//   render*(result)                          -> human-readable text for the CLI and Slack
export { parseModels, formatIssue, normaliseName, type ModelSource, type ModelIssue } from './parse.js';
export {
  loadDomainModel,
  loadOwnersIndex,
  loadTree,
  scanRepo,
  readModelSources,
  readRepoFiles,
  snapshotDir,
  snapshotTreeFile,
  defaultModelsDir,
} from './load.js';
export { readSnapshot, writeSnapshot, readCheckoutTree, readCheckoutFiles, grepCheckout } from './load.js';
export { findPath, resolveConcept, renderPath, type PathResult, type PathStep, type ConceptRef } from './path.js';
export { impactOf, renderImpact, type ImpactResult, type FileImpact, type StateImpact, type InvariantImpact, type SuiteImpact } from './impact.js';
export { checkDiff, checkGoImports, formatViolation, rulesForFile, type CheckResult, type Violation, type CheckOptions } from './check.js';
export { parseUnifiedDiff, diffPaths, type DiffFile, type DiffHunk, type DiffLine } from './diff.js';
export { explain, renderExplanation, type Explanation } from './explain.js';
export { verifyAgainstTree, indexTree, globMatchesTree, formatVerifyIssue, type VerifyReport, type VerifyIssue, type TreeIndex } from './verify.js';
export {
  suggestReviewers,
  ownersForFile,
  buildOwnersIndex,
  parseOwnersFile,
  parseOwnersAliases,
  type OwnersIndex,
  type OwnersFile,
  type FileOwners,
  type ReviewerSuggestion,
} from './owners.js';
export {
  newPlatformChecklist,
  platformVariations,
  findPlatform,
  renderChecklist,
  renderPlatform,
  type NewPlatformChecklist,
  type ChecklistItem,
  type PlatformReport,
} from './platform.js';
export { parseGoImports, type GoFileImports, type GoImport } from './goimports.js';
export {
  buildSnapshot,
  diffSnapshots,
  renderSnapshotDiff,
  renderSnapshotIndex,
  filesToRead,
  referencedFiles,
  isOwnersPath,
  countLines,
  type Snapshot,
  type SnapshotDiff,
  type CheckoutContent,
} from './snapshot.js';
export { goDeclarations, findDeclaration, type GoDeclarations } from './godecl.js';
export { matchGlob, matchAny } from './glob.js';
export {
  answerFromModel,
  findMentions,
  type AnswerKind,
  type Mention,
  type MentionKind,
  type RoutedAnswer,
  type RoutedCitation,
  type RouteOptions,
} from './route.js';
export { platformCoverage, renderCoverage, COVERAGE_KINDS, type CoverageReport, type CoverageKind, type CoverageCell, type CoverageGap } from './coverage.js';
export type {
  DomainModel,
  RefSite,
  Lifecycle,
  AbstractionMap,
  PlatformMatrix,
  PropagationFlows,
  SnapshotIndex,
  SnapshotFile,
  BoundaryRule,
  Platform,
  Concept,
  Edge,
} from './schema.js';
