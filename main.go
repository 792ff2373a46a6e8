// Command creditwater is the backend of the city water utility's "credit +
// water service" (信用+供水服务) scheme: a GraphQL API for the WeChat
// mini-program and the staff dashboards. `creditwater -h` lists its
// subcommands; each subcommand has its own -h.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	_ "time/tzdata" // Asia/Shanghai on a bare machine

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"creditwater/billing"
	"creditwater/config"
	"creditwater/models"
	"creditwater/server"
	"creditwater/store"
)

// usage is the root help (`creditwater -h`).
const usage = `creditwater — 信用+供水服务后端 (credit + water service backend)

用法 usage:
  creditwater [serve]                      运行服务 run the server (default)
  creditwater migrate                      执行数据库迁移 apply database migrations
  creditwater import -kind KIND [-encoding auto|utf-8|gbk] FILE
                                           导入营收系统 CSV import a billing-system file (R1.1)
  creditwater user create -username U -role ROLE [-name N]
                                           创建工作人员账号 create a staff user; password from
                                           CW_NEW_PASSWORD, or typed (not echoed), or one line of stdin
  creditwater wechat menu push [-file FILE]
                                           推送公众号菜单 push the official account's menu

配置 configuration: CW_* environment variables (README, "Configuration").
每个子命令的 -h 显示其参数 each subcommand's -h shows its flags.
`

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "creditwater:", err)
		if errors.Is(err, errRowsRefused) {
			os.Exit(3)
		}
		os.Exit(1)
	}
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help" || arg == "help"
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	if isHelp(cmd) {
		fmt.Fprint(stdout, usage)
		return nil
	}
	if len(args) > 0 && isHelp(args[0]) && (cmd == "user" || cmd == "wechat" || cmd == "serve" || cmd == "migrate") {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cfg, err := config.FromOS()
	if err != nil {
		return err
	}
	logger := newLogger(cfg.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch cmd {
	case "serve":
		gogc, memLimit := server.TuneGC(cfg.HTTP)
		logger.Info("configuration", "config", cfg.String(), "gogc", gogc, "gomemlimit", memLimit)
		s, err := server.New(ctx, cfg, logger)
		if err != nil {
			return err
		}
		defer s.Close()
		return s.Run(ctx)
	case "migrate":
		db, err := store.OpenDB(ctx, store.DBConfig{URL: cfg.Storage.DatabaseURL, DataDir: cfg.DataDir, MaxOpen: 2, MaxIdle: 1})
		if err != nil {
			return err
		}
		if err := store.Migrate(db); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "数据库迁移已完成")
		return nil
	case "user":
		return userCmd(ctx, cfg, args, stdin, stdout)
	case "import":
		return importCmd(ctx, cfg, args, stdout)
	case "wechat":
		return wechatCmd(ctx, cfg, logger, args, stdout)
	default:
		return fmt.Errorf("未知命令 %q（creditwater -h 列出全部命令）", cmd)
	}
}

// flags returns a flag set for the subcommand name that prints its usage
// line and flags to out on -h.
func flags(name, synopsis string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "用法 usage: creditwater %s\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args into fs; -h is a success with nothing more to do (done).
func parse(fs *flag.FlagSet, args []string) (done bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, err
	}
	return false, nil
}

func userCmd(ctx context.Context, cfg config.Config, args []string, stdin io.Reader, stdout io.Writer) error {
	const synopsis = "user create -username U -role STAFF|CREDIT_OFFICER|ADMIN [-name N]\n" +
		"  密码 password: CW_NEW_PASSWORD, or typed at the prompt (not echoed), or one line of stdin"
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("usage: creditwater %s", synopsis)
	}
	fs := flags("user create", synopsis, stdout)
	username := fs.String("username", "", "登录名 login name")
	role := fs.String("role", "STAFF", "角色 role: STAFF, CREDIT_OFFICER or ADMIN")
	name := fs.String("name", "", "显示名称 display name (default: the login name)")
	if done, err := parse(fs, args[1:]); done || err != nil {
		return err
	}
	password, err := readPassword(stdin, stdout)
	if err != nil {
		return err
	}
	u, err := server.CreateStaff(ctx, cfg, *username, password, *name, models.Role(strings.ToUpper(*role)))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "已创建 %s 用户 %s（%s）\n", u.Role, *u.Username, u.ID)
	return nil
}

// readPassword returns CW_NEW_PASSWORD when set; otherwise it prompts on
// stdout and reads the password from a terminal without echo, or one line
// from any other stdin (a pipe or a file).
func readPassword(stdin io.Reader, prompt io.Writer) (string, error) {
	if p := os.Getenv("CW_NEW_PASSWORD"); p != "" {
		return p, nil
	}
	fmt.Fprint(prompt, "password: ")
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil || len(b) == 0 {
			return "", fmt.Errorf("未提供密码（请设置 CW_NEW_PASSWORD 或手动输入）")
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("未提供密码（请设置 CW_NEW_PASSWORD 或手动输入）")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// errRowsRefused makes the import command exit with status 3 when some
// rows were refused (the good ones are in).
var errRowsRefused = errors.New("部分行被拒绝（见上文）")

// importCmd imports a billing-system file with a progress bar (R1.1).
func importCmd(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	const synopsis = "import -kind accounts|usage|bills|payments|reminders [-encoding auto|utf-8|gbk] FILE"
	fs := flags("import", synopsis, stdout)
	kindName := fs.String("kind", "", "数据种类 kind of rows: accounts, usage, bills, payments or reminders")
	encoding := fs.String("encoding", "auto", "编码 encoding: auto, utf-8 or gbk")
	if done, err := parse(fs, args); done || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: creditwater %s", synopsis)
	}
	kind, err := billing.ParseKind(*kindName)
	if err != nil {
		return err
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	importer, closeDB, err := server.OpenImporter(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	bar := progressbar.DefaultBytes(st.Size(), "importing "+st.Name())
	job, rowErrs, err := importer.Import(ctx, kind, io.TeeReader(f, bar), billing.Meta{FileName: st.Name(), Encoding: *encoding, StartedBy: "cli"})
	_ = bar.Finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "导入任务 %s %s：共 %d 行，新增 %d，更新 %d，未变 %d，拒绝 %d（编码 %s）\n",
		job.ID, job.Status, job.Rows, job.Inserted, job.Updated, job.Unchanged, job.Failed, job.Encoding)
	for i, e := range rowErrs {
		if i == 20 {
			fmt.Fprintf(stdout, "… 另有 %d 条（可用 importJob(id) 查看）\n", len(rowErrs)-20)
			break
		}
		fmt.Fprintf(stdout, "第 %d 行，%s 列：%s\n", e.Line, e.Column, e.Reason)
	}
	if job.Failed > 0 {
		return errRowsRefused
	}
	return nil
}

// wechatCmd pushes the official account's menu (R6.4).
func wechatCmd(ctx context.Context, cfg config.Config, logger *slog.Logger, args []string, stdout io.Writer) error {
	const synopsis = "wechat menu push [-file FILE]"
	if len(args) < 2 || args[0] != "menu" || args[1] != "push" {
		return fmt.Errorf("usage: creditwater %s", synopsis)
	}
	fs := flags("wechat menu push", synopsis, stdout)
	file := fs.String("file", cfg.OA.MenuFile, "菜单文件 menu file (default: CW_OA_MENU_FILE, else the embedded config/menu.json)")
	if done, err := parse(fs, args[2:]); done || err != nil {
		return err
	}
	menu, err := server.PushMenu(ctx, cfg, logger, *file)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "菜单已推送：%d 个按钮\n", len(menu.Buttons))
	return nil
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}
