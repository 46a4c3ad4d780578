/** What the group L rules (src/core/rules/mcp) share: the context's discovery and the MCP revision a finding names. */
import type { OAuthMessage } from '../../classify/message';
import type { FlowView } from '../../flows/view';
import { revisionNote } from '../../mcp/discovery';
import type { McpContext } from '../../mcp/ledger';
import type { RuleContext } from '../types';

export function mcpContext(ctx: Pick<RuleContext, 'store' | 'msg'>): McpContext | undefined {
  return ctx.store.mcp.ctx(ctx.msg.obs.context);
}

/** The revision a finding applies (negotiated, else the latest) and the phrase for its message. */
export function mcpRevision(ctx: Pick<RuleContext, 'store' | 'msg' | 'flow'>): { revision: string; note: string } {
  return revisionNote(ctx.flow?.mcp?.protocolVersion ?? mcpContext(ctx)?.protocolVersion);
}

/** The flow's MCP mark, only on the authorization request that opened it (one verdict per flow). */
export function openingMcpFlow(msg: OAuthMessage, flow: FlowView | undefined): FlowView | undefined {
  return flow?.mcp && flow.requests[0]?.obsId === msg.obs.id ? flow : undefined;
}
