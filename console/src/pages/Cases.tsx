import { useState, type FormEvent } from "react";
import { useMutation } from "urql";
import { graphql } from "../gql";
import type { RecordKind, Severity } from "../gql/graphql";
import { label, toRFC3339 } from "../format";
import { Card, ErrorBox, Field, Notice, Page, Tag } from "../ui";

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
  }
`);

const OpenCase = graphql(`
  mutation ConsoleOpenCase($input: OpenCaseInput!) {
    openCase(input: $input) {
      case {
        ...ConsoleCase
      }
    }
  }
`);
const ConfirmCase = graphql(`
  mutation ConsoleConfirmCase($input: DecideCaseInput!) {
    confirmCase(input: $input) {
      case {
        ...ConsoleCase
      }
      record {
        id
        status
      }
    }
  }
`);
const DismissCase = graphql(`
  mutation ConsoleDismissCase($input: DecideCaseInput!) {
    dismissCase(input: $input) {
      case {
        ...ConsoleCase
      }
    }
  }
`);

type Case = { id: string; caseNo: string; subjectId: string; kind: string; severity: string; status: string; description: string; recordId?: string | null };

// The cases opened or looked up in this browser tab (the API has no list of
// cases yet: see the README).
const key = "cw.console.cases";
function remembered(): Case[] {
  try {
    return JSON.parse(sessionStorage.getItem(key) ?? "[]");
  } catch {
    return [];
  }
}
function remember(c: Case) {
  const list = [c, ...remembered().filter((x) => x.id !== c.id)].slice(0, 50);
  sessionStorage.setItem(key, JSON.stringify(list));
}

export function Cases({ role }: { role: string }) {
  const [cases, setCases] = useState(remembered);
  const [o, open] = useMutation(OpenCase);
  const [cf, confirm] = useMutation(ConfirmCase);
  const [ds, dismiss] = useMutation(DismissCase);
  const [f, setF] = useState({ caseNo: "", subjectId: "", accountNo: "", kind: "VIOLATION", severity: "GENERAL", description: "", evidence: "", occurredOn: new Date().toISOString().slice(0, 10) });
  const [caseId, setCaseId] = useState("");
  const [note, setNote] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const keep = (c?: Case | null) => {
    if (c) {
      remember(c);
      setCases(remembered());
    }
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
  const decide = async (ok: boolean, id = caseId) => {
    setDone(null);
    const r = ok ? await confirm({ input: { caseId: id, note } }) : await dismiss({ input: { caseId: id, note } });
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
                <ErrorBox error={cf.error ?? ds.error} />
                <div className="row">
                  <button className="primary" disabled={!caseId || !note || cf.fetching} onClick={() => decide(true)}>
                    确认案件
                  </button>
                  <button disabled={!caseId || !note || ds.fetching} onClick={() => decide(false)}>
                    驳回案件
                  </button>
                </div>
              </div>
            </Card>
          )}
          <Card title="本机近期案件">
            <table className="table" data-testid="cases">
              <thead>
                <tr>
                  <th>编号</th>
                  <th>类型</th>
                  <th>状态</th>
                  <th>说明</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {cases.map((c) => (
                  <tr key={c.id}>
                    <td>{c.caseNo}</td>
                    <td>
                      {label(c.kind)} · {label(c.severity)}
                    </td>
                    <td>
                      <Tag code={c.status} text={label(c.status)} />
                    </td>
                    <td>{c.description}</td>
                    <td>
                      {officer && c.status === "OPEN" && (
                        <button type="button" onClick={() => setCaseId(c.id)}>
                          选择
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        </div>
      </div>
    </Page>
  );
}
