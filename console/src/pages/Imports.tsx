import { useEffect, useState, type FormEvent } from "react";
import { useQuery } from "urql";
import { print } from "graphql";
import { graphql } from "../gql";
import type { ImportKind } from "../gql/graphql";
import { getToken } from "../client";
import { errText, fmtTime, label } from "../format";
import { Card, DL, ErrorBox, Field, Page, Tag } from "../ui";

const ImportMutation = graphql(`
  mutation ConsoleImport($input: ImportBillingFileInput!) {
    importBillingFile(input: $input) {
      job {
        id
      }
    }
  }
`);

const JobQuery = graphql(`
  query ConsoleImportJob($id: ID!) {
    importJob(id: $id) {
      id
      kind
      fileName
      encoding
      status
      rows
      inserted
      updated
      unchanged
      failed
      message
      createdAt
      finishedAt
      errors(limit: 100) {
        line
        column
        reason
      }
    }
  }
`);

// upload sends the file with the GraphQL multipart request spec over
// XMLHttpRequest, which (unlike fetch) reports upload progress.
function upload(kind: ImportKind, file: File, encoding: string, onProgress: (pct: number) => void): Promise<string> {
  const form = new FormData();
  form.append(
    "operations",
    JSON.stringify({ query: print(ImportMutation), variables: { input: { kind, file: null, encoding: encoding || null } } }),
  );
  form.append("map", JSON.stringify({ "0": ["variables.input.file"] }));
  form.append("0", file);
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open("POST", "/graphql");
    x.setRequestHeader("Authorization", `Bearer ${getToken() ?? ""}`);
    x.setRequestHeader("Accept", "application/graphql-response+json, application/json");
    x.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((100 * e.loaded) / e.total));
    x.onerror = () => reject(new Error("无法连接服务器"));
    x.onload = () => {
      try {
        const body = JSON.parse(x.responseText);
        if (body.errors?.length) reject(new Error(errText({ graphQLErrors: body.errors })));
        else resolve(body.data.importBillingFile.job.id);
      } catch {
        reject(new Error(`服务器返回 ${x.status}`));
      }
    };
    x.send(form);
  });
}

// The imports of this tab (the API has no list of import jobs yet).
const key = "cw.console.imports";
const remembered = (): string[] => JSON.parse(sessionStorage.getItem(key) ?? "[]");

export function Imports() {
  const [kind, setKind] = useState<ImportKind>("BILLS");
  const [encoding, setEncoding] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [pct, setPct] = useState<number | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [jobs, setJobs] = useState<string[]>(remembered);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setErr(null);
    setBusy(true);
    setPct(0);
    try {
      const id = await upload(kind, file, encoding, setPct);
      const list = [id, ...remembered()].slice(0, 20);
      sessionStorage.setItem(key, JSON.stringify(list));
      setJobs(list);
    } catch (x) {
      setErr((x as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title="账务导入">
      <div className="grid2">
        <Card title="导入计费系统文件（CSV）">
          <form className="form" onSubmit={submit}>
            <Field label="文件类型">
              <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as ImportKind)}>
                {(["ACCOUNTS", "USAGE", "BILLS", "PAYMENTS", "REMINDERS"] as const).map((k) => (
                  <option key={k} value={k}>
                    {label(k)}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="编码">
              <select value={encoding} onChange={(e) => setEncoding(e.target.value)}>
                <option value="">自动识别</option>
                <option value="utf-8">UTF-8</option>
                <option value="gbk">GBK</option>
              </select>
            </Field>
            <Field label="文件">
              <input name="file" type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} required />
            </Field>
            {pct != null && (
              <div className="progress" aria-label="上传进度">
                <div className="bar" style={{ width: `${pct}%` }} />
                <span>{busy ? (pct < 100 ? `上传 ${pct}%` : "服务器处理中…") : "完成"}</span>
              </div>
            )}
            <ErrorBox error={err} />
            <button className="primary" disabled={busy || !file}>
              开始导入
            </button>
          </form>
        </Card>
        <div>
          {jobs.map((id) => (
            <ImportJobCard key={id} id={id} />
          ))}
        </div>
      </div>
    </Page>
  );
}

function ImportJobCard({ id }: { id: string }) {
  const [res, refetch] = useQuery({ query: JobQuery, variables: { id }, requestPolicy: "network-only" });
  const j = res.data?.importJob;
  const running = j?.status === "RUNNING";
  // Live progress: while the job runs, ask again every second.
  useEffect(() => {
    if (!running || res.fetching) return;
    const t = setTimeout(() => refetch({ requestPolicy: "network-only" }), 1000);
    return () => clearTimeout(t);
  }, [running, res.fetching, refetch]);
  const done = j ? j.inserted + j.updated + j.unchanged + j.failed : 0;
  return (
    <Card title={`导入 ${j?.fileName ?? id}`}>
      <ErrorBox error={res.error} />
      {j && (
        <div data-testid="import-job">
          <div className="progress">
            <div className={"bar " + (j.failed ? "bar-warn" : "")} style={{ width: `${j.rows ? Math.min(100, (100 * done) / j.rows) : running ? 5 : 100}%` }} />
            <span>
              <Tag code={j.status} text={label(j.status)} /> 已处理 {done} / {j.rows} 行
            </span>
          </div>
          <DL
            items={[
              ["类型", label(j.kind)],
              ["编码", j.encoding],
              ["新增", j.inserted],
              ["更新", j.updated],
              ["未变", j.unchanged],
              ["失败", j.failed],
              ["开始", fmtTime(j.createdAt)],
              ["结束", fmtTime(j.finishedAt)],
              ["说明", j.message],
            ]}
          />
          {j.errors.length > 0 && (
            <table className="table" data-testid="import-errors">
              <thead>
                <tr>
                  <th>行</th>
                  <th>列</th>
                  <th>原因</th>
                </tr>
              </thead>
              <tbody>
                {j.errors.map((e, i) => (
                  <tr key={i}>
                    <td>{e.line}</td>
                    <td>{e.column}</td>
                    <td>{e.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </Card>
  );
}
