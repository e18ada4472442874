/**
 * How an agent's parts are put together: each gets the state it owns and narrow handles on the
 * others (an outbox, a `Sender`, a `Receiver`), never the agent. `IceAgent` holds the result.
 */
import { Outbox } from "../common/sans-io.js";
import { CheckTransactions } from "./check-transactions.js";
import { CheckList } from "./checklist.js";
import { CheckScheduler } from "./checks.js";
import { Components } from "./components.js";
import { AgentCounters } from "./counters.js";
import { DataPlane } from "./data-plane.js";
import { FailureJudge } from "./failure.js";
import { ConsentFreshness } from "./freshness.js";
import { Gathering } from "./gathering.js";
import { Identity } from "./identity.js";
import { Inbound } from "./inbound.js";
import { Nomination } from "./nomination.js";
import type { Receiver } from "./ports.js";
import { ReflexiveGatherer } from "./reflexive.js";
import { CandidateRegistry } from "./registry.js";
import { Relays } from "./relays.js";
import { ReplyLimiter } from "./reply-limiter.js";
import { CheckResponder } from "./responder.js";
import { ResponseHandler } from "./responses.js";
import { Router } from "./routing.js";
import { agentSettings, type AgentSettings } from "./settings.js";
import { ComponentStates } from "./states.js";
import type { AgentEvent, AgentOptions, Transmit } from "./types.js";

/** The parts of one agent. */
export interface AgentParts {
  readonly settings: AgentSettings;
  readonly transmits: Outbox<Transmit>;
  readonly events: Outbox<AgentEvent>;
  readonly counters: AgentCounters;
  readonly checklist: CheckList;
  readonly identity: Identity;
  readonly states: ComponentStates;
  readonly components: Components;
  readonly registry: CandidateRegistry;
  readonly gathering: Gathering;
  readonly router: Router;
  readonly transactions: CheckTransactions;
  readonly scheduler: CheckScheduler;
  readonly nomination: Nomination;
  readonly freshness: ConsentFreshness;
  readonly judge: FailureJudge;
  readonly dataPlane: DataPlane;
  readonly responder: CheckResponder;
  readonly responses: ResponseHandler;
  readonly inbound: Inbound;
}

/**
 * Builds the parts of an agent for `options`.
 * @throws {RangeError} for settings out of range (see `agentSettings`).
 */
export function assembleAgent(options: AgentOptions): AgentParts {
  const settings = agentSettings(options);
  const { rng } = options;
  const relayOnly = options.relayOnly ?? false;
  const transmits = new Outbox<Transmit>();
  const events = new Outbox<AgentEvent>();
  const counters = new AgentCounters();
  const checklist = new CheckList(settings.maxPairs);
  // Draws the tie-breaker and the credentials from `rng` first (as the agent always has).
  const identity = new Identity(options, rng, checklist, events);
  const states = new ComponentStates(settings.components, (event) => events.push(event));
  const components = new Components(settings.components, rng, settings);
  const registry = new CandidateRegistry(
    settings,
    relayOnly,
    checklist,
    identity,
    events,
    counters,
  );
  const reflexive = new ReflexiveGatherer(rng, settings.minRtoMs, settings.stunServerTimeoutMs);
  const relays = new Relays(options.turnServers ?? [], rng, settings.turnServerTimeoutMs);
  const stunServers = options.stunServers ?? [];
  const gathering = new Gathering(
    reflexive,
    stunServers,
    relayOnly,
    registry,
    relays,
    events,
    transmits,
  );
  // What the relays receive goes to the inbound path, built last (it needs the others).
  const relayed: Receiver = {
    receive: (now, socket, remote, data) => inbound.receive(now, socket, remote, data),
  };
  const router = new Router(
    relays,
    relayOnly,
    registry,
    gathering,
    checklist,
    relayed,
    events,
    transmits,
  );
  const transactions = new CheckTransactions(router, counters);
  const scheduler = new CheckScheduler(
    settings,
    rng,
    identity,
    checklist,
    components,
    states,
    counters,
    transactions,
  );
  const nomination = new Nomination(
    settings,
    identity,
    checklist,
    components,
    states,
    scheduler,
    transactions,
    events,
  );
  const freshness = new ConsentFreshness(
    identity,
    components,
    states,
    scheduler,
    nomination,
    transactions,
  );
  const dataPlane = new DataPlane(components, states, nomination, router, counters, events);
  const responder = new CheckResponder(
    settings.maxRemoteCandidates,
    identity,
    registry,
    checklist,
    nomination,
    states,
    router,
    counters,
    new ReplyLimiter({
      perSource: settings.errorRepliesPerSourcePerSecond,
      total: settings.errorRepliesPerSecond,
      maxSources: settings.maxErrorReplySources,
    }),
    components,
  );
  const responses = new ResponseHandler(
    gathering,
    transactions,
    identity,
    registry,
    checklist,
    components,
    nomination,
    freshness,
    dataPlane,
    counters,
  );
  const inbound = new Inbound(registry, counters, responder, responses, dataPlane);
  const judge = new FailureJudge(settings, checklist, components, states, {
    get gatheringDone() {
      return gathering.done;
    },
    get earlyChecks() {
      return responder.earlyChecks;
    },
  });
  return {
    settings,
    transmits,
    events,
    counters,
    checklist,
    identity,
    states,
    components,
    registry,
    gathering,
    router,
    transactions,
    scheduler,
    nomination,
    freshness,
    judge,
    dataPlane,
    responder,
    responses,
    inbound,
  };
}
