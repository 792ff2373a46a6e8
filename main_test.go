package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"creditwater/apperr"
	"creditwater/wechat/fake"
)

// cliEnv points the command at a fresh embedded database in a temporary
// data dir and at a Redis address that answers nothing: a subcommand that
// touched Redis (or started an in-process one in its place) would fail or
// show it. Tests in this file set the environment, so none runs in parallel.
func cliEnv(t *testing.T) {
	t.Helper()
	t.Setenv("CW_DATA_DIR", t.TempDir())
	t.Setenv("CW_DATABASE_URL", "")
	t.Setenv("CW_REDIS_URL", "redis://127.0.0.1:1/0")
	t.Setenv("CW_NEW_PASSWORD", "")
	t.Setenv("CW_LOG_LEVEL", "error")
}

func runCLI(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(args, strings.NewReader(stdin), &out)
	return out.String(), err
}

// Every command and subcommand answers -h (and --help) with its usage and
// succeeds, without reading the configuration.
func TestCLIHelp(t *testing.T) {
	t.Setenv("CW_ENV", "nonsense") // a bad configuration does not stop help
	for _, args := range [][]string{
		{"-h"}, {"--help"}, {"help"}, {"serve", "-h"}, {"migrate", "--help"}, {"user", "-h"}, {"wechat", "-h"},
	} {
		out, err := runCLI(t, "", args...)
		if err != nil || !strings.Contains(out, "creditwater user create") || !strings.Contains(out, "CW_NEW_PASSWORD") {
			t.Errorf("%v: err %v, output %q", args, err, out)
		}
	}
	t.Setenv("CW_ENV", "development")
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"user", "create", "-h"}, []string{"-username", "-role", "CW_NEW_PASSWORD"}},
		{[]string{"import", "--help"}, []string{"-kind", "-encoding"}},
		{[]string{"wechat", "menu", "push", "-h"}, []string{"-file"}},
	} {
		out, err := runCLI(t, "", tc.args...)
		if err != nil {
			t.Errorf("%v: %v", tc.args, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: usage %q lacks %q", tc.args, out, w)
			}
		}
	}
	if _, err := runCLI(t, "", "frobnicate"); err == nil || !strings.Contains(err.Error(), "creditwater -h") {
		t.Errorf("unknown command: %v", err)
	}
}

// user create takes its password from CW_NEW_PASSWORD (accepted by the
// configuration, not refused as unknown) or from a non-terminal stdin, and
// needs the database alone: Redis answers nothing here.
func TestCLIUserCreate(t *testing.T) {
	cliEnv(t)
	if out, err := runCLI(t, "", "migrate"); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	t.Setenv("CW_NEW_PASSWORD", "Correct-Horse-9")
	out, err := runCLI(t, "", "user", "create", "-username", "clerk1", "-role", "staff")
	if err != nil || !strings.Contains(out, "已创建 STAFF 用户 clerk1") || strings.Contains(out, "password:") {
		t.Fatalf("CW_NEW_PASSWORD: err %v, output %q", err, out)
	}
	_, err = runCLI(t, "", "user", "create", "-username", "clerk1", "-role", "STAFF")
	if apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("second clerk1: %v, want CONFLICT (the first was stored)", err)
	}

	t.Setenv("CW_NEW_PASSWORD", "")
	out, err = runCLI(t, "Another-Pass-77\n", "user", "create", "-username", "officer1", "-role", "CREDIT_OFFICER", "-name", "信用专员")
	if err != nil || !strings.Contains(out, "password: ") || !strings.Contains(out, "已创建 CREDIT_OFFICER 用户 officer1") {
		t.Fatalf("stdin password: err %v, output %q", err, out)
	}
	if _, err := runCLI(t, "", "user", "create", "-username", "nopass"); err == nil || !strings.Contains(err.Error(), "CW_NEW_PASSWORD") {
		t.Errorf("empty stdin: %v, want the no-password error naming CW_NEW_PASSWORD", err)
	}
	if _, err := runCLI(t, "short\n", "user", "create", "-username", "weak"); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("weak password: %v, want INVALID", err)
	}
}

// import (R1.1) needs the database alone, and re-sending a file changes
// nothing.
func TestCLIImport_R1_1(t *testing.T) {
	cliEnv(t)
	if out, err := runCLI(t, "", "migrate"); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	file := filepath.Join(t.TempDir(), "payments.csv")
	if err := os.WriteFile(file, []byte("payment_no,bill_no,account_no,amount_yuan,paid_at\nP001,B001,A001,12.5,2024-02-10\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, "", "import", "-kind", "payments", file)
	if err != nil || !strings.Contains(out, "共 1 行，新增 1") {
		t.Fatalf("import: err %v, output %q", err, out)
	}
	out, err = runCLI(t, "", "import", "-kind", "payments", file)
	if err != nil || !strings.Contains(out, "未变 1") {
		t.Fatalf("re-import: err %v, output %q", err, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("payment_no,bill_no,account_no,amount_yuan,paid_at\nP002,B001,A001,abc,2024-02-10\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "", "import", "-kind", "payments", bad); !errors.Is(err, errRowsRefused) {
		t.Errorf("refused row: %v, want errRowsRefused (exit status 3)", err)
	}
	if _, err := runCLI(t, "", "import", "-kind", "nonsense", file); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("unknown kind: %v, want INVALID", err)
	}
}

// wechat menu push (R6.4) talks to WeChat (here the fake, by
// CW_WECHAT_BASE_URL) and needs neither the database nor Redis.
func TestCLIMenuPush_R6_4(t *testing.T) {
	cliEnv(t)
	t.Setenv("CW_DATABASE_URL", "root@tcp(127.0.0.1:1)/nothing")
	wx := fake.New()
	defer wx.Close()
	t.Setenv("CW_WECHAT_BASE_URL", wx.URL())
	t.Setenv("CW_OA_SECRET", "oa-secret")
	t.Setenv("CW_REDIS_URL", "")
	out, err := runCLI(t, "", "wechat", "menu", "push")
	if err != nil || !strings.Contains(out, "菜单已推送") {
		t.Fatalf("push: err %v, output %q", err, out)
	}
	if !bytes.Contains(wx.LastMenu(), []byte("pages/")) {
		t.Errorf("the fake received no menu: %s", wx.LastMenu())
	}
}
