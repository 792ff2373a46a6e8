import { useState, type FormEvent } from "react";
import { graphql } from "../gql";
import type { Role } from "../gql/graphql";
import { fmtTime, label } from "../format";
import { Card, ErrorBox, Field, Notice, Page, Tag, FilterSelect, FilterText } from "../ui";
import { PagedTable, usePagedList } from "../lists";
import { useSteps } from "../steps";

const UsersQuery = graphql(`
  query ConsoleUsers($filter: UsersFilter, $first: Int, $after: String) {
    users(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          role
          displayName
          username
          createdAt
          lastLoginAt
          disabled
          version
        }
      }
    }
  }
`);

const CreateUser = graphql(`mutation ConsoleCreateUser($input: CreateStaffUserInput!) { createStaffUser(input: $input) { user { id username } } }`);
const DisableUser = graphql(`mutation ConsoleDisableUser($input: DisableUserInput!) { disableUser(input: $input) { sessionsEnded user { id disabled version } } }`);
const EnableUser = graphql(`mutation ConsoleEnableUser($input: EnableUserInput!) { enableUser(input: $input) { user { id disabled version } } }`);
const ChangeRole = graphql(`mutation ConsoleChangeRole($input: ChangeUserRoleInput!) { changeUserRole(input: $input) { sessionsEnded user { id role version } } }`);
const ResetPassword = graphql(`mutation ConsoleResetPassword($input: ResetUserPasswordInput!) { resetUserPassword(input: $input) { sessionsEnded user { id } } }`);
const EndSessions = graphql(`mutation ConsoleEndSessions($input: EndUserSessionsInput!) { endUserSessions(input: $input) { sessionsEnded user { id } } }`);

const staffRoles: Role[] = ["STAFF", "CREDIT_OFFICER", "ADMIN"];

export function Users({ role }: { role: string }) {
  const admin = role === "ADMIN";
  const list = usePagedList({
    query: UsersQuery,
    filters: { query: "", role: "" },
    variables: (f) => ({ filter: { query: f.query || null, role: (f.role || null) as Role | null } }),
    connection: (d) => d.users,
    first: 20,
  });
  const { run, busy, error } = useSteps({ create: CreateUser, disable: DisableUser, enable: EnableUser, change: ChangeRole, reset: ResetPassword, end: EndSessions });
  const [done, setDone] = useState<string | null>(null);
  const [nu, setNu] = useState({ username: "", password: "", displayName: "", role: "STAFF" as Role });
  const { conn, reload } = list;
  const ask = (text: string) => window.prompt(text)?.trim();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await run.create({ input: { ...nu, displayName: nu.displayName || null } });
    if (r.data) {
      setDone(`已创建用户 ${r.data.createStaffUser.user.username}`);
      setNu({ username: "", password: "", displayName: "", role: "STAFF" });
      reload();
    }
  };
  type U = NonNullable<typeof conn>["edges"][number]["node"];
  const act = async (u: U, what: string) => {
    setDone(null);
    let n: number | undefined;
    if (what === "disable") {
      const reason = ask(`停用 ${u.displayName} 的原因`);
      if (!reason) return;
      const r = await run.disable({ input: { userId: u.id, version: u.version, reason } });
      n = r.data?.disableUser.sessionsEnded;
    } else if (what === "enable") {
      await run.enable({ input: { userId: u.id, version: u.version } });
    } else if (what === "reset") {
      const pw = ask(`为 ${u.displayName} 设置新密码（至少 12 位）`);
      if (!pw) return;
      const r = await run.reset({ input: { userId: u.id, newPassword: pw } });
      n = r.data?.resetUserPassword.sessionsEnded;
    } else if (what === "end") {
      const r = await run.end({ input: { userId: u.id } });
      n = r.data?.endUserSessions.sessionsEnded;
    } else {
      const r = await run.change({ input: { userId: u.id, version: u.version, role: what as Role } });
      n = r.data?.changeUserRole.sessionsEnded;
    }
    if (n != null) setDone(`已完成，结束会话 ${n} 个。`);
    reload();
  };
  return (
    <Page title="用户">
      <Notice text={done} />
      <ErrorBox error={error} />
      <Card>
        <div className="filters">
          <FilterText placeholder="用户名或姓名" value={list.filters.query} onChange={list.setFilter("query")} aria="搜索用户" />
          <FilterSelect value={list.filters.role} onChange={list.setFilter("role")} codes={(["ENTERPRISE", ...staffRoles] as Role[])} allText="全部角色" aria="角色" />
        </div>
        <PagedTable
          list={list}
          testid="users"
          head={["姓名", "用户名", "角色", "状态", "最近登录", ...(admin ? ["操作"] : [])]}
          row={({ node: u }) => (
            <tr key={u.id} data-username={u.username ?? ""}>
              <td>{u.displayName}</td>
              <td>{u.username ?? "—"}</td>
              <td>{label(u.role)}</td>
              <td>{u.disabled ? <Tag text="已停用" tone="tone-bad" /> : <Tag text="正常" tone="tone-ok" />}</td>
              <td>{fmtTime(u.lastLoginAt)}</td>
              {admin && (
                <td>
                  <select
                    aria-label={`操作 ${u.username ?? u.displayName}`}
                    value=""
                    onChange={(e) => {
                      const v = e.target.value;
                      e.target.value = "";
                      if (v) act(u, v);
                    }}
                  >
                    <option value="">选择操作…</option>
                    {u.disabled ? <option value="enable">启用</option> : <option value="disable">停用</option>}
                    <option value="end">结束会话</option>
                    {u.role !== "ENTERPRISE" && <option value="reset">重置密码</option>}
                    {u.role !== "ENTERPRISE" &&
                      staffRoles
                        .filter((r) => r !== u.role)
                        .map((r) => (
                          <option key={r} value={r}>
                            改为{label(r)}
                          </option>
                        ))}
                  </select>
                </td>
              )}
            </tr>
          )}
        />
      </Card>
      {admin && (
        <Card title="新建工作人员">
          <form className="form row" onSubmit={submit}>
            <Field label="用户名">
              <input name="newUsername" value={nu.username} onChange={(e) => setNu({ ...nu, username: e.target.value })} required />
            </Field>
            <Field label="姓名">
              <input name="newDisplayName" value={nu.displayName} onChange={(e) => setNu({ ...nu, displayName: e.target.value })} />
            </Field>
            <Field label="初始密码">
              <input name="newPassword" type="password" value={nu.password} onChange={(e) => setNu({ ...nu, password: e.target.value })} required />
            </Field>
            <Field label="角色">
              <select name="newRole" value={nu.role} onChange={(e) => setNu({ ...nu, role: e.target.value as Role })}>
                {staffRoles.map((r) => (
                  <option key={r} value={r}>
                    {label(r)}
                  </option>
                ))}
              </select>
            </Field>
            <button className="primary" disabled={busy.create}>
              创建
            </button>
          </form>
        </Card>
      )}
    </Page>
  );
}

