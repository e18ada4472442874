/** Per-component connection states and the agent-wide state derived from them. */
import type { AgentEvent, IceState } from "./types.js";

/** Agent-wide state from the components' (worst news first). */
export function aggregateState(states: readonly IceState[]): IceState {
  if (states.every((s) => s === "closed")) return "closed";
  if (states.some((s) => s === "failed")) return "failed";
  if (states.some((s) => s === "disconnected")) return "disconnected";
  if (states.every((s) => s === "new")) return "new";
  if (states.some((s) => s === "new" || s === "checking")) return "checking";
  if (states.every((s) => s === "completed")) return "completed";
  return "connected";
}

/** Holds each component's state and emits `state` / `agent-state` events on changes. */
export class ComponentStates {
  private readonly states: IceState[];
  private agentState: IceState = "new";

  constructor(
    components: number,
    private readonly emit: (event: AgentEvent) => void,
  ) {
    this.states = Array.from({ length: components }, () => "new" as IceState);
  }

  /** The state of `component` (1-based). */
  of(component: number): IceState {
    return this.states[component - 1] ?? "closed";
  }

  /** The agent-wide state. */
  get agent(): IceState {
    return this.agentState;
  }

  /**
   * Moves `component` to `state`. With `onlyFromNew`, only a component still `new` moves (used
   * for the first check). A closed component never changes again.
   */
  set(component: number, state: IceState, onlyFromNew = false): void {
    const current = this.states[component - 1];
    if (current === undefined || current === state || current === "closed") return;
    if (onlyFromNew && current !== "new") return;
    this.states[component - 1] = state;
    this.emit({ type: "state", component, state });
    this.refresh();
  }

  /** Every component becomes `closed`. */
  closeAll(): void {
    this.states.forEach((state, index) => {
      if (state !== "closed") {
        this.states[index] = "closed";
        this.emit({ type: "state", component: index + 1, state: "closed" });
      }
    });
    this.refresh();
  }

  private refresh(): void {
    const next = aggregateState(this.states);
    if (next !== this.agentState) {
      this.agentState = next;
      this.emit({ type: "agent-state", state: next });
    }
  }
}
