import { useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { graphql } from "../gql";
import type { CaseStatus, RecordKind, Severity } from "../gql/graphql";
import { fmtDay, label, toRFC3339 } from "../format";
import { Card, ErrorBox, Field, Link, Notice, Page, Tag, FilterSelect } from "../ui";
import { PagedTable, usePagedList } from "../lists";

graphql(`
  fragment ConsoleCase on ViolationCase {
    id
    caseNo
    subjectId
    kind
    severity
    status
    description
    recordId
    occurredOn
    version
  }
`);

const CasesQuery = graphql(`
  query ConsoleCases($filter: CaseFilter, $first: Int, $after: String) {
    cases(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...ConsoleCase
        }
      }
    }
  }
`);

const OpenCase = graphql(`mutation ConsoleOpenCase($input: OpenCaseInput!) { openCase(input: $input) { case { ...ConsoleCase } } }`);
const ConfirmCase = graphql(`mutation ConsoleConfirmCase($input: DecideCaseInput!) { confirmCase(input: $input) { case { ...ConsoleCase } record { id status } } }`);
const DismissCase = graphql(`mutation ConsoleDismissCase($input: DecideCaseInput!) { dismissCase(input: $input) { case { ...ConsoleCase } } }`);

export function Cases({ role }: { role: string }) {
  const [o, open] = useMutation(OpenCase);
  const [cf, confirm] = useMutation(ConfirmCase);
  const [ds, dismiss] = useMutation(DismissCase);
  const [f, setF] = useState({ caseNo: "", subjectId: "", accountNo: "", kind: "VIOLATION", severity: "GENERAL", description: "", evidence: "", occurredOn: new Date().toISOString().slice(0, 10) });
  const [caseId, setCaseId] = useState("");
  const [note, setNote] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  // The list of cases (the API's cases connection), with filters and paging.
  const list = usePagedList({
    query: CasesQuery,
    filters: { status: "OPEN", kind: "" },
    variables: (q) => ({ filter: { status: (q.status || null) as CaseStatus | null, kind: (q.kind || null) as RecordKind | null } }),
    connection: (d) => d.cases,
    first: 20,
  });
  const keep = (c?: { id: string } | null) => {
    if (c) list.reload();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const r = await open({
      input: { ...f, accountNo: f.accountNo || null, kind: f.kind as RecordKind, severity: f.severity as Severity, occurredOn: toRFC3339(f.occurredOn + "T00:00") },
    });
    if (r.data) {
      keep(r.data.openCase.case);
      setCaseId(r.data.openCase.case.id);
      setDone(`案件 ${r.data.openCase.case.caseNo} 已登记，待信用专员确认（案件 ID：${r.data.openCase.case.id}）。`);
    }
  };
  // The case as the officer sees it in the list: a decision sends its
  // version, and one made on a case changed meanwhile is refused (R8.1).
  const seen = list.conn?.edges.find(({ node }) => node.id === caseId.trim())?.node;
  const decide = async (ok: boolean) => {
    if (!seen) return;
    setDone(null);
    const input = { caseId: seen.id, note, version: seen.version };
    const r = ok ? await confirm({ input }) : await dismiss({ input });
    if (r.error) list.reload();
    const c = r.data && ("confirmCase" in r.data ? r.data.confirmCase.case : r.data.dismissCase.case);
    if (c) {
      keep(c);
      setDone(ok ? `案件 ${c.caseNo} 已确认，失信记录已生成。` : `案件 ${c.caseNo} 已驳回。`);
    }
  };
  const officer = role === "CREDIT_OFFICER" || role === "ADMIN";
  return (
    <Page title="案件">
      <Notice text={done} />
      <div className="grid2">
        <Card title="登记案件（窃水、违约用水、违背承诺）">
          <form className="form" onSubmit={submit}>
            <Field label="案件编号">
              <input name="caseNo" value={f.caseNo} onChange={set("caseNo")} required />
            </Field>
            <Field label="主体 ID">
              <input name="subjectId" value={f.subjectId} onChange={set("subjectId")} required />
            </Field>
            <Field label="用水户号">
              <input name="accountNo" value={f.accountNo} onChange={set("accountNo")} />
            </Field>
            <div className="row">
              <Field label="类型">
                <select name="kind" value={f.kind} onChange={set("kind")}>
                  {["THEFT", "VIOLATION", "BROKEN_PROMISE"].map((k) => (
                    <option key={k} value={k}>
                      {label(k)}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label="严重程度">
                <select name="severity" value={f.severity} onChange={set("severity")}>
                  {["MINOR", "GENERAL", "SERIOUS"].map((k) => (
                    <option key={k} value={k}>
                      {label(k)}
                    </option>
                  ))}
                </select>
              </Field>
              <Field label="发生日期">
                <input name="occurredOn" type="date" value={f.occurredOn} onChange={set("occurredOn")} required />
              </Field>
            </div>
            <Field label="情况说明">
              <textarea name="description" value={f.description} onChange={set("description")} rows={2} required />
            </Field>
            <Field label="证据">
              <textarea name="evidence" value={f.evidence} onChange={set("evidence")} rows={2} required />
            </Field>
            <ErrorBox error={o.error} />
            <button className="primary" disabled={o.fetching}>
              登记案件
            </button>
          </form>
        </Card>
        <div>
          {officer && (
            <Card title="确认或驳回案件">
              <div className="form">
                <Field label="案件 ID">
                  <input name="caseId" value={caseId} onChange={(e) => setCaseId(e.target.value)} />
                </Field>
                <Field label="审核意见">
                  <input name="note" value={note} onChange={(e) => setNote(e.target.value)} />
                </Field>
                {caseId && !seen && <p className="muted">请在案件列表中找到并选择该案件。</p>}
                <ErrorBox error={cf.error ?? ds.error} />
                <div className="row">
                  <button className="primary" disabled={!seen || !note || cf.fetching} onClick={() => decide(true)}>
                    确认案件
                  </button>
                  <button disabled={!seen || !note || ds.fetching} onClick={() => decide(false)}>
                    驳回案件
                  </button>
                </div>
              </div>
            </Card>
          )}
          <Card title="案件列表">
            <div className="filters">
              <FilterSelect value={list.filters.status} onChange={list.setFilter("status")} codes={["OPEN", "CONFIRMED", "DISMISSED"]} allText="全部状态" aria="案件状态" />
              <FilterSelect value={list.filters.kind} onChange={list.setFilter("kind")} codes={["THEFT", "VIOLATION", "BROKEN_PROMISE"]} allText="全部类型" aria="案件种类" />
            </div>
            <PagedTable
              list={list}
              testid="cases"
              head={["编号", "类型", "状态", "发生日期", "说明", ""]}
              row={({ node: c }) => (
                <tr key={c.id}>
                  <td>
                    <Link to={["subjects", c.subjectId]}>{c.caseNo}</Link>
                  </td>
                  <td>
                    {label(c.kind)} · {label(c.severity)}
                  </td>
                  <td>
                    <Tag code={c.status} text={label(c.status)} />
                  </td>
                  <td>{fmtDay(c.occurredOn)}</td>
                  <td>{c.description}</td>
                  <td>
                    {officer && c.status === "OPEN" && (
                      <button type="button" onClick={() => setCaseId(c.id)}>
                        选择
                      </button>
                    )}
                  </td>
                </tr>
              )}
            />
          </Card>
        </div>
      </div>
    </Page>
  );
}
