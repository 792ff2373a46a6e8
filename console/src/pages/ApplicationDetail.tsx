import { useState, type FormEvent } from "react";
import { useQuery } from "urql";
import { graphql } from "../gql";
import { fmtTime, label, toRFC3339 } from "../format";
import { Card, DL, ErrorBox, Link, Loading, Notice, Page, Tag, Field, Table } from "../ui";
import { useSteps } from "../steps";

const AppQuery = graphql(`
  query ConsoleApplication($id: ID!) {
    application(id: $id) {
      id
      status
      version
      address
      land
      category
      contactName
      contactPhoneMasked
      wantsCreditHandling
      vip
      channel
      submittedAt
      stepSince
      surveyAssigneeId
      surveyAt
      reportNo
      rating
      creditCheckedAt
      acceptedAt
      documentsWaived
      missingDocuments
      reason
      failedConditions {
        code
        passed
        detail
      }
      commitment {
        id
        signedAt
        publishedAt
        sha256
        htmlUrl
      }
      subject {
        id
        name
        uscc
        tier
      }
      events {
        at
        actorId
        actorRole
        fromStatus
        toStatus
        reason
      }
      extraReview {
        required
        passedAt
        passedBy
        note
      }
    }
  }
`);

const StaffUsersQuery = graphql(`
  query ConsoleStaffUsers {
    users(filter: { disabled: false }, first: 100) {
      edges {
        node {
          id
          displayName
          role
        }
      }
    }
  }
`);

const Schedule = graphql(`mutation ConsoleScheduleSurvey($input: ScheduleSurveyInput!) { scheduleSurvey(input: $input) { application { id status version } } }`);
const Survey = graphql(`mutation ConsoleRecordSurvey($input: RecordSurveyInput!) { recordSurvey(input: $input) { application { id status version } } }`);
const Check = graphql(`mutation ConsoleCreditCheck($input: ApplicationStepInput!) { runCreditCheck(input: $input) { eligible conditions { code passed detail } application { id status version } } }`);
const Accept = graphql(`mutation ConsoleAccept($input: AcceptApplicationInput!) { acceptApplication(input: $input) { application { id status version } } }`);
const PassExtra = graphql(`mutation ConsolePassExtraReview($input: PassExtraReviewInput!) { passExtraReview(input: $input) { application { id status version } } }`);
const Reject = graphql(`mutation ConsoleReject($input: RejectApplicationInput!) { rejectApplication(input: $input) { application { id status version } } }`);

const terminal = ["ACCEPTED", "REJECTED", "WITHDRAWN"];

export function ApplicationDetail({ id, meId }: { id: string; meId: string }) {
  const [res, refetch] = useQuery({ query: AppQuery, variables: { id }, requestPolicy: "network-only" });
  const [users] = useQuery({ query: StaffUsersQuery });
  const names = new Map((users.data?.users.edges ?? []).map((e) => [e.node.id, e.node.displayName]));
  const a = res.data?.application;
  const reload = () => refetch({ requestPolicy: "network-only" });
  return (
    <Page title="申请详情" actions={<Link to={["queue"]}>返回队列</Link>}>
      <ErrorBox error={res.error} />
      <Loading show={res.fetching && !a} />
      {a && (
        <div className="grid2">
          <div>
            <Card title="申请信息">
              <DL
                items={[
                  ["状态", <Tag code={a.status} text={label(a.status)} />],
                  ["单位", <Link to={["subjects", a.subject.id]}>{a.subject.name}</Link>],
                  ["统一社会信用代码", a.subject.uscc],
                  ["信用等级", label(a.subject.tier)],
                  ["VIP", a.vip ? "是" : "否"],
                  ["用水地址", a.address],
                  ["土地情况", label(a.land)],
                  ["用水类别", a.category],
                  ["联系人", `${a.contactName} ${a.contactPhoneMasked ?? ""}`],
                  ["办理方式", a.wantsCreditHandling ? "信用办水（零证办水）" : "常规办理"],
                  ["渠道", a.channel],
                  ["提交时间", fmtTime(a.submittedAt)],
                  ["勘察时间", fmtTime(a.surveyAt)],
                  ["勘察人员", a.surveyAssigneeId ? (names.get(a.surveyAssigneeId) ?? a.surveyAssigneeId) : "—"],
                  ["信用报告编号", a.reportNo],
                  ["综合评价", a.rating],
                  ["受理时间", fmtTime(a.acceptedAt)],
                  ["免交产权证明", a.documentsWaived ? "是" : "否"],
                  ["容缺材料", a.missingDocuments.join("、") || "—"],
                  ["原因", a.reason],
                ]}
              />
            </Card>
            <Card title="信用核查条件">
              {a.failedConditions.length === 0 && a.creditCheckedAt && <Notice text="全部条件满足" />}
              {a.failedConditions.length === 0 && !a.creditCheckedAt && <div className="muted">尚未核查</div>}
              <Conditions list={a.failedConditions} />
            </Card>
            {a.extraReview.required && (
              <Card title="失信主体额外复核">
                <DL
                  items={[
                    ["状态", a.extraReview.passedAt ? <Tag text="已通过" tone="tone-ok" /> : <Tag text="待复核" tone="tone-bad" />],
                    ["复核人", a.extraReview.passedBy ? (names.get(a.extraReview.passedBy) ?? a.extraReview.passedBy) : "—"],
                    ["复核时间", fmtTime(a.extraReview.passedAt)],
                    ["复核意见", a.extraReview.note],
                  ]}
                />
              </Card>
            )}
            {a.commitment && (
              <Card title="信用承诺书">
                <DL
                  items={[
                    ["签署时间", fmtTime(a.commitment.signedAt)],
                    ["公示时间", fmtTime(a.commitment.publishedAt)],
                    ["SHA-256", <code>{a.commitment.sha256.slice(0, 16)}…</code>],
                  ]}
                />
              </Card>
            )}
          </div>
          <div>
            {!terminal.includes(a.status) && <Actions app={a} meId={meId} onDone={reload} />}
            <Card title="办理记录">
              <ol className="timeline" data-testid="history">
                {a.events.map((e, i) => (
                  <li key={i}>
                    <div>
                      <b>{label(e.toStatus)}</b> <span className="muted">{fmtTime(e.at)}</span>
                    </div>
                    <div className="muted">
                      {e.actorRole ? (e.actorId && names.get(e.actorId)) || label(e.actorRole) : "系统"}
                      {e.reason ? ` · ${e.reason}` : ""}
                    </div>
                  </li>
                ))}
              </ol>
            </Card>
          </div>
        </div>
      )}
    </Page>
  );
}

function Conditions({ list }: { list: { code: string; passed?: boolean | null; detail: string }[] }) {
  if (list.length === 0) return null;
  return (
    <Table testid="conditions" head={["条件", "结果", "说明"]}>
      {list.map((c) => (
        <tr key={c.code}>
          <td>
            <code>{c.code}</code>
          </td>
          <td>{c.passed == null ? "待核" : c.passed ? <Tag text="满足" tone="tone-ok" /> : <Tag text="不满足" tone="tone-bad" />}</td>
          <td>{c.detail}</td>
        </tr>
      ))}
    </Table>
  );
}

type App = {
  id: string;
  status: string;
  version: number;
  wantsCreditHandling: boolean;
  extraReview: { required: boolean; passedAt?: string | null };
};

function Actions({ app, meId, onDone }: { app: App; meId: string; onDone: () => void }) {
  const [users] = useQuery({ query: StaffUsersQuery });
  // Each step reloads the application once it has succeeded.
  const { run, busy, error } = useSteps({ schedule: Schedule, survey: Survey, check: Check, accept: Accept, reject: Reject, passExtra: PassExtra }, onDone);
  const [extraNote, setExtraNote] = useState("");
  const [assignee, setAssignee] = useState(meId);
  const [at, setAt] = useState(() => new Date(Date.now() + 8 * 3600e3 + 24 * 3600e3).toISOString().slice(0, 11) + "09:00");
  const [fit, setFit] = useState(true);
  const [credit, setCredit] = useState(app.wantsCreditHandling);
  const [notes, setNotes] = useState("");
  const [missing, setMissing] = useState("");
  const [reason, setReason] = useState("");
  const [conditions, setConditions] = useState<{ code: string; passed?: boolean | null; detail: string }[] | null>(null);
  const base = { applicationId: app.id, version: app.version };
  const staff = (users.data?.users.edges ?? []).map((e) => e.node).filter((u) => u.role !== "ENTERPRISE");
  const step = (e: FormEvent, f: () => unknown) => {
    e.preventDefault();
    f();
  };
  return (
    <Card title="当前步骤">
      <ErrorBox error={error} />
      {app.status === "SUBMITTED" || app.status === "SURVEY_SCHEDULED" ? (
        <form onSubmit={(e) => step(e, () => run.schedule({ input: { ...base, assigneeId: assignee, at: toRFC3339(at) } }))} className="form">
          <h3>{app.status === "SUBMITTED" ? "预约现场勘察" : "改约勘察"}</h3>
          <Field label="勘察人员">
            <select value={assignee} onChange={(e) => setAssignee(e.target.value)} name="assignee">
              {staff.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.displayName}（{label(u.role)}）
                </option>
              ))}
            </select>
          </Field>
          <Field label="勘察时间">
            <input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} name="surveyAt" required />
          </Field>
          <button className="primary" disabled={busy.schedule}>
            预约勘察
          </button>
        </form>
      ) : null}
      {app.status === "SURVEY_SCHEDULED" && (
        <form onSubmit={(e) => step(e, () => run.survey({ input: { ...base, fit, wantsCreditHandling: credit, notes: notes || null } }))} className="form">
          <h3>登记勘察结果</h3>
          <label className="check">
            <input type="checkbox" checked={fit} onChange={(e) => setFit(e.target.checked)} name="fit" /> 现场具备供水条件
          </label>
          <label className="check">
            <input type="checkbox" checked={credit} onChange={(e) => setCredit(e.target.checked)} /> 申请人选择信用办水（零证办水）
          </label>
          <Field label="勘察备注">
            <textarea value={notes} onChange={(e) => setNotes(e.target.value)} rows={2} />
          </Field>
          <button className="primary" disabled={busy.survey}>
            登记勘察
          </button>
        </form>
      )}
      {app.status === "SURVEYED" && (
        <div className="form">
          <h3>信用核查</h3>
          <p className="muted">向信用平台查询信用报告与综合评价，核对 R4.1 条件。</p>
          <button
            className="primary"
            disabled={busy.check}
            onClick={() =>
              run.check({ input: base }).then((r) => {
                if (r.data) setConditions(r.data.runCreditCheck.conditions);
              })
            }
          >
            执行信用核查
          </button>
        </div>
      )}
      {conditions && <Conditions list={conditions} />}
      {(app.status === "CREDIT_CHECKED" || app.status === "COMMITMENT_SIGNED") && (
        <Notice text={app.status === "CREDIT_CHECKED" ? "等待法定代表人在小程序签署信用承诺书。" : "承诺书已签署，正在向信用平台公示。"} />
      )}
      {app.extraReview.required && !app.extraReview.passedAt && (
        <form className="form" onSubmit={(e) => step(e, () => run.passExtra({ input: { ...base, note: extraNote } }))}>
          <h3>失信主体额外复核</h3>
          <p className="muted">该主体信用等级为失信，须经信用管理员复核通过后方可受理。</p>
          <Field label="复核意见">
            <textarea value={extraNote} onChange={(e) => setExtraNote(e.target.value)} rows={2} name="extraReviewNote" required />
          </Field>
          <button className="primary" disabled={busy.passExtra}>
            通过额外复核
          </button>
        </form>
      )}
      {(app.status === "PUBLISHED" || app.status === "FALLBACK_TO_DOCUMENTS") && (
        <form
          className="form"
          onSubmit={(e) =>
            step(e, () =>
              run.accept({
                input: {
                  ...base,
                  missingDocuments: missing
                    .split(/[,，、\n]/)
                    .map((x) => x.trim())
                    .filter(Boolean),
                },
              }),
            )
          }
        >
          <h3>受理</h3>
          <Field label="容缺材料（仅信用优良主体，用顿号分隔）">
            <input value={missing} onChange={(e) => setMissing(e.target.value)} />
          </Field>
          <button className="primary" disabled={busy.accept}>
            受理申请
          </button>
        </form>
      )}
      <form className="form danger" onSubmit={(e) => step(e, () => run.reject({ input: { ...base, reason } }))}>
        <h3>驳回</h3>
        <Field label="驳回原因">
          <input value={reason} onChange={(e) => setReason(e.target.value)} required />
        </Field>
        <button disabled={busy.reject}>驳回申请</button>
      </form>
    </Card>
  );
}
