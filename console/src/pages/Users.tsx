import { useState, type FormEvent } from "react";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { Role } from "../gql/graphql";
import { fmtTime, label } from "../format";
import { Card, Empty, ErrorBox, Field, Loading, Notice, Page, Pager, Tag, useCursor, FilterSelect } from "../ui";

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

const CreateUser = graphql(`
  mutation ConsoleCreateUser($input: CreateStaffUserInput!) {
    createStaffUser(input: $input) {
      user {
        id
        username
      }
    }
  }
`);
const DisableUser = graphql(`
  mutation ConsoleDisableUser($input: DisableUserInput!) {
    disableUser(input: $input) {
      sessionsEnded
      user {
        id
        disabled
        version
      }
    }
  }
`);
const EnableUser = graphql(`
  mutation ConsoleEnableUser($input: EnableUserInput!) {
    enableUser(input: $input) {
      user {
        id
        disabled
        version
      }
    }
  }
`);
const ChangeRole = graphql(`
  mutation ConsoleChangeRole($input: ChangeUserRoleInput!) {
    changeUserRole(input: $input) {
      sessionsEnded
      user {
        id
        role
        version
      }
    }
  }
`);
const ResetPassword = graphql(`
  mutation ConsoleResetPassword($input: ResetUserPasswordInput!) {
    resetUserPassword(input: $input) {
      sessionsEnded
      user {
        id
      }
    }
  }
`);
const EndSessions = graphql(`
  mutation ConsoleEndSessions($input: EndUserSessionsInput!) {
    endUserSessions(input: $input) {
      sessionsEnded
      user {
        id
      }
    }
  }
`);

const staffRoles: Role[] = ["STAFF", "CREDIT_OFFICER", "ADMIN"];

export function Users({ role }: { role: string }) {
  const admin = role === "ADMIN";
  const [q, setQ] = useState("");
  const [roleF, setRoleF] = useState("");
  const cur = useCursor();
  const [res, refetch] = useQuery({
    query: UsersQuery,
    variables: { filter: { query: q || null, role: (roleF || null) as Role | null }, first: 20, after: cur.after },
  });
  const [cr, create] = useMutation(CreateUser);
  const [di, disable] = useMutation(DisableUser);
  const [en, enable] = useMutation(EnableUser);
  const [ch, change] = useMutation(ChangeRole);
  const [rp, reset] = useMutation(ResetPassword);
  const [es, end] = useMutation(EndSessions);
  const [done, setDone] = useState<string | null>(null);
  const [nu, setNu] = useState({ username: "", password: "", displayName: "", role: "STAFF" as Role });
  const conn = res.data?.users;
  const reload = () => refetch({ requestPolicy: "network-only" });
  const ask = (text: string) => window.prompt(text)?.trim();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await create({ input: { ...nu, displayName: nu.displayName || null } });
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
      const r = await disable({ input: { userId: u.id, version: u.version, reason } });
      n = r.data?.disableUser.sessionsEnded;
    } else if (what === "enable") {
      await enable({ input: { userId: u.id, version: u.version } });
    } else if (what === "reset") {
      const pw = ask(`为 ${u.displayName} 设置新密码（至少 12 位）`);
      if (!pw) return;
      const r = await reset({ input: { userId: u.id, newPassword: pw } });
      n = r.data?.resetUserPassword.sessionsEnded;
    } else if (what === "end") {
      const r = await end({ input: { userId: u.id } });
      n = r.data?.endUserSessions.sessionsEnded;
    } else {
      const r = await change({ input: { userId: u.id, version: u.version, role: what as Role } });
      n = r.data?.changeUserRole.sessionsEnded;
    }
    if (n != null) setDone(`已完成，结束会话 ${n} 个。`);
    reload();
  };
  return (
    <Page title="用户">
      <Notice text={done} />
      <ErrorBox error={res.error ?? cr.error ?? di.error ?? en.error ?? ch.error ?? rp.error ?? es.error} />
      <Card>
        <div className="filters">
          <input placeholder="用户名或姓名" value={q} onChange={(e) => (setQ(e.target.value), cur.reset())} aria-label="搜索用户" />
          <FilterSelect value={roleF} onChange={(v) => (setRoleF(v), cur.reset())} codes={(["ENTERPRISE", ...staffRoles] as Role[])} allText="全部角色" aria="角色" />
        </div>
        <Loading show={res.fetching && !conn} />
        <table className="table" data-testid="users">
          <thead>
            <tr>
              <th>姓名</th>
              <th>用户名</th>
              <th>角色</th>
              <th>状态</th>
              <th>最近登录</th>
              {admin && <th>操作</th>}
            </tr>
          </thead>
          <tbody>
            {conn?.edges.map(({ node: u }) => (
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
            ))}
          </tbody>
        </table>
        <Empty show={!!conn && conn.edges.length === 0} />
        <Pager total={conn?.totalCount} hasNext={!!conn?.pageInfo.hasNextPage} canPrev={cur.canPrev} onNext={() => cur.next(conn?.pageInfo.endCursor)} onPrev={cur.prev} />
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
            <button className="primary" disabled={cr.fetching}>
              创建
            </button>
          </form>
        </Card>
      )}
    </Page>
  );
}
