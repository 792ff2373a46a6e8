import { useState, type ReactNode } from "react";
import { useQuery, type TypedDocumentNode } from "urql";
import { graphql } from "../gql";
import type { ObjectionOutcome } from "../gql/graphql";
import { fmtDay, fmtTime, label } from "../format";
import { Card, DL, Empty, ErrorBox, Field, Link, Loading, Page, Tag, go, Table } from "../ui";
import { useSteps } from "../steps";

graphql(`
  fragment ConsoleDeadline on Deadline {
    kind
    id
    recordId
    subjectId
    status
    dueAt
    overdue
    assigneeId
  }
`);

const OpenReviews = graphql(`
  query ConsoleOpenReviews($overdueOnly: Boolean) {
    deadlines(filter: { overdueOnly: $overdueOnly }, first: 100) {
      totalCount
      edges {
        node {
          ...ConsoleDeadline
        }
      }
    }
  }
`);


graphql(`
  fragment ConsoleEvidence on EvidenceItem {
    id
    kind
    text
    fileName
    url
  }
`);
graphql(`
  fragment ConsoleRequestEvent on RequestEvent {
    at
    action
    fromStatus
    toStatus
    reason
  }
`);
graphql(`
  fragment ConsoleReviewedRecord on DishonestyRecord {
    id
    kind
    severity
    status
    summary
    subject {
      id
      name
      uscc
    }
  }
`);

const RepairQuery = graphql(`
  query ConsoleRepair($id: ID!) {
    repair(id: $id) {
      id
      status
      statement
      missingItems
      dueAt
      decision
      decidedAt
      version
      evidence {
        ...ConsoleEvidence
      }
      history {
        ...ConsoleRequestEvent
      }
      record {
        ...ConsoleReviewedRecord
      }
    }
  }
`);

const ObjectionQuery = graphql(`
  query ConsoleObjection($id: ID!) {
    objection(id: $id) {
      id
      status
      reason
      dueAt
      extended
      decision
      decidedAt
      version
      evidence {
        ...ConsoleEvidence
      }
      history {
        ...ConsoleRequestEvent
      }
      record {
        ...ConsoleReviewedRecord
      }
    }
  }
`);

const StartRepair = graphql(`mutation ConsoleStartRepair($input: ReviewStepInput!) { startRepairReview(input: $input) { repair { id status version } } }`);
const SupplementRepair = graphql(`mutation ConsoleRepairSupplement($input: RequestRepairSupplementInput!) { requestRepairSupplement(input: $input) { repair { id status version } } }`);
const ApproveRepair = graphql(`mutation ConsoleApproveRepair($input: ReviewDecisionInput!) { approveRepair(input: $input) { repair { id status version } } }`);
const DenyRepair = graphql(`mutation ConsoleDenyRepair($input: ReviewDecisionInput!) { denyRepair(input: $input) { repair { id status version } } }`);
const AcceptObjection = graphql(`mutation ConsoleAcceptObjection($input: ReviewStepInput!) { acceptObjection(input: $input) { objection { id status version } } }`);
const NotAcceptObjection = graphql(`mutation ConsoleNotAcceptObjection($input: ReviewDecisionInput!) { notAcceptObjection(input: $input) { objection { id status version } } }`);
const ExtendObjection = graphql(`mutation ConsoleExtendObjection($input: ExtendObjectionInput!) { extendObjection(input: $input) { objection { id status version } } }`);
const DecideObjection = graphql(`mutation ConsoleDecideObjection($input: DecideObjectionInput!) { decideObjection(input: $input) { objection { id status version } } }`);

// Reviews lists the open repairs and objections with their working-day
// deadlines (R5.3).
export function Reviews() {
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [res] = useQuery({ query: OpenReviews, variables: { overdueOnly }, requestPolicy: "cache-and-network" });
  const list = res.data?.deadlines.edges.map((e) => e.node) ?? [];
  return (
    <Page title="修复与异议">
      <Card>
        <div className="filters">
          <label className="check">
            <input type="checkbox" checked={overdueOnly} onChange={(e) => setOverdueOnly(e.target.checked)} /> 仅超期
          </label>
        </div>
        <ErrorBox error={res.error} />
        <Loading show={res.fetching && !res.data} />
        <DeadlineTable list={list} />
        <Empty show={!!res.data && list.length === 0} text="暂无待办的修复或异议" />
      </Card>
    </Page>
  );
}

export function DeadlineTable({ list }: { list: { kind: string; id: string; subjectId: string; status: string; dueAt: string; overdue: boolean }[] }) {
  return (
    <Table testid="reviews" head={["类型", "状态", "办理期限（工作日）", "主体"]}>
      {list.map((d) => (
        <tr key={d.kind + d.id} className={"clickable " + (d.overdue ? "sla-red" : "")} onClick={() => go("reviews", d.kind, d.id)}>
          <td>{label(d.kind)}</td>
          <td>
            <Tag code={d.status} text={label(d.status)} />
          </td>
          <td>
            {fmtDay(d.dueAt)} {d.overdue && <Tag text="已超期" tone="tone-bad" />}
          </td>
          <td>
            <Link to={["subjects", d.subjectId]}>查看主体</Link>
          </td>
        </tr>
      ))}
    </Table>
  );
}

export function ReviewDetail({ kind, id, role }: { kind: string; id: string; role: string }) {
  const officer = role === "CREDIT_OFFICER" || role === "ADMIN";
  return (
    <Page title={kind === "REPAIR" ? "信用修复申请" : "异议申请"} actions={<Link to={["reviews"]}>返回列表</Link>}>
      {kind === "REPAIR" ? (
        <ReviewShell query={RepairQuery} id={id} officer={officer} item={(d) => d.repair} extra={repairLines} form={(r, reload) => <RepairForm r={r} reload={reload} />} />
      ) : (
        <ReviewShell query={ObjectionQuery} id={id} officer={officer} item={(d) => d.objection} extra={objectionLines} form={(o, reload) => <ObjectionForm o={o} reload={reload} />} />
      )}
    </Page>
  );
}

type Item = {
  id: string;
  status: string;
  dueAt: string;
  decision?: string | null;
  decidedAt?: string | null;
  evidence: { id: string; kind: string; text?: string | null; fileName?: string | null; url?: string | null }[];
  history: { at: string; action: string; toStatus?: string | null; reason?: string | null }[];
  record: { id: string; kind: string; severity: string; status: string; summary?: string | null; subject: { id: string; name: string; uscc?: string | null } };
};

function Common({ item, extra }: { item: Item; extra: [string, ReactNode][] }) {
  return (
    <>
      <Card title="申请">
        <DL
          items={[
            ["状态", <Tag code={item.status} text={label(item.status)} />],
            ["办理期限", fmtDay(item.dueAt)],
            ["主体", <Link to={["subjects", item.record.subject.id]}>{item.record.subject.name}</Link>],
            ["记录", `${label(item.record.kind)} · ${label(item.record.severity)} · ${label(item.record.status)}`],
            ["记录摘要", item.record.summary],
            ...extra,
            ["决定", item.decision],
            ["决定时间", fmtTime(item.decidedAt)],
          ]}
        />
      </Card>
      <Card title="证据材料">
        <ul>
          {item.evidence.map((e) => (
            <li key={e.id}>{e.url ? <a href={e.url}>{e.fileName ?? e.kind}</a> : e.text}</li>
          ))}
        </ul>
        <Empty show={item.evidence.length === 0} />
      </Card>
      <Card title="处理记录">
        <ol className="timeline">
          {item.history.map((h, i) => (
            <li key={i}>
              <b>{h.toStatus ? label(h.toStatus) : h.action}</b> <span className="muted">{fmtTime(h.at)}</span>
              {h.reason && <div className="muted">{h.reason}</div>}
            </li>
          ))}
        </ol>
      </Card>
    </>
  );
}

// ReviewShell reads a repair or an objection (item picks it from the
// answer) and shows it: the error of the query, "loading", the shared cards
// with the kind's extra lines and, to a credit officer while the request is
// open, the review form (form gets the request and reload, which reads it
// again after a step).
function ReviewShell<Data, T extends Item>(props: {
  query: TypedDocumentNode<Data, { id: string }>;
  id: string;
  item: (d: Data) => T | null | undefined;
  extra: (t: T) => [string, ReactNode][];
  officer: boolean;
  form: (t: T, reload: () => void) => ReactNode;
}) {
  const [res, refetch] = useQuery({ query: props.query, variables: { id: props.id }, requestPolicy: "network-only" });
  const item = res.data && props.item(res.data);
  return (
    <>
      <ErrorBox error={res.error} />
      <Loading show={res.fetching && !item} />
      {item && (
        <div className="grid2">
          <div>
            <Common item={item} extra={props.extra(item)} />
          </div>
          {props.officer && ["SUBMITTED", "UNDER_REVIEW"].includes(item.status) && (
            <Card title="审核">
              <div className="form">{props.form(item, () => refetch({ requestPolicy: "network-only" }))}</div>
            </Card>
          )}
        </div>
      )}
    </>
  );
}

type Repair = Item & { version: number; statement: string; missingItems: string[] };

// repairLines are the lines a repair adds to the request's card.
const repairLines = (r: Repair): [string, ReactNode][] => [
  ["修复陈述", r.statement],
  ["待补材料", r.missingItems.join("、") || "—"],
];

function RepairForm({ r, reload }: { r: Repair; reload: () => void }) {
  const id = r.id;
  const { run, error } = useSteps({ start: StartRepair, supplement: SupplementRepair, approve: ApproveRepair, deny: DenyRepair }, reload);
  const [reason, setReason] = useState("");
  return (
    <>
      <ErrorBox error={error} />
      {r.status === "SUBMITTED" && (
        <button className="primary" onClick={() => run.start({ input: { id, version: r.version } })}>
          开始审核
        </button>
      )}
      <Field label="意见 / 待补材料（顿号分隔）">
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} />
      </Field>
      <div className="row">
        <button className="primary" disabled={!reason} onClick={() => run.approve({ input: { id, reason, version: r.version } })}>
          准予修复
        </button>
        <button disabled={!reason} onClick={() => run.deny({ input: { id, reason, version: r.version } })}>
          不予修复
        </button>
        <button disabled={!reason} onClick={() => run.supplement({ input: { repairId: id, missing: reason.split(/[、,，]/).filter(Boolean), version: r.version } })}>
          要求补正
        </button>
      </div>
    </>
  );
}

type Objection = Item & { version: number; extended: boolean; reason: string };

// objectionLines are the lines an objection adds to the request's card.
const objectionLines = (o: Objection): [string, ReactNode][] => [
  ["异议理由", o.reason],
  ["已延期", o.extended ? "是" : "否"],
];

function ObjectionForm({ o, reload }: { o: Objection; reload: () => void }) {
  const id = o.id;
  const { run, error } = useSteps({ accept: AcceptObjection, notAccept: NotAcceptObjection, extend: ExtendObjection, decide: DecideObjection }, reload);
  const [reason, setReason] = useState("");
  const [outcome, setOutcome] = useState<ObjectionOutcome>("REVOKED");
  return (
    <>
      <ErrorBox error={error} />
      {o.status === "SUBMITTED" && (
        <div className="row">
          <button className="primary" onClick={() => run.accept({ input: { id, version: o.version } })}>
            受理异议
          </button>
        </div>
      )}
      <Field label="意见">
        <textarea name="reason" value={reason} onChange={(e) => setReason(e.target.value)} rows={2} />
      </Field>
      {o.status === "SUBMITTED" && (
        <button disabled={!reason} onClick={() => run.notAccept({ input: { id, reason, version: o.version } })}>
          不予受理
        </button>
      )}
      {o.status === "UNDER_REVIEW" && (
        <>
          <Field label="处理结果">
            <select name="outcome" value={outcome} onChange={(e) => setOutcome(e.target.value as ObjectionOutcome)}>
              <option value="REVOKED">撤销记录</option>
              <option value="CORRECTED">更正记录</option>
              <option value="UPHELD">维持原记录</option>
            </select>
          </Field>
          <div className="row">
            <button className="primary" disabled={!reason} onClick={() => run.decide({ input: { id, outcome, reason, version: o.version } })}>
              作出决定
            </button>
            {!o.extended && (
              <button disabled={!reason} onClick={() => run.extend({ input: { id, days: 5, reason, version: o.version } })}>
                延期 5 个工作日
              </button>
            )}
          </div>
        </>
      )}
    </>
  );
}
